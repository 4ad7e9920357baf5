// Canvas charts (uPlot) on the page: each chart's figure, its redraws on new metrics (a bounded view, at a bounded rate), its PNG and its explanation (what each plots: chart-specs.ts).
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { metrics } from '../store/metrics-buffer';
import { useStore } from '../store/store';
import { type HeldRanges, referenceDash, referencePlugin, withReferenceRanges } from './chart-references';
import { type ChartSpec, gradSpec, lossSpec, profileSpec, ratioSpec, type View, weightSpec, withLatestLegend } from './chart-specs';
import { describeRun, type Strings, useStrings } from './i18n';

/** Each chart's ranges held by Fix axes; let go when it is turned off. */
const held = new WeakMap<ChartSpec, HeldRanges>();
function heldRanges(spec: ChartSpec): HeldRanges {
  let ranges = held.get(spec);
  if (!ranges) {
    ranges = new Map();
    held.set(spec, ranges);
  }
  return ranges;
}

/**
 * Steps a chart draws at most: about two a pixel of a wide chart, and fewer for a deep model, whose
 * charts draw a line a layer (older steps are thinned for drawing, not from the history).
 */
const DRAWN_STEPS = 1500;
const DRAWN_POINTS = 20_000;
/** A chart redraws at most this often while data streams in (ms)… */
const REDRAW_EVERY_MS = 300;
/** …and waits at least this many times its last drawing's length: the page's charts together draw a small share of the time. */
const REDRAW_SHARE = 12;

/** Draws a spec's chart; `legendLeftOut` hears, at each rebuild, how many layer lines a hidden legend would have named (0: shown). */
function useChart(spec: ChartSpec, view: View, legendLeftOut: (layers: number) => void) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = container.current!;
    let plot: uPlot | null = null;
    let key = '';
    let timer = 0;
    let drawnAt = 0;
    let drawMs = 0;
    const draw = () => {
      const started = performance.now();
      const series = metrics.drawn(Math.max(150, Math.min(DRAWN_STEPS, Math.floor(DRAWN_POINTS / (1 + metrics.gradNorms.length)))));
      const width = Math.max(240, target.clientWidth);
      const nextKey = spec.key(series);
      const data = spec.data(series);
      if (!plot || nextKey !== key) {
        plot?.destroy();
        key = nextKey;
        let options = withLatestLegend(spec.options(series, width, view));
        if (spec.references) {
          options = withReferenceRanges(options, view.references, spec.references, view.fixedAxes ? heldRanges(spec) : null);
          options = { ...options, plugins: [...(options.plugins ?? []), referencePlugin(view.references, spec.references)] };
        }
        plot = new uPlot(options, data, target);
        legendLeftOut(options.legend?.show === false && spec.perLayer ? series.gradNorms.length : 0);
      } else {
        plot.setData(data);
      }
      drawnAt = performance.now();
      drawMs = drawnAt - started;
    };
    const schedule = () => {
      if (timer) return;
      const wait = drawnAt + Math.max(REDRAW_EVERY_MS, REDRAW_SHARE * drawMs) - performance.now();
      // each chart in a task of its own (not one animation frame for all): no long task on a deep model
      timer = window.setTimeout(
        () => {
          timer = 0;
          draw();
        },
        Math.max(0, wait),
      );
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
      if (timer) clearTimeout(timer);
      plot?.destroy();
    };
  }, [spec, view, legendLeftOut]);
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
    link.download = `${label.toLowerCase().replace(/[\s/\\:*?"<>|]+/g, '-')}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }, 'image/png');
}

type ChartText = Strings['charts']['loss' | 'weights' | 'gradients' | 'profile' | 'ratio'];

function Chart({ text, spec }: { text: (t: Strings) => ChartText; spec: ChartSpec }) {
  const t = useStrings();
  const { title: label, explain } = text(t);
  const logSteps = useStore((s) => s.logSteps);
  const fixedAxes = useStore((s) => s.fixedAxes);
  const references = useStore((s) => s.references);
  const view = useMemo(() => ({ t, logSteps, fixedAxes, references }), [t, logSteps, fixedAxes, references]);
  if (!fixedAxes) held.delete(spec);
  // the note says what the legend leaves out, decided where the legend is (the history's layer count)
  const [leftOut, setLeftOut] = useState(0);
  const ref = useChart(spec, view, setLeftOut);
  return (
    <figure className="chart">
      <figcaption>
        {label}
        <button type="button" className="chart-action" onClick={() => downloadPng(ref.current, label)} aria-label={t.charts.pngLabel(label)}>
          {t.charts.png}
        </button>
      </figcaption>
      <details className="explain">
        <summary>{t.charts.whatIsThis}</summary>
        <p>{explain}</p>
      </details>
      <div ref={ref} role="img" aria-label={label} />
      {leftOut > 0 && <p className="legend-note">{t.charts.legendHidden(leftOut)}</p>}
      {spec.references && references.length > 0 && (
        <ul className="reference-legend" aria-label={t.charts.referencesIn(label)}>
          {references.map((r) => (
            <li key={r.id}>
              <svg width="28" height="8" aria-hidden="true">
                <line x1="0" y1="4" x2="28" y2="4" stroke="#555" strokeOpacity="0.6" strokeWidth="2" strokeDasharray={referenceDash(r).join(' ')} />
              </svg>
              {t.charts.reference(r.id, r.origin, describeRun(t, r.settings))}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

export function LossChart() {
  return <Chart text={(t) => t.charts.loss} spec={lossSpec} />;
}

export function WeightNormsChart() {
  return <Chart text={(t) => t.charts.weights} spec={weightSpec} />;
}

export function GradientNormsChart() {
  return <Chart text={(t) => t.charts.gradients} spec={gradSpec} />;
}

/** Per layer, at the latest evaluation: ‖∂J/∂W‖, the activations' RMS going forward and ‖∂J/∂z‖ going backward. */
export function LayerProfileChart() {
  return <Chart text={(t) => t.charts.profile} spec={profileSpec} />;
}

/** Per layer and step, how large the update was next to the weights it changed. */
export function UpdateRatioChart() {
  return <Chart text={(t) => t.charts.ratio} spec={ratioSpec} />;
}
