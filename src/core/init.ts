// Weight initialisers (docs/mathematics.md): each returns a fan_in × fan_out matrix drawn from the run's PRNG.

import type { Rng } from './rng';
import type { InitConfig } from './settings';

/** MXNet's default: U(−0.07, 0.07), the chapter's baseline. */
export const MXNET_DEFAULT_RANGE = 0.07;

/** W (fanIn, fanOut), row-major. Biases always start at zero and are not made here. */
export function initWeights(config: InitConfig, fanIn: number, fanOut: number, rng: Rng): Float64Array {
  const { sigma } = config;
  const w = new Float64Array(fanIn * fanOut);
  switch (config.init) {
    case 'mxnet-default':
      for (let i = 0; i < w.length; i++) w[i] = rng.uniformIn(-MXNET_DEFAULT_RANGE, MXNET_DEFAULT_RANGE);
      break;
    case 'xavier-uniform': {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < w.length; i++) w[i] = rng.uniformIn(-a, a);
      break;
    }
    case 'normal':
      for (let i = 0; i < w.length; i++) w[i] = sigma * rng.normal();
      break;
    case 'he-normal': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
      break;
    }
    case 'zeros':
      break;
    case 'constant':
      // every weight c: the units of a layer start identical and, with equal gradients, stay so
      w.fill(config.initValue);
      break;
  }
  return w;
}
