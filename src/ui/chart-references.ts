// chart-references.ts: kept and imported runs drawn faded behind the live one in each chart, and the axes' ranges that take them in (or stay fixed).
import uPlot from 'uplot';
import type { RunSeries } from '../store/run-file';
import type { Reference } from '../store/store';

/** One faded line of a reference: values per step of the reference, on one of the chart's scales. */
export interface ReferenceLine {
  scale: string;
  values: readonly (number | null)[];
  color: string;
}

/** What a chart draws of a reference run. */
export type ReferenceLines = (series: RunSeries) => ReferenceLine[];

/** How the n-th reference is told apart from the live run and from the other references: faded, each with its own dash. */
export const REFERENCE_ALPHA = 0.4;
export const REFERENCE_DASHES: readonly number[][] = [
  [7, 4],
  [2, 3],
  [10, 3, 2, 3],
  [4, 2, 4, 6],
  [1, 5],
];

/** A reference's dash, by its number (it keeps it when older ones are dropped). */
export function referenceDash(reference: Pick<Reference, 'id'>): readonly number[] {
  return REFERENCE_DASHES[(reference.id - 1) % REFERENCE_DASHES.length];
}

/** Draws every reference's lines under the live series (drawn after the axes, before the series). */
export function referencePlugin(references: readonly Reference[], lines: ReferenceLines): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [
        (u) => {
          const { ctx } = u;
          ctx.save();
          ctx.beginPath();
          ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
          ctx.clip();
          ctx.globalAlpha = REFERENCE_ALPHA;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          const dot = ([x, y]: [number, number]) =>
            ctx.rect(x - 1.5 * devicePixelRatio, y - 1.5 * devicePixelRatio, 3 * devicePixelRatio, 3 * devicePixelRatio);
          for (const reference of references) {
            ctx.setLineDash(referenceDash(reference).map((d) => d * devicePixelRatio));
            const log = (scale: string) => u.scales[scale]?.distr === 3;
            for (const line of lines(reference.series)) {
              if (!u.scales[line.scale]) continue;
              ctx.strokeStyle = line.color;
              ctx.fillStyle = line.color;
              ctx.beginPath();
              let drawing = false;
              let alone: [number, number] | null = null; // a segment's only point so far: drawn as a dot if nothing joins it
              for (const [i, step] of reference.series.step.entries()) {
                const v = line.values[i];
                if (v === null || v === undefined || !Number.isFinite(v) || (log(line.scale) && v <= 0)) {
                  // a break between two models' weights is a gap; a value not measured at this step is joined across
                  if (v === null && !Number.isInteger(step)) {
                    if (alone) dot(alone);
                    drawing = false;
                    alone = null;
                  }
                  continue;
                }
                const x = u.valToPos(step, 'x', true);
                const y = u.valToPos(v, line.scale, true);
                if (drawing) {
                  ctx.lineTo(x, y);
                  alone = null;
                } else {
                  ctx.moveTo(x, y);
                  alone = [x, y];
                }
                drawing = true;
              }
              if (alone) dot(alone);
              ctx.stroke();
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

/** The extent of one series (positive values only on a log scale); a reference never changes, so each is measured once. */
const extents = new WeakMap<readonly (number | null)[], Map<boolean, [number, number] | null>>();
function seriesExtent(series: readonly (number | null)[], log: boolean): [number, number] | null {
  let cached = extents.get(series);
  if (!cached) {
    cached = new Map();
    extents.set(series, cached);
  }
  if (!cached.has(log)) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of series) {
      if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    cached.set(log, min <= max ? [min, max] : null);
  }
  return cached.get(log) ?? null;
}

/** The smallest and largest value of the references on a scale (positive only on a log scale); null when they have none. */
function extent(references: readonly Reference[], lines: ReferenceLines, scale: string, log: boolean): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const reference of references) {
    const values =
      scale === 'x'
        ? [reference.series.step]
        : lines(reference.series)
            .filter((l) => l.scale === scale)
            .map((l) => l.values);
    for (const series of values) {
      const [low, high] = seriesExtent(series, log) ?? [Infinity, -Infinity];
      min = Math.min(min, low);
      max = Math.max(max, high);
    }
  }
  return min <= max ? [min, max] : null;
}

/**
 * The ranges held while Fix axes is on, per chart (its held ranges outlive a rebuilt plot, so a new
 * run after Reset reads against the old one's axes) and scale. They only grow: data outside widens them.
 */
export type HeldRanges = Map<string, [number, number]>;

/**
 * A log axis with nothing positive to show (every gradient exactly 0): 0.1 … 1. Left to uPlot, an
 * empty log range makes its tick generator run until the array overflows (a 16 s freeze).
 */
export const EMPTY_LOG_RANGE: uPlot.Range.MinMax = [0.1, 1];

/** The smallest and largest values a log axis spans (a vanished gradient can be 1e-300; 0 has no place on it). */
const LOG_FLOOR = 1e-300;
const LOG_CEILING = 1e300;

/** A log scale's range: the data's in whole decades, or EMPTY_LOG_RANGE when it has no positive finite value. */
export function logRange(_u: uPlot | null, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !(max > 0) || !(max >= min) || !Number.isFinite(max)) return EMPTY_LOG_RANGE;
  const low = 10 ** Math.floor(Math.log10(Math.max(min, LOG_FLOOR)));
  const high = 10 ** Math.ceil(Math.log10(Math.min(max, LOG_CEILING)));
  return low < high ? [low, high] : [low, low * 10];
}

