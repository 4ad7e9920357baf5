// Per-layer histograms of activations, weights and gradients (bins computed on the training backend), the share of saturated units, and the first layer's weights as images.
import { useEffect, useRef } from 'react';
import type { Histogram } from '../core/histogram';
import { flatRegion, type Inside, type LayerInside, saturatedShare } from '../core/inspection';
import { useStore } from '../store/store';
import { formatNumber, formatShare } from './format';
import { className, type Strings, useStrings } from './i18n';

const BAR = { width: 180, height: 56 };

type HistogramText = Strings['inside']['histograms'];

/**
 * One histogram as bars over its range, with its range, moments and any non-finite count written out.
 * The bars are drawn on a canvas: a deep model shows hundreds of histograms, and 32 SVG bars each
 * made every evaluation a long task of DOM updates.
 */
function MiniHistogram({ text, title, h, color, note }: { text: HistogramText; title: string; h: Histogram; color: string; note?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const bad = h.nan + h.positiveInfinity + h.negativeInfinity;
  const summary = `${text.summary(title, h.finite, formatNumber(h.lo), formatNumber(h.hi), formatNumber(h.mean), formatNumber(h.spread))}${bad ? `, ${text.notFinite(bad)}` : ''}${note ? `; ${note}` : ''}`;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const scale = devicePixelRatio;
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, BAR.width, BAR.height);
    const peak = Math.max(1, ...h.counts);
    const barWidth = BAR.width / h.counts.length;
    ctx.fillStyle = color;
    h.counts.forEach((count, b) => {
      const height = (count / peak) * (BAR.height - 2);
      ctx.fillRect(b * barWidth, BAR.height - height, Math.max(1, barWidth - 1), height);
    });
    if (h.lo < 0) {
      // zero sits in the middle of a range symmetric about it
      ctx.strokeStyle = '#c0c6d0';
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      ctx.moveTo(BAR.width / 2, 0);
      ctx.lineTo(BAR.width / 2, BAR.height);
      ctx.stroke();
    }
  }, [h, color]);
  return (
    <figure className="mini-histogram">
      <figcaption>{title}</figcaption>
      <canvas
        ref={canvas}
        width={BAR.width * devicePixelRatio}
        height={BAR.height * devicePixelRatio}
        style={{ width: BAR.width, height: BAR.height }}
        role="img"
        aria-label={summary}
      />
      <div className="histogram-range">
        <span>{formatNumber(h.lo)}</span>
        <span>{formatNumber(h.hi)}</span>
      </div>
      <p className="histogram-stats">
        μ {formatNumber(h.mean)} · σ {formatNumber(h.spread)}
        {bad > 0 && <strong> · {text.notFinite(bad)}</strong>}
        {note && <span className="histogram-note"> · {note}</span>}
      </p>
    </figure>
  );
}

/** Layers a panel shows at most: past it, the first and last SHOWN_AT_EACH_END (a 64-layer model's hundreds of histograms would make every evaluation a long task). */
const MOST_LAYERS_SHOWN = 12;
const SHOWN_AT_EACH_END = 4;

/** The layers a panel draws, of `count`. */
function shownLayers(count: number): number[] {
  const all = Array.from({ length: count }, (_, l) => l);
  return count <= MOST_LAYERS_SHOWN ? all : [...all.slice(0, SHOWN_AT_EACH_END), ...all.slice(-SHOWN_AT_EACH_END)];
}

function Panel({ label, caption, layers, children }: { label: string; caption: string; layers?: number; children?: React.ReactNode }) {
  const t = useStrings();
  return (
    <section className="chart histograms" aria-label={label}>
      <h2 className="panel-title">{label}</h2>
      <p className="caption">
        {caption}
        {layers !== undefined && layers > MOST_LAYERS_SHOWN && ` ${t.inside.histograms.leftOut(SHOWN_AT_EACH_END + 1, layers - SHOWN_AT_EACH_END, layers)}`}
      </p>
      <div className="histogram-grid">{children}</div>
    </section>
  );
}

const layerName = (text: HistogramText, inside: Inside, l: number) => (l === inside.layers.length - 1 ? text.outputLayer(l + 1) : text.layer(l + 1));

function useInside(): { inside: Inside | null; step: number | null; t: Strings } {
  const inside = useStore((s) => s.run.evaluation?.inside ?? null);
  const step = useStore((s) => s.run.evaluation?.step ?? null);
  return { inside, step, t: useStrings() };
}

