// The training configuration: its fields, their limits and defaults, and one validator for all.
import { ConfigError, checkChoice, checkNumber } from './errors';

export const MODELS = ['softmax', 'mlp'] as const;
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'identity'] as const;
export const INITIALIZERS = ['mxnet-default', 'xavier-uniform', 'normal', 'he-normal', 'zeros'] as const;
export const DATASETS = ['fashion-mnist', 'spiral', 'blobs', 'circles', 'xor'] as const;

export type ModelKind = (typeof MODELS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
export type Initializer = (typeof INITIALIZERS)[number];
export type DatasetName = (typeof DATASETS)[number];

/** Limits every entry point (CLI, UI, worker) checks against. */
export const LIMITS = {
  depth: { min: 1, max: 64 },
  width: { min: 1, max: 1024 },
  batchSize: { min: 1, max: 4096 },
  lambda: { min: 0, max: 100 },
  lr: { min: 0, max: 100 },
  sigma: { min: 0, max: 100 },
  seed: { min: 0, max: 4294967295 },
  noise: { min: 0, max: 10 },
} as const;

/** What shapes the model: changing any of these rebuilds it. */
export interface ModelConfig {
  model: ModelKind;
  /** Hidden layers; ignored (0) for softmax regression. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
  activation: Activation;
}

/** What the optimiser uses: each may change between two steps. */
export interface HyperParams {
  /** L2 weight decay λ on weights (not biases). */
  lambda: number;
  /** SGD learning rate η. */
  lr: number;
  batchSize: number;
}

export interface InitConfig {
  init: Initializer;
  /** Standard deviation for the `normal` initialiser. */
  sigma: number;
}

export interface TrainConfig extends ModelConfig, HyperParams, InitConfig {
  seed: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  model: 'mlp',
  depth: 1,
  width: 256,
  activation: 'relu',
  init: 'normal',
  sigma: 0.01,
  lambda: 0,
  lr: 0.1,
  batchSize: 256,
  seed: 0,
};

/** Hidden layer widths of the model: [] for softmax regression. */
export function hiddenWidths(config: ModelConfig): number[] {
  return config.model === 'softmax' ? [] : new Array<number>(config.depth).fill(config.width);
}

export function validateHyperParams(h: HyperParams): HyperParams {
  checkNumber('lambda', h.lambda, LIMITS.lambda.min, LIMITS.lambda.max);
  checkNumber('lr', h.lr, LIMITS.lr.min, LIMITS.lr.max, { minExclusive: true });
  checkNumber('batchSize', h.batchSize, LIMITS.batchSize.min, LIMITS.batchSize.max, { integer: true });
  return h;
}

export function validateInit(c: InitConfig): InitConfig {
  checkChoice('init', c.init, INITIALIZERS);
  checkNumber('sigma', c.sigma, LIMITS.sigma.min, LIMITS.sigma.max, { minExclusive: true });
  return c;
}

export function validateModel(c: ModelConfig): ModelConfig {
  checkChoice('model', c.model, MODELS);
  checkChoice('activation', c.activation, ACTIVATIONS);
  checkNumber('width', c.width, LIMITS.width.min, LIMITS.width.max, { integer: true });
  if (c.model === 'mlp') {
    checkNumber('depth', c.depth, LIMITS.depth.min, LIMITS.depth.max, { integer: true });
  }
  return c;
}

/** Checks every field; throws a ConfigError naming the first bad one. */
export function validateConfig(c: TrainConfig): TrainConfig {
  validateModel(c);
  validateHyperParams(c);
  validateInit(c);
  checkNumber('seed', c.seed, LIMITS.seed.min, LIMITS.seed.max, { integer: true });
  return c;
}

export { ConfigError };
