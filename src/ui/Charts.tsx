// Canvas charts (uPlot): losses and accuracies, per-layer weight and gradient norms over steps, and the latest layer profile.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type MetricsBuffer, metrics } from '../store/metrics-buffer';
import { useStore } from '../store/store';
import { formatNumber, formatShare } from './format';

/** Legend values by the page's one rule: 1.5e-11, never "0"; accuracy as a percentage. */
const legendNumber = (_u: uPlot, v: number | null) => (v == null ? '–' : formatNumber(v));
const legendShare = (_u: uPlot, v: number | null) => (v == null ? '–' : formatShare(v));

/** Input layer blue, output layer red, in between along the hue circle. */
export function layerColor(layer: number, layers: number): string {
  const t = layers <= 1 ? 1 : layer / (layers - 1);
  return `hsl(${Math.round(230 - 230 * t)}, 70%, 45%)`;
}

/** Tick labels of a log axis: plain numbers near 1, powers of ten (1e-9) beyond. */
function logTicks(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => (v == null ? '' : v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0)));
}

/** Log scales cannot show 0 or non-finite values: those become gaps. */
const forLog = (v: number | null) => (v !== null && v > 0 && Number.isFinite(v) ? v : null);

/** Dashed vertical lines where λ, the learning rate, the batch size or the initialiser changed. */
function markerPlugin(buffer: MetricsBuffer): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          ctx.save();
          ctx.strokeStyle = '#8a6d00';
          ctx.fillStyle = '#8a6d00';
          ctx.setLineDash([4, 4]);
          ctx.font = `${Math.round(10 * devicePixelRatio)}px sans-serif`;
          for (const marker of buffer.markers) {
            const x = u.valToPos(marker.step, 'x', true);
            if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillText(marker.label, x + 3, top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

/**
 * While the pointer is off the plot, the legend shows each series' latest value (uPlot shows
 * "--" there otherwise); hovering still shows the values under the cursor.
 */
function showLatest(plot: uPlot): void {
  const data = plot.data;
  if ((plot.cursor.left !== undefined && plot.cursor.left >= 0) || !data || data[0].length === 0) return;
  const idxs = data.map((series) => {
    for (let i = series.length - 1; i >= 0; i--) if (series[i] !== null && series[i] !== undefined) return i;
    return null;
  });
  plot.setLegend({ idx: data[0].length - 1, idxs }, false); // false: no setLegend hook, so no loop
}

/** The options of a chart, with showLatest after every legend update uPlot makes itself. */
function withLatestLegend(options: uPlot.Options): uPlot.Options {
  const setLegend = [...(options.hooks?.setLegend ?? []), showLatest];
  return { ...options, hooks: { ...options.hooks, setLegend } };
}

/** How the charts are drawn: set by the page's view controls. */
interface View {
  logSteps: boolean;
}

interface ChartSpec {
  /** Changes when the series change (a new layer count): the plot is rebuilt. */
  key: (buffer: MetricsBuffer) => string;
  options: (buffer: MetricsBuffer, width: number, view: View) => uPlot.Options;
  data: (buffer: MetricsBuffer) => uPlot.AlignedData;
}

/** The step axis, linear or logarithmic (steps start at 1, so the log scale has no zero to hide). */
function stepScale(view: View): uPlot.Scale {
  return view.logSteps ? { time: false, distr: 3, log: 10 } : { time: false };
}

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
        plot = new uPlot(withLatestLegend(spec.options(metrics, width, view)), data, target);
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

/** Evaluations: points joined across the steps between them, broken where the weights were re-drawn. */
const evaluated = { points: { show: true, size: 5 } };

const lossSpec: ChartSpec = {
  key: () => 'loss',
  options: (buffer, width, view) => ({
    width,
    height: 220,
    scales: { x: stepScale(view), acc: { range: [0, 1] } },
    series: [
      { label: 'step' },
      { label: 'batch loss', value: legendNumber, stroke: '#9bb7e0', width: 1 },
      { label: 'training-set loss', value: legendNumber, stroke: '#1f5fbf', width: 2, ...evaluated },
      { label: 'test loss', value: legendNumber, stroke: '#c62828', width: 2, ...evaluated },
      { label: 'training-set accuracy', value: legendShare, stroke: '#1f5fbf', width: 1.5, dash: [5, 4], scale: 'acc', ...evaluated },
      { label: 'test accuracy', value: legendShare, stroke: '#c62828', width: 1.5, dash: [5, 4], scale: 'acc', ...evaluated },
    ],
    axes: [{ label: 'step' }, { label: 'loss' }, { scale: 'acc', side: 1, label: 'accuracy (dashed)', grid: { show: false } }],
    plugins: [markerPlugin(buffer)],
  }),
  data: (b) => [b.steps, b.loss, b.trainLoss, b.testLoss, b.trainAcc, b.testAcc] as uPlot.AlignedData,
};

const weightSpec: ChartSpec = {
  key: (b) => `weights:${b.weightNorms.length}`,
  options: (buffer, width, view) => ({
    width,
    height: 220,
    scales: { x: stepScale(view), y: { distr: 3, log: 10 }, l2: { distr: 3, log: 10 } },
    series: [
      { label: 'step' },
      ...buffer.weightNorms.map((_, l) => ({ label: `‖W${l + 1}‖`, value: legendNumber, stroke: layerColor(l, buffer.weightNorms.length), width: 1.25 })),
      { label: 'λ/2·Σ‖W‖²', value: legendNumber, stroke: '#b35900', width: 2, dash: [6, 4], scale: 'l2' },
    ],
    axes: [
      { label: 'step' },
      { label: '‖W_l‖_F (log)', values: logTicks, size: 60 },
      { scale: 'l2', side: 1, label: 'L2 term (dashed, log)', values: logTicks, size: 60, grid: { show: false } },
    ],
    plugins: [markerPlugin(buffer)],
  }),
  data: (b) => [b.steps, ...b.weightNorms.map((series) => series.map(forLog)), b.l2.map(forLog)] as uPlot.AlignedData,
};

const gradSpec: ChartSpec = {
  key: (b) => `layers:${b.gradNorms.length}`,
  options: (buffer, width, view) => ({
    width,
    height: 240,
    scales: { x: stepScale(view), y: { distr: 3, log: 10 } },
    series: [
      { label: 'step' },
      ...buffer.gradNorms.map((_, l) => ({
        label: `layer ${l + 1}`,
        value: legendNumber,
        stroke: layerColor(l, buffer.gradNorms.length),
        width: 1.25,
      })),
    ],
    axes: [{ label: 'step' }, { label: '‖∂J/∂W‖_F (log)', values: logTicks, size: 60 }],
    plugins: [markerPlugin(buffer)],
  }),
  data: (b) => [b.steps, ...b.gradNorms.map((series) => series.map(forLog))] as uPlot.AlignedData,
};

const ratioSpec: ChartSpec = {
  key: (b) => `ratio:${b.updateRatio.length}`,
  options: (buffer, width, view) => ({
    width,
    height: 220,
    scales: { x: stepScale(view), y: { distr: 3, log: 10 } },
    series: [
      { label: 'step' },
      ...buffer.updateRatio.map((_, l) => ({ label: `layer ${l + 1}`, value: legendNumber, stroke: layerColor(l, buffer.updateRatio.length), width: 1.25 })),
    ],
    axes: [{ label: 'step' }, { label: 'lr·‖∂J/∂W‖ / ‖W‖ (log)', values: logTicks, size: 60 }],
    plugins: [markerPlugin(buffer)],
  }),
  data: (b) => [b.steps, ...b.updateRatio.map((series) => series.map(forLog))] as uPlot.AlignedData,
};

const point = (size: number) => ({ show: true, size });

const profileSpec: ChartSpec = {
  key: (b) => `profile:${b.latest?.gradNorms.length ?? 0}`,
  options: (buffer, width) => ({
    width,
    height: 240,
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { distr: 3, log: 10 } },
    series: [
      { label: 'layer' },
      { label: '‖∂J/∂W‖_F', value: legendNumber, stroke: '#6a1b9a', width: 2, points: point(7) },
      { label: 'RMS of h (forward)', value: legendNumber, stroke: '#1f7a3a', width: 2, dash: [6, 4], points: point(6) },
      { label: '‖∂J/∂z‖_F (backward)', value: legendNumber, stroke: '#b35900', width: 2, dash: [2, 3], points: point(6) },
    ],
    axes: [
      { label: 'layer (input → output)', incrs: [1, 2, 5, 10] },
      { label: 'log scale', values: logTicks, size: 60 },
    ],
    legend: { show: (buffer.latest?.gradNorms.length ?? 0) > 0 },
  }),
  data: (b) => {
    const latest = b.latest?.gradNorms ?? [];
    const layers = latest.length; // the model's now (the step series keep every layer a run has had)
    const signals = b.signals && b.signals.activationRms.length === layers - 1 ? b.signals : null;
    const at = (values: readonly number[] | null | undefined) => Array.from({ length: layers }, (_, l) => forLog(values?.[l] ?? null));
    return [Array.from({ length: layers }, (_, l) => l + 1), at(latest), at(signals?.activationRms), at(signals?.backwardNorm)];
  },
};

function Chart({ label, spec, caption }: { label: string; spec: ChartSpec; caption?: string }) {
  const logSteps = useStore((s) => s.logSteps);
  const view = useMemo(() => ({ logSteps }), [logSteps]);
  const ref = useChart(spec, view);
  return (
    <figure className="chart">
      <figcaption>{label}</figcaption>
      {caption && <p className="caption">{caption}</p>}
      <div ref={ref} role="img" aria-label={label} />
    </figure>
  );
}

export function LossChart() {
  return <Chart label="Loss chart" spec={lossSpec} />;
}

export function WeightNormsChart() {
  return <Chart label="Weight norms chart" spec={weightSpec} />;
}

export function GradientNormsChart() {
  return <Chart label="Gradient norms chart" spec={gradSpec} />;
}

/** Per layer, at the latest evaluation: ‖∂J/∂W‖, the activations' RMS going forward and ‖∂J/∂z‖ going backward. */
export function LayerProfileChart() {
  return <Chart label="Growth through depth" spec={profileSpec} />;
}

/** Per layer and step, how large the update was next to the weights it changed. */
export function UpdateRatioChart() {
  return (
    <Chart
      label="Update-to-data ratio"
      spec={ratioSpec}
      caption="lr·‖∂J/∂W‖/‖W‖ per layer: the share of its weights one step moves. Around 1e-3 learns steadily; far below, the layer is frozen; near 1, every step rewrites it."
    />
  );
}