export function ActivationHistograms() {
  const { inside, step, t } = useInside();
  const text = t.inside.histograms;
  if (!inside || step === null) return <Panel label={text.activations} caption={t.inside.trainFirst} />;
  const region = flatRegion(inside.activation);
  const flat = region ? (region.flatOutside ? text.saturatedCaption(region.text) : text.inactiveCaption(region.text)) : '';
  return (
    <Panel label={text.activations} caption={text.activationsCaption(step, inside.activation, flat)} layers={inside.layers.length}>
      {shownLayers(inside.layers.length).flatMap((l) => {
        const layer = inside.layers[l];
        const name = layerName(text, inside, l);
        const share = layer.h ? saturatedShare(inside.activation, layer.h) : null;
        const tiles = [<MiniHistogram key={`${name} z`} text={text} title={`${name} · ${layer.h ? 'z' : 'o'}`} h={layer.z} color="#7a94c7" />];
        if (layer.h) {
          const note = share === null ? undefined : region?.flatOutside ? text.saturated(formatShare(share)) : text.inactive(formatShare(share));
          tiles.push(<MiniHistogram key={`${name} h`} text={text} title={`${name} · h`} h={layer.h} color="#1f5fbf" note={note} />);
        }
        return tiles;
      })}
    </Panel>
  );
}

/** One histogram per layer of one quantity of it (W, ∂J/∂W), in a panel of its own. */
function PerLayerHistograms({
  label,
  caption,
  tile,
  color,
}: {
  label: (text: HistogramText) => string;
  caption: (text: HistogramText, step: number) => string;
  tile: (layer: LayerInside) => { what: string; h: Histogram; note?: string };
  color: string;
}) {
  const { inside, step, t } = useInside();
  const text = t.inside.histograms;
  if (!inside || step === null) return <Panel label={label(text)} caption={t.inside.trainFirst} />;
  return (
    <Panel label={label(text)} caption={caption(text, step)} layers={inside.layers.length}>
      {shownLayers(inside.layers.length).map((l) => {
        const { what, h, note } = tile(inside.layers[l]);
        const name = layerName(text, inside, l);
        return <MiniHistogram key={name} text={text} title={`${name} · ${what}`} h={h} color={color} note={note} />;
      })}
    </Panel>
  );
}

export function WeightHistograms() {
  return (
    <PerLayerHistograms
      label={(text) => text.weights}
      caption={(text, step) => text.weightsCaption(step)}
      tile={(layer) => ({ what: `W (${layer.fanOut} × ${layer.fanIn})`, h: layer.W })}
      color="#1f7a3a"
    />
  );
}

export function GradientHistograms() {
  return (
    <PerLayerHistograms
      label={(text) => text.gradients}
      caption={(text, step) => text.gradientsCaption(step)}
      tile={(layer) => ({ what: '∂J/∂W', h: layer.dW, note: `‖·‖ ${formatNumber(layer.dW.norm)}` })}
      color="#b35900"
    />
  );
}

/** A unit's incoming weights as a picture: red where a bright pixel raises the unit, blue where it lowers it, white near 0. */
function WeightImage({ weights, side, label }: { weights: Float32Array; side: number; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    let largest = 0;
    for (const w of weights) if (Number.isFinite(w)) largest = Math.max(largest, Math.abs(w));
    const image = ctx.createImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      const t = largest > 0 && Number.isFinite(weights[i]) ? weights[i] / largest : 0;
      const fade = Math.round(255 * (1 - Math.abs(t)));
      image.data.set(t >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }, [weights, side]);
  return <canvas ref={canvas} width={side} height={side} role="img" aria-label={label} />;
}

export function WeightImages() {
  const t = useStrings();
  const text = t.inside.images;
  const images = useStore((s) => s.run.evaluation?.weightImages ?? null);
  const model = useStore((s) => s.run.model);
  const step = useStore((s) => s.run.evaluation?.step ?? null);
  const softmax = (model?.shapes.length ?? 0) === 1;
  return (
    <section className="chart weight-images" aria-label={text.region}>
      <h2 className="panel-title">{text.region}</h2>
      {!images || !model?.imageSide || step === null ? (
        <p>{text.none}</p>
      ) : (
        <>
          <p className="caption">{softmax ? text.softmax(step) : text.units(step, images.length)}</p>
          <ul className="weight-image-list">
            {images.map((weights, j) => {
              const name = softmax ? className(t, model.classNames, model.datasetName, j) : text.unit(j + 1);
              return (
                <li key={name}>
                  <WeightImage weights={weights} side={model.imageSide!} label={text.of(name)} />
                  <span>{name}</span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
