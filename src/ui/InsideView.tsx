// "Inside the network": the computational graph, the checks, the histograms, the weight images and the update-to-data ratio, in one section that can be closed.
import { useState } from 'react';
import './inside.css';
import { UpdateRatioChart } from './Charts';
import { CheckPanel } from './CheckPanel';
import { ComputationalGraph } from './ComputationalGraph';
import { ActivationHistograms, GradientHistograms, WeightHistograms, WeightImages } from './InsideHistograms';
import { useStrings } from './i18n';

export function InsideView() {
  // closed, nothing inside is rendered: the page's cost of watching is the cost of what is open
  const [open, setOpen] = useState(true);
  const t = useStrings();
  return (
    <details className="inside" open={open} onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary>{t.inside.section}</summary>
      {open && (
        <div className="charts">
          <ComputationalGraph />
          <CheckPanel />
          <ActivationHistograms />
          <WeightHistograms />
          <GradientHistograms />
          <WeightImages />
          <UpdateRatioChart />
        </div>
      )}
    </details>
  );
}
