// inspection.ts: what the page sees inside the network at the last training step: per layer a histogram of z, h, W and their gradients, and where a unit counts as saturated.
import { activate, derivativeFromOutput } from './activations';
import type { Histogram, SaturationRule } from './histogram';
import type { Activation } from './settings';

/**
 * The quantities of one layer l, in the order of its rows in the inspection tensor:
 * z = W h_prev + b (the output layer's is o), h = φ(z) (hidden layers), W, and ∂J/∂ of each.
 */
export const INSPECTED = ['z', 'h', 'W', 'dz', 'dh', 'dW'] as const;
export type Inspected = (typeof INSPECTED)[number];

/** One layer inside: histograms (with norms and moments) of what its forward and backward passes held. */
export type LayerInside = Record<'z' | 'W' | 'dz' | 'dW', Histogram> & {
  fanIn: number;
  fanOut: number;
  /** Hidden layers only. */
  h?: Histogram;
  /** ∂J/∂h: hidden layers only. */
  dh?: Histogram;
};

/** Everything seen inside at one training step, computed from the tensors it trained with. */
export interface Inside {
  /** Rows of the step's batch. */
  rows: number;
  /** The batch x: its shape and Frobenius norm. */
  input: { cols: number; norm: number };
  /** λ of the step (s = λ/2 Σ ‖W‖²). */
  lambda: number;
  /** φ of the hidden layers. */
  activation: Activation;
  layers: LayerInside[];
}

/** How the signal grows or shrinks through depth (the "Growth through depth" chart). */
export interface LayerSignals {
  /** RMS of h_l for hidden layers 1 … L. */
  activationRms: number[];
  /** ‖∂J/∂z_l‖_F for layers 1 … L + 1 (the output layer's is ∂J/∂o). */
  backwardNorm: number[];
}

export function signalsOf(inside: Pick<Inside, 'layers'>): LayerSignals {
  const hidden = inside.layers.filter((l) => l.h);
  return {
    activationRms: hidden.map((l) => (l.h!.finite > 0 ? l.h!.norm / Math.sqrt(l.h!.finite) : Number.NaN)),
    backwardNorm: inside.layers.map((l) => l.dz.norm),
  };
}

/**
 * Where φ is flat: φ'(z) below a tenth of its largest value. Sigmoid: h < 0.026 or h > 0.974
 * (|h − ½| > 0.474); tanh: |h| > 0.949; ReLU: h = 0 (no gradient passes). `flatOutside` says
 * whether the flat units are those with |h − center| > threshold (else those within it).
 */
export const FLAT_SHARE = 0.1;

export interface FlatRegion extends SaturationRule {
  flatOutside: boolean;
  /** The region in mathematics (written the same in every language). */
  text: string;
}

export function flatRegion(kind: Activation): FlatRegion | null {
  switch (kind) {
    case 'sigmoid': {
      // h(1 − h) < 0.1 · ¼  ⇔  (h − ½)² > ¼ − 0.025
      const threshold = Math.sqrt(0.25 - FLAT_SHARE * 0.25);
      return { center: 0.5, threshold, flatOutside: true, text: `h ∉ [${(0.5 - threshold).toFixed(3)}, ${(0.5 + threshold).toFixed(3)}]` };
    }
    case 'tanh': {
      // 1 − h² < 0.1
      const threshold = Math.sqrt(1 - FLAT_SHARE);
      return { center: 0, threshold, flatOutside: true, text: `|h| > ${threshold.toFixed(3)}` };
    }
    case 'relu':
      return { center: 0, threshold: 0, flatOutside: false, text: 'h = 0' };
    case 'identity':
      return null;
  }
}

/** The share of a hidden layer's finite activations in φ's flat region (null for the identity). */
export function saturatedShare(kind: Activation, h: Histogram): number | null {
  const region = flatRegion(kind);
  if (!region || h.finite === 0) return null;
  return (region.flatOutside ? h.saturated : h.finite - h.saturated) / h.finite;
}

/** φ'(z) where h sits on the edge of the flat region, over φ'’s peak: FLAT_SHARE, checked by the tests. */
export function flatEdgeRatio(kind: 'sigmoid' | 'tanh'): number {
  const region = flatRegion(kind)!;
  const h = region.center + region.threshold;
  const peak = derivativeFromOutput(kind, activate(kind, 0));
  return derivativeFromOutput(kind, h) / peak;
}
