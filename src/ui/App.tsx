// The playground page: controls on the left; status, charts and the per-layer table on the right.

import { AboutExperiment } from './AboutExperiment';
import { GradientNormsChart, LayerProfileChart, LossChart, UpdateRatioChart, WeightNormsChart } from './Charts';
import { Controls } from './Controls';
import { DecisionBoundary } from './DecisionBoundary';
import { InsideView } from './InsideView';
import { LayerTable } from './LayerTable';
import { ConfusionMatrix, MisclassifiedExamples } from './Mistakes';
import { RunTools } from './RunTools';
import { LoadingBar, Notices, StatusLine } from './StatusPanel';

export function App() {
  return (
    <div className="app">
      <header>
        <h1>Gradient Lab</h1>
        <p className="subtitle">
          Softmax regression and MLPs, trained live: change λ, the initializer, the activation and the depth, and watch every layer's gradient.
        </p>
      </header>
      <Controls />
      <main className="results">
        <AboutExperiment />
        <StatusLine />
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
