// Per-layer histograms of activations, weights and gradients (bins computed on the training backend), the share of saturated units, and the first layer's weights as images.
import { useEffect, useRef } from 'react';
import type { Histogram } from '../core/histogram';
import { flatRegion, type Inside, saturatedShare } from '../core/inspection';
import { useStore } from '../store/store';
import { formatNumber, formatShare } from './format';

const BAR = { width: 180, height: 56 };

/** One histogram as bars over its range, with its range, moments and any non-finite count written out. */
function MiniHistogram({ title, h, color, note }: { title: string; h: Histogram; color: string; note?: string }) {
  const peak = Math.max(1, ...h.counts);
  const barWidth = BAR.width / h.counts.length;
  const bad = h.nan + h.positiveInfinity + h.negativeInfinity;
  const summary = `${title}: ${h.finite} values over [${formatNumber(h.lo)}, ${formatNumber(h.hi)}), mean ${formatNumber(h.mean)}, spread ${formatNumber(h.spread)}${bad ? `, ${bad} not finite` : ''}${note ? `; ${note}` : ''}`;
  return (
    <figure className="mini-histogram">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${BAR.width} ${BAR.height}`} width={BAR.width} height={BAR.height} role="img" aria-label={summary}>
        {h.counts.map((count, b) => {
          const height = (count / peak) * (BAR.height - 2);
          // biome-ignore lint/suspicious/noArrayIndexKey: bins are positions
          return <rect key={b} x={b * barWidth} y={BAR.height - height} width={Math.max(1, barWidth - 1)} height={height} fill={color} />;
        })}
        {h.lo < 0 && <line x1={BAR.width / 2} x2={BAR.width / 2} y1={0} y2={BAR.height} className="zero-line" />}
      </svg>
      <div className="histogram-range">
        <span>{formatNumber(h.lo)}</span>
        <span>{formatNumber(h.hi)}</span>
      </div>
      <p className="histogram-stats">
        μ {formatNumber(h.mean)} · σ {formatNumber(h.spread)}
        {bad > 0 && <strong> · {bad} not finite</strong>}
        {note && <span className="histogram-note"> · {note}</span>}
      </p>
    </figure>
  );
}

function Panel({ label, caption, children }: { label: string; caption: string; children?: React.ReactNode }) {
  return (
    <section className="chart histograms" aria-label={label}>
      <h2 className="panel-title">{label}</h2>
      <p className="caption">{caption}</p>
      <div className="histogram-grid">{children}</div>
    </section>
  );
}

const layerName = (inside: Inside, l: number) => (l === inside.layers.length - 1 ? `output layer ${l + 1}` : `layer ${l + 1}`);

function useInside(): { inside: Inside | null; step: number | null } {
  const inside = useStore((s) => s.run.evaluation?.inside ?? null);
  const step = useStore((s) => s.run.evaluation?.step ?? null);
  return { inside, step };
}

export function ActivationHistograms() {
  const { inside, step } = useInside();
  if (!inside) return <Panel label="Activation histograms" caption="Train a step to see them." />;
  const region = flatRegion(inside.activation);
  const flatText = region ? `${region.text}, where φ′ is below a tenth of its peak` : null;
  return (
    <Panel
      label="Activation histograms"
      caption={`Step ${step}: pre-activations z and activations h = ${inside.activation}(z) over the batch, per hidden layer (and the logits o). ${
        flatText
          ? `${region?.flatOutside ? 'Saturated' : 'Inactive'}: the share of h in φ's flat region (${flatText}); such a unit passes ${region?.flatOutside ? 'almost ' : ''}no gradient back.`
          : ''
      }`}
    >
      {inside.layers.flatMap((layer, l) => {
        const name = layerName(inside, l);
        const share = layer.h ? saturatedShare(inside.activation, layer.h) : null;
        const tiles = [<MiniHistogram key={`${name} z`} title={`${name} · ${layer.h ? 'z' : 'o'}`} h={layer.z} color="#7a94c7" />];
        if (layer.h) {
          tiles.push(
            <MiniHistogram
              key={`${name} h`}
              title={`${name} · h`}
              h={layer.h}
              color="#1f5fbf"
              note={share === null ? undefined : `${region?.flatOutside ? 'saturated' : 'inactive'} ${formatShare(share)}`}
            />,
          );
        }
        return tiles;
      })}
    </Panel>
  );
}

export function WeightHistograms() {
  const { inside, step } = useInside();
  if (!inside) return <Panel label="Weight histograms" caption="Train a step to see them." />;
  return (
    <Panel label="Weight histograms" caption={`Step ${step}: the entries of each W (biases left out), as the step read them.`}>
      {inside.layers.map((layer, l) => (
        <MiniHistogram key={layerName(inside, l)} title={`${layerName(inside, l)} · W (${layer.fanOut} × ${layer.fanIn})`} h={layer.W} color="#1f7a3a" />
      ))}
    </Panel>
  );
}

export function GradientHistograms() {
  const { inside, step } = useInside();
  if (!inside) return <Panel label="Gradient histograms" caption="Train a step to see them." />;
  return (
    <Panel
      label="Gradient histograms"
      caption={`Step ${step}: the entries of each ∂J/∂W = (∂J/∂z) hᵀ + λW. Vanishing gradients squeeze the early layers' range towards 0 (read the range under each); exploding ones stretch it.`}
    >
      {inside.layers.map((layer, l) => (
        <MiniHistogram
          key={layerName(inside, l)}
          title={`${layerName(inside, l)} · ∂J/∂W`}
          h={layer.dW}
          color="#b35900"
          note={`‖·‖ ${formatNumber(layer.dW.norm)}`}
        />
      ))}
    </Panel>
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
  const images = useStore((s) => s.run.evaluation?.weightImages ?? null);
  const model = useStore((s) => s.run.model);
  const step = useStore((s) => s.run.evaluation?.step ?? null);
  const softmax = (model?.shapes.length ?? 0) === 1;
  return (
    <section className="chart weight-images" aria-label="Weight images">
      <h2 className="panel-title">Weight images</h2>
      {!images || !model?.imageSide ? (
        <p>Weight images need an image data set (Fashion-MNIST): each first-layer unit's 784 weights are drawn as a 28 × 28 picture.</p>
      ) : (
        <>
          <p className="caption">
            After step {step}:{' '}
            {softmax ? 'what each class "looks for": its row of W' : `the first ${images.length} hidden units of layer 1: their rows of W⁽¹⁾`} as a picture, red
            where a bright pixel raises the score, blue where it lowers it (each scaled to its own largest |w|).
          </p>
          <ul className="weight-image-list">
            {images.map((weights, j) => {
              const name = softmax ? (model.classNames[j] ?? `class ${j}`) : `unit ${j + 1}`;
              return (
                <li key={name}>
                  <WeightImage weights={weights} side={model.imageSide!} label={`weights of ${name}`} />
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
