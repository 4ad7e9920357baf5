// activations.ts: φ(z) and φ'(z) of each activation, in float64: the CPU backend's (and the host's) definition.
import type { Activation } from './settings';

/** φ'(z) from h = φ(z) alone (ReLU's z > 0 is h > 0): what the fused backward uses. */
export function derivativeFromOutput(kind: Activation, h: number): number {
  switch (kind) {
    case 'relu':
      return h > 0 ? 1 : 0;
    case 'sigmoid':
      return h * (1 - h);
    case 'tanh':
      return 1 - h * h;
    case 'identity':
      return 1;
  }
}

/** φ(z). */
export function activate(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu':
      // biome-ignore lint/complexity/useMathMinMax: a NaN z gives 0 here, as the book's max(z, 0) reads; Math.max would give NaN
      return z > 0 ? z : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
    case 'identity':
      return z;
  }
}
