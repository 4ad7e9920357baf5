// What a run is made of (training config, data set, backend choice) and its round trip through the URL hash.
import { ACTIVATIONS, DATASETS, type DatasetName, DEFAULT_CONFIG, INITIALIZERS, LIMITS, MODELS, type TrainConfig } from './config';
import { ConfigError, checkChoice, checkNumber } from './errors';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface RunConfig extends TrainConfig {
  dataset: DatasetName;
  /** Noise of the synthetic sets. */
  noise: number;
  backend: BackendChoice;
}

export const DEFAULT_RUN: RunConfig = {
  ...DEFAULT_CONFIG,
  depth: 1,
  dataset: 'fashion-mnist',
  noise: 0.1,
  backend: 'auto',
};

type Field = keyof RunConfig;

/** How each field is checked: one table for the controls, the hash and the worker. */
export const FIELD_RULES: Record<Field, (value: unknown) => unknown> = {
  model: (v) => checkChoice('Model', v, MODELS),
  depth: (v) => checkNumber('Hidden layers', v, LIMITS.depth.min, LIMITS.depth.max, { integer: true }),
  width: (v) => checkNumber('Width', v, LIMITS.width.min, LIMITS.width.max, { integer: true }),
  activation: (v) => checkChoice('Activation', v, ACTIVATIONS),
  init: (v) => checkChoice('Initializer', v, INITIALIZERS),
  sigma: (v) => checkNumber('σ', v, LIMITS.sigma.min, LIMITS.sigma.max, { minExclusive: true }),
  lambda: (v) => checkNumber('Weight decay λ', v, LIMITS.lambda.min, LIMITS.lambda.max),
  lr: (v) => checkNumber('Learning rate', v, LIMITS.lr.min, LIMITS.lr.max, { minExclusive: true }),
  batchSize: (v) => checkNumber('Batch size', v, LIMITS.batchSize.min, LIMITS.batchSize.max, { integer: true }),
  seed: (v) => checkNumber('Seed', v, LIMITS.seed.min, LIMITS.seed.max, { integer: true }),
  dataset: (v) => checkChoice('Dataset', v, DATASETS),
  noise: (v) => checkNumber('Noise', v, LIMITS.noise.min, LIMITS.noise.max),
  backend: (v) => checkChoice('Backend', v, BACKEND_CHOICES),
};

const NUMERIC: ReadonlySet<Field> = new Set(['depth', 'width', 'sigma', 'lambda', 'lr', 'batchSize', 'seed', 'noise']);

/** Parses a control's or the hash's text for `field`; throws ConfigError naming the field. */
export function parseField<F extends Field>(field: F, text: string): RunConfig[F] {
  const rule = FIELD_RULES[field];
  if (!NUMERIC.has(field)) return rule(text) as RunConfig[F];
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value)) {
    // let the rule word the message (it names the field and the range)
    try {
      rule(value);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(error.field, text, error.allowed);
      throw error;
    }
  }
  return rule(value) as RunConfig[F];
}

/** Which part of a run a change touches: what the worker must do about it. */
export type ChangeKind = 'hyper' | 'init' | 'rebuild' | 'none';

const HYPER: ReadonlySet<Field> = new Set(['lambda', 'lr', 'batchSize']);
const INIT: ReadonlySet<Field> = new Set(['init', 'sigma']);

export function classifyChange(before: RunConfig, after: RunConfig): ChangeKind {
  const changed = (Object.keys(after) as Field[]).filter((f) => before[f] !== after[f]);
  if (changed.length === 0) return 'none';
  if (changed.every((f) => HYPER.has(f))) return 'hyper';
  if (changed.every((f) => HYPER.has(f) || INIT.has(f))) return 'init';
  return 'rebuild';
}

const HASH_KEYS: Record<Field, string> = {
  model: 'model',
  depth: 'depth',
  width: 'width',
  activation: 'activation',
  init: 'init',
  sigma: 'sigma',
  lambda: 'lambda',
  lr: 'lr',
  batchSize: 'batch',
  seed: 'seed',
  dataset: 'dataset',
  noise: 'noise',
  backend: 'backend',
};

export function toHash(config: RunConfig): string {
  const params = new URLSearchParams();
  for (const [field, key] of Object.entries(HASH_KEYS) as [Field, string][]) params.set(key, String(config[field]));
  return `#${params.toString()}`;
}

export interface HashParse {
  config: RunConfig;
  /** One line per ignored entry: `depth=abc (Hidden layers "abc" is not allowed: …)`. */
  ignored: string[];
}

/** Reads a hash; unknown keys and invalid values are ignored (the default stays) and listed. */
export function fromHash(hash: string): HashParse {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const config: RunConfig = { ...DEFAULT_RUN };
  const ignored: string[] = [];
  const fieldByKey = new Map(Object.entries(HASH_KEYS).map(([field, key]) => [key, field as Field]));
  for (const [key, value] of params) {
    const field = fieldByKey.get(key);
    if (!field) {
      ignored.push(`${key}=${value} (unknown setting)`);
      continue;
    }
    try {
      (config as unknown as Record<string, unknown>)[field] = parseField(field, value);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      ignored.push(`${key}=${value} (${error.message})`);
    }
  }
  return { config, ignored };
}
