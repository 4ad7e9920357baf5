// chart-specs.ts: what each chart plots (its uPlot series, scales and axes), with the page's number rule, the layer colours and the marks of changes.
import type uPlot from 'uplot';
import type { SettingName } from '../core/settings';
import type { MetricsSeries } from '../store/metrics-buffer';
import type { Reference } from '../store/store';
import { logRange, logSplits, type ReferenceLines } from './chart-references';
import { formatNumber, formatShare, formatTicks } from './format';
import type { Strings } from './i18n';

/** Legend values by the page's one rule: 1.5e-11, never "0"; accuracy as a percentage. */
const legendNumber = (_u: uPlot, v: number | null) => (v == null ? '–' : formatNumber(v));
const legendShare = (_u: uPlot, v: number | null) => (v == null ? '–' : formatShare(v));

/**
 * Viridis (perceptually ordered, readable with every common colour-vision deficiency) up to its
 * teal: its lighter greens and yellows fall below 3:1 contrast on a white ground.
 */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89'];

/** Input layer dark purple, output layer teal, in between along viridis. */
export function layerColor(layer: number, layers: number): string {
  const t = layers <= 1 ? 0 : layer / (layers - 1);
  const at = t * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(at));
  const mix = (a: string, b: string, f: number) => Math.round(Number.parseInt(a, 16) * (1 - f) + Number.parseInt(b, 16) * f);
  const [from, to] = [VIRIDIS[i].slice(1), VIRIDIS[i + 1].slice(1)];
  const channel = (c: number) => mix(from.slice(2 * c, 2 * c + 2), to.slice(2 * c, 2 * c + 2), at - i);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** Tick labels by the page's one number rule (1e-9, 0.01, 1.5e+4). */
function ticks(_u: uPlot, splits: number[], _axis: number, _space: number, increment: number): string[] {
  return formatTicks(splits, increment);
}
/** Log axes tick at powers of ten (and 2, 5 between): three digits tell them apart. */
function logTicks(_u: uPlot, splits: number[]): string[] {
  return formatTicks(splits);
}

/** A y axis wide enough for its longest tick label, so that no label is clipped (about 7 px a character at the axis font). */
function axisSize(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(2, ...(values ?? []).map((v) => v.length));
  return 24 + 7 * longest;
}

/** Log scales cannot show 0 or non-finite values: those become gaps. */
const forLog = (v: number | null) => (v !== null && v > 0 && Number.isFinite(v) ? v : null);

/** A mark's label from the worker ("rebuild: depth 3", "batch 64", "re-init zeros") with its words, and the settings it names, in the page's language. */
function markLabel(t: Strings, label: string): string {
  const words = Object.entries(t.marks).reduce((out, [english, said]) => out.replace(new RegExp(`^${english}\\b`), said), label);
  const settingsNamed = words.replace(/\b([a-zA-Z]+) (?=[-\d.])/g, (whole, key: string) =>
    key in t.controls.settings ? `${t.controls.settings[key as SettingName]} ` : whole,
  );
  // a re-initialisation names its initialiser by its key ("re-init zeros")
  return settingsNamed.replace(/[\w-]+$/, (word) => t.controls.choices.init?.[word] ?? word);
}

