// Canvas charts (uPlot) on the page: each chart's figure, its redraws on new metrics, its PNG and its explanation (what each plots: chart-specs.ts).
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { metrics } from '../store/metrics-buffer';
import { useStore } from '../store/store';
import { REFERENCE_DASHES, referencePlugin, withReferenceRanges } from './chart-references';
import { type ChartSpec, gradSpec, lossSpec, profileSpec, ratioSpec, type View, weightSpec, withLatestLegend } from './chart-specs';

function useChart(spec: ChartSpec, view: View) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = container.current!;
    let plot: uPlot | null = null;
    let key = '';
    let frame = 0;
    const draw = () => {
      frame = 0;
      const width = Math.max(240, target.clientWidth);
      const nextKey = spec.key(metrics);
      const data = spec.data(metrics);
      if (!plot || nextKey !== key) {
        plot?.destroy();
        key = nextKey;
        let options = withLatestLegend(spec.options(metrics, width, view));
        if (spec.references) {
          options = withReferenceRanges(options, view.references, spec.references, view.fixedAxes);
          options = { ...options, plugins: [...(options.plugins ?? []), referencePlugin(view.references, spec.references)] };
        }
        plot = new uPlot(options, data, target);
      } else {
        plot.setData(data);
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    const unsubscribe = metrics.subscribe(schedule);
    const resize = new ResizeObserver(() => {
      if (plot) plot.setSize({ width: Math.max(240, target.clientWidth), height: plot.height });
    });
    resize.observe(target);
    draw();
    return () => {
      unsubscribe();
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      plot?.destroy();
    };
  }, [spec, view]);
  return container;
}

/** Saves a chart's canvas as a PNG (on white, titled), named after the chart. */
function downloadPng(container: HTMLElement | null, label: string): void {
  const source = container?.querySelector('canvas');
  if (!source) return;
  const titleHeight = 28 * devicePixelRatio;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height + titleHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#1d2430';
  ctx.font = `600 ${Math.round(14 * devicePixelRatio)}px sans-serif`;
  ctx.fillText(label, 8 * devicePixelRatio, 19 * devicePixelRatio);
  ctx.drawImage(source, 0, titleHeight);
  canvas.toBlob((blob) => {
    if (!blob) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }, 'image/png');
}

function Chart({ label, spec, explain }: { label: string; spec: ChartSpec; explain: string }) {
  const logSteps = useStore((s) => s.logSteps);
  const fixedAxes = useStore((s) => s.fixedAxes);
  const references = useStore((s) => s.references);
  const view = useMemo(() => ({ logSteps, fixedAxes, references }), [logSteps, fixedAxes, references]);
  const ref = useChart(spec, view);
  return (
    <figure className="chart">
      <figcaption>
        {label}
        <button type="button" className="chart-action" onClick={() => downloadPng(ref.current, label)} aria-label={`Download ${label} as PNG`}>
          PNG
        </button>
      </figcaption>
      <details className="explain">
        <summary>What is this?</summary>
        <p>{explain}</p>
      </details>
      <div ref={ref} role="img" aria-label={label} />
      {spec.references && references.length > 0 && (
        <ul className="reference-legend" aria-label={`References in the ${label}`}>
          {references.map((r, i) => (
            <li key={r.id}>
              <svg width="28" height="8" aria-hidden="true">
                <line
                  x1="0"
                  y1="4"
                  x2="28"
                  y2="4"
                  stroke="#555"
                  strokeOpacity="0.6"
                  strokeWidth="2"
                  strokeDasharray={REFERENCE_DASHES[i % REFERENCE_DASHES.length].join(' ')}
                />
              </svg>
              Reference {i + 1} ({r.origin}): {r.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

export function LossChart() {
  return (
    <Chart
      label="Loss chart"
      spec={lossSpec}
      explain="The cross-entropy loss L of each training batch (light), and at each evaluation the loss over the training set and over the test set, with their accuracies (dashed, right axis). A healthy run: the losses fall quickly, then slowly; the test loss stays close to the training-set loss. A test loss that rises while the training-set loss falls is overfitting."
    />
  );
}

export function WeightNormsChart() {
  return (
    <Chart
      label="Weight norms chart"
      spec={weightSpec}
      explain="‖W_l‖_F of every layer at each step (log axis), and the weight decay term s = λ/2·Σ‖W‖² (dashed, right axis). Weight decay pulls the norms down; without it they drift up as the model fits the training set. Norms that shoot up by decades mean the run is exploding."
    />
  );
}

export function GradientNormsChart() {
  return (
    <Chart
      label="Gradient norms chart"
      spec={gradSpec}
      explain="‖∂J/∂W_l‖_F of every layer at each step, on a log axis, input layer darkest. In a healthy deep network the layers sit within a decade or so of each other. Lines spread over many decades, the first layers far below the last, are vanishing gradients; lines climbing without bound are exploding ones."
    />
  );
}

/** Per layer, at the latest evaluation: ‖∂J/∂W‖, the activations' RMS going forward and ‖∂J/∂z‖ going backward. */
export function LayerProfileChart() {
  return (
    <Chart
      label="Growth through depth"
      spec={profileSpec}
      explain="Across the layers at the latest evaluation: ‖∂J/∂W‖, the RMS of the activations h going forward, and ‖∂J/∂z‖ going backward, on a log axis. A flat profile is a well-initialised network; a straight slope means each layer multiplies the signal by the same factor, so depth makes it vanish (down) or explode (up)."
    />
  );
}

/** Per layer and step, how large the update was next to the weights it changed. */
export function UpdateRatioChart() {
  return (
    <Chart
      label="Update-to-data ratio"
      spec={ratioSpec}
      explain="lr·‖∂J/∂W‖/‖W‖ per layer and step (log axis): the share of its weights one step moves. Around 1e-3 a layer learns steadily; far below, it is frozen (its gradient vanished or the learning rate is too small); near 1, every step rewrites it and training is unstable."
    />
  );
}