/** A log axis's ticks: powers of ten, every k-th decade so that at most 8 show (uPlot's own run away outside 1e±16). */
export function logSplits(_u: uPlot, _axis: number, min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const low = Math.ceil(Math.log10(min) - 1e-9);
  const high = Math.floor(Math.log10(max) + 1e-9);
  const every = Math.max(1, Math.ceil((high - low + 1) / 8));
  const splits: number[] = [];
  for (let e = low; e <= high; e += every) splits.push(Number(`1e${e}`));
  return splits;
}

/**
 * Every scale of the options takes the references in. With `held` (Fix axes), each scale's range
 * is the union of everything it has shown since the axes were fixed. A drag-zoom on the step axis
 * is passed through as the user selected it.
 */
export function withReferenceRanges(options: uPlot.Options, references: readonly Reference[], lines: ReferenceLines, held: HeldRanges | null): uPlot.Options {
  const scales: Record<string, uPlot.Scale> = { ...options.scales };
  const keys = new Set(['x', 'y', ...Object.keys(scales), ...(options.series ?? []).map((s) => s.scale ?? 'y')]);
  for (const key of keys) {
    const scale = { ...scales[key] };
    const own = scale.range;
    if (typeof own === 'function' || Array.isArray(own)) {
      // a chart's own fixed range (accuracy 0 … 1, the layer axis) stays as it is
      scales[key] = scale;
      continue;
    }
    const log = scale.distr === 3;
    scale.range = (u, dataMin, dataMax) => {
      const steps = u.data[0];
      if (key === 'x' && steps.length > 1 && dataMin !== null && dataMax !== null && (dataMin > steps[0] || dataMax < steps[steps.length - 1])) {
        return [dataMin, dataMax]; // a zoom the user dragged
      }
      let min = dataMin !== null && Number.isFinite(dataMin) ? dataMin : Infinity;
      let max = dataMax !== null && Number.isFinite(dataMax) ? dataMax : -Infinity;
      const theirs = extent(references, lines, key, log);
      if (theirs) [min, max] = [Math.min(min, theirs[0]), Math.max(max, theirs[1])];
      const kept = held?.get(key);
      if (kept) [min, max] = [Math.min(min, kept[0]), Math.max(max, kept[1])];
      if (!(min <= max)) return log ? EMPTY_LOG_RANGE : [null, null];
      if (held && steps.length > 0) held.set(key, [min, max]);
      if (key === 'x' && !log) return [min, max];
      return log ? logRange(u, min, max) : uPlot.rangeNum(min, max, 0.1, true);
    };
    scales[key] = scale;
  }
  return { ...options, scales };
}