/** Dashed vertical lines where λ, the learning rate, the batch size or the initialiser changed. */
function markerPlugin(buffer: MetricsSeries, t: Strings): uPlot.Plugin {
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
          const lineHeight = 12 * devicePixelRatio;
          ctx.font = `${Math.round(10 * devicePixelRatio)}px sans-serif`;
          // changes at one step are one label; labels that would overlap the previous ones go a line lower
          const byStep = new Map<number, string[]>();
          for (const marker of buffer.markers) byStep.set(marker.step, [...(byStep.get(marker.step) ?? []), marker.label]);
          const placed: { from: number; to: number; line: number }[] = [];
          for (const [step, labels] of byStep) {
            const x = u.valToPos(step, 'x', true);
            if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            // the worker's words (rebuild, re-init, batch) in the page's language; settings and numbers as they are
            const text = labels.map((label) => markLabel(t, label)).join(', ');
            const width = ctx.measureText(text).width;
            let line = 0;
            const span = x + width + 6 > u.bbox.left + u.bbox.width ? [x - width - 3, x] : [x, x + width + 3];
            while (placed.some((p) => p.line === line && span[0] < p.to && span[1] > p.from)) line += 1;
            // near the right edge the label goes on the line's left, so it is not cut off
            const at = x + width + 6 > u.bbox.left + u.bbox.width ? x - width - 3 : x + 3;
            placed.push({ from: Math.min(at, x), to: Math.max(at + width, x) + 3, line });
            ctx.fillText(text, at, top + lineHeight * (line + 1));
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
export function withLatestLegend(options: uPlot.Options): uPlot.Options {
  const setLegend = [...(options.hooks?.setLegend ?? []), showLatest];
  return { ...options, hooks: { ...options.hooks, setLegend } };
}

/** How the charts are drawn: set by the page's view controls. */
export interface View {
  /** The page's strings (labels, legends and axes are in its language). */
  t: Strings;
  logSteps: boolean;
  fixedAxes: boolean;
  references: readonly Reference[];
}

/** Per-layer charts show a legend up to this many layers; past it, a note says how the colours run (the per-layer table has the values). */
export const LEGEND_MOST_LAYERS = 16;

export interface ChartSpec {
  /** Changes when the series change (a new layer count): the plot is rebuilt. */
  key: (buffer: MetricsSeries) => string;
  options: (buffer: MetricsSeries, width: number, view: View) => uPlot.Options;
  data: (buffer: MetricsSeries) => uPlot.AlignedData;
  /** What the chart draws of a kept or imported run (none: references are not drawn here). */
  references?: ReferenceLines;
  /** One line per layer (coloured from the input layer, darkest, to the output layer). */
  perLayer?: boolean;
}

/** The step axis, linear or logarithmic (steps start at 1, so the log scale has no zero to hide). */
function stepScale(view: View): uPlot.Scale {
  return view.logSteps ? { time: false, distr: 3, log: 10 } : { time: false };
}

/** Evaluations: points joined across the steps between them, broken where the weights were re-drawn. */
const evaluated = { points: { show: true, size: 5 } };

export const lossSpec: ChartSpec = {
  key: () => 'loss',
  options: (buffer, width, view) => ({
    width,
    height: 220,
    scales: { x: stepScale(view), acc: { range: [0, 1] } },
    series: [
      { label: view.t.charts.loss.axes[0] },
      { label: view.t.charts.loss.series[0], value: legendNumber, stroke: '#9bb7e0', width: 1 },
      { label: view.t.charts.loss.series[1], value: legendNumber, stroke: '#1f5fbf', width: 2, ...evaluated },
      { label: view.t.charts.loss.series[2], value: legendNumber, stroke: '#c62828', width: 2, ...evaluated },
      { label: view.t.charts.loss.series[3], value: legendShare, stroke: '#1f5fbf', width: 1.5, dash: [5, 4], scale: 'acc', ...evaluated },
      { label: view.t.charts.loss.series[4], value: legendShare, stroke: '#c62828', width: 1.5, dash: [5, 4], scale: 'acc', ...evaluated },
    ],
    axes: [
      { label: view.t.charts.loss.axes[0] },
      { label: view.t.charts.loss.axes[1], values: ticks, size: axisSize },
      {
        scale: 'acc',
        side: 1,
        label: view.t.charts.loss.axes[2],
        values: (_u, splits) => splits.map((v) => (v == null ? '' : formatShare(v))),
        size: axisSize,
        grid: { show: false },
      },
    ],
    plugins: [markerPlugin(buffer, view.t)],
  }),
  data: (b) => [b.steps, b.loss, b.trainLoss, b.testLoss, b.trainAcc, b.testAcc] as uPlot.AlignedData,
  references: (r) => [
    { scale: 'y', values: r.loss, color: '#5b7fb5' },
    { scale: 'y', values: r.testLoss, color: '#c62828' },
    { scale: 'acc', values: r.testAccuracy, color: '#c62828' },
  ],
};

export const weightSpec: ChartSpec = {
  key: (b) => `weights:${b.weightNorms.length}`,
  options: (buffer, width, view) => ({
    width,
    height: 220,
    scales: { x: stepScale(view), y: { distr: 3, log: 10 }, l2: { distr: 3, log: 10 } },
    series: [
      { label: view.t.charts.weights.axes[0] },
      ...buffer.weightNorms.map((_, l) => ({
        label: view.t.charts.weightNorm(l + 1),
        value: legendNumber,
        stroke: layerColor(l, buffer.weightNorms.length),
        width: 1.25,
      })),
      { label: view.t.charts.weights.l2, value: legendNumber, stroke: '#b35900', width: 2, dash: [6, 4], scale: 'l2' },
    ],
    legend: { show: buffer.weightNorms.length <= LEGEND_MOST_LAYERS },
    axes: [
      { label: view.t.charts.weights.axes[0] },
      { label: view.t.charts.weights.axes[1], values: logTicks, splits: logSplits, size: axisSize },
      { scale: 'l2', side: 1, label: view.t.charts.weights.axes[2], values: logTicks, splits: logSplits, size: axisSize, grid: { show: false } },
    ],
    plugins: [markerPlugin(buffer, view.t)],
  }),
  data: (b) => [b.steps, ...b.weightNorms.map((series) => series.map(forLog)), b.l2.map(forLog)] as uPlot.AlignedData,
  references: (r) => r.weightNorms.map((values, l) => ({ scale: 'y', values, color: layerColor(l, r.weightNorms.length) })),
  perLayer: true,
};

/** A chart of one log-scale line per layer over the steps: the gradient norms, the update-to-data ratio. */
function perLayerSpec(series: 'gradNorms' | 'updateRatio', text: (t: Strings) => { axes: string[] }, height: number): ChartSpec {
  return {
    key: (b) => `${series}:${b[series].length}`,
    options: (buffer, width, view) => ({
      width,
      height,
      scales: { x: stepScale(view), y: { distr: 3, log: 10 } },
      series: [
        { label: text(view.t).axes[0] },
        ...buffer[series].map((_, l) => ({
          label: view.t.charts.layer(l + 1),
          value: legendNumber,
          stroke: layerColor(l, buffer[series].length),
          width: 1.25,
        })),
      ],
      axes: [{ label: text(view.t).axes[0] }, { label: text(view.t).axes[1], values: logTicks, splits: logSplits, size: axisSize }],
      plugins: [markerPlugin(buffer, view.t)],
      legend: { show: buffer[series].length <= LEGEND_MOST_LAYERS },
    }),
    data: (b) => [b.steps, ...b[series].map((values) => values.map(forLog))] as uPlot.AlignedData,
    references: (r) => r[series].map((values, l) => ({ scale: 'y', values, color: layerColor(l, r[series].length) })),
    perLayer: true,
  };
}

export const gradSpec = perLayerSpec('gradNorms', (t) => t.charts.gradients, 240);
export const ratioSpec = perLayerSpec('updateRatio', (t) => t.charts.ratio, 220);

const point = (size: number) => ({ show: true, size });

export const profileSpec: ChartSpec = {
  key: (b) => `profile:${b.latest?.gradNorms.length ?? 0}`,
  options: (buffer, width, view) => ({
    width,
    height: 240,
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { distr: 3, log: 10, range: logRange } },
    series: [
      { label: view.t.charts.profile.series[0] },
      { label: view.t.charts.profile.series[1], value: legendNumber, stroke: '#6a1b9a', width: 2, points: point(7) },
      { label: view.t.charts.profile.series[2], value: legendNumber, stroke: '#1f7a3a', width: 2, dash: [6, 4], points: point(6) },
      { label: view.t.charts.profile.series[3], value: legendNumber, stroke: '#b35900', width: 2, dash: [2, 3], points: point(6) },
    ],
    axes: [
      { label: view.t.charts.profile.axes[0], incrs: [1, 2, 5, 10] },
      { label: view.t.charts.profile.axes[1], values: logTicks, splits: logSplits, size: axisSize },
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
