// The playground page: controls on the left; status, charts and the per-layer table on the right.

import { useStore } from '../store/store';
import { AboutExperiment } from './AboutExperiment';
import { GradientNormsChart, LayerProfileChart, LossChart, UpdateRatioChart, WeightNormsChart } from './Charts';
import { Controls } from './Controls';
import { DecisionBoundary } from './DecisionBoundary';
import { InsideView } from './InsideView';
import { useStrings } from './i18n';
import { LayerTable } from './LayerTable';
import { ConfusionMatrix, MisclassifiedExamples } from './Mistakes';
import { RunTools } from './RunTools';
import { Announcer, LoadingBar, Notices, StatusLine } from './StatusPanel';

export function App() {
  const presentation = useStore((s) => s.presentation);
  const t = useStrings();
  return (
    <div className={presentation ? 'app presentation' : 'app'}>
      <header>
        <h1>Gradient Lab</h1>
        <p className="subtitle">{t.app.subtitle}</p>
      </header>
      <Controls />
      <main className="results">
        <AboutExperiment />
        <StatusLine />
        <Announcer />
        <LoadingBar />
        <Notices />
        <RunTools />
        <div className="charts">
          <LossChart />
          <GradientNormsChart />
          <WeightNormsChart />
          <LayerProfileChart />
          <DecisionBoundary />
        </div>
        <LayerTable />
        <div className="charts">
          <ConfusionMatrix />
          <MisclassifiedExamples />
        </div>
        <InsideView />
      </main>
    </div>
  );
}
