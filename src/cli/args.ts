// Command-line flags of `npm run train`: parsing and checking, with an error that names the flag, the value and what is allowed.
import { ACTIVATIONS, DATASETS, type DatasetName, DEFAULT_CONFIG, INITIALIZERS, LIMITS, MODELS, type TrainConfig, validateConfig } from '../core/config';
import { ConfigError, checkChoice, checkNumber } from '../core/errors';

export const BACKENDS = ['cpu', 'webgpu'] as const;

export interface CliOptions {
  config: TrainConfig;
  dataset: DatasetName;
  noise: number;
  epochs: number;
  /** Stop after this many steps in all (for short experiments); null runs every epoch. */
  steps: number | null;
  backend: (typeof BACKENDS)[number];
  help: boolean;
}

/** A bad flag or value: the CLI prints `message` and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Kind = 'choice' | 'number' | 'integer' | 'flag';

interface FlagSpec {
  kind: Kind;
  help: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  minExclusive?: boolean;
}

export const FLAGS: Record<string, FlagSpec> = {
  model: { kind: 'choice', choices: MODELS, help: 'softmax regression or a multilayer perceptron' },
  hidden: { kind: 'integer', ...LIMITS.width, help: 'units per hidden layer (mlp)' },
  depth: { kind: 'integer', ...LIMITS.depth, help: 'hidden layers (mlp)' },
  activation: { kind: 'choice', choices: ACTIVATIONS, help: 'hidden-layer activation (mlp)' },
  init: { kind: 'choice', choices: INITIALIZERS, help: 'weight initialiser' },
  sigma: { kind: 'number', ...LIMITS.sigma, minExclusive: true, help: 'standard deviation for --init normal' },
  lambda: { kind: 'number', ...LIMITS.lambda, help: 'L2 weight decay λ on weights' },
  lr: { kind: 'number', ...LIMITS.lr, minExclusive: true, help: 'SGD learning rate' },
  batch: { kind: 'integer', ...LIMITS.batchSize, help: 'minibatch size' },
  epochs: { kind: 'integer', min: 1, max: 1000, help: 'passes over the training set' },
  steps: { kind: 'integer', min: 1, max: 10_000_000, help: 'stop after this many steps' },
  seed: { kind: 'integer', ...LIMITS.seed, help: 'seed of the one PRNG (init, shuffle, data)' },
  dataset: { kind: 'choice', choices: DATASETS, help: 'training data' },
  noise: { kind: 'number', ...LIMITS.noise, help: 'noise of the synthetic data sets' },
  backend: { kind: 'choice', choices: BACKENDS, help: 'where the maths runs' },
  help: { kind: 'flag', help: 'print this help' },
};

export function usage(): string {
  const lines = Object.entries(FLAGS).map(([name, spec]) => {
    const values =
      spec.kind === 'choice'
        ? spec.choices!.join('|')
        : spec.kind === 'flag'
          ? ''
          : `${spec.kind === 'integer' ? 'integer' : 'number'} ${spec.minExclusive ? '>' : ''}${spec.min}..${spec.max}`;
    return `  --${name.padEnd(11)} ${values.padEnd(52)} ${spec.help}`;
  });
  return ['Usage: npm run train -- [flags]', ...lines].join('\n');
}

function parseValue(name: string, spec: FlagSpec, raw: string): string | number {
  const flag = `--${name}`;
  if (spec.kind === 'choice') return checkChoice(flag, raw, spec.choices!);
  const trimmed = raw.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value)) {
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not a number: must be ${describeRange(spec)}`);
  }
  return checkNumber(flag, value, spec.min!, spec.max!, { integer: spec.kind === 'integer', minExclusive: spec.minExclusive });
}

function describeRange(spec: FlagSpec): string {
  const kind = spec.kind === 'integer' ? 'an integer' : 'a number';
  return `${kind} ${spec.minExclusive ? 'above' : 'from'} ${spec.min} to ${spec.max}`;
}

/** Parses argv (without node and the script); throws UsageError for anything wrong. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const given = new Map<string, string | number>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: flags look like --lr 0.1`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = FLAGS[name];
    if (!spec)
      throw new UsageError(
        `unknown flag --${name}: allowed are ${Object.keys(FLAGS)
          .map((f) => `--${f}`)
          .join(', ')}`,
      );
    if (given.has(name)) throw new UsageError(`--${name} is given twice`);
    if (spec.kind === 'flag') {
      given.set(name, 1);
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value: ${spec.choices ? spec.choices.join(', ') : describeRange(spec)}`);
    try {
      given.set(name, parseValue(name, spec, raw));
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  return toOptions(given);
}

function toOptions(given: Map<string, string | number>): CliOptions {
  const get = <T extends string | number>(name: string, fallback: T): T => (given.get(name) as T | undefined) ?? fallback;
  const model = get('model', 'softmax') as TrainConfig['model'];
  if (model === 'softmax') {
    for (const name of ['depth', 'hidden', 'activation']) {
      if (given.has(name)) {
        throw new UsageError(`--${name} ${given.get(name)} is not allowed with --model softmax: it has no hidden layer (use --model mlp)`);
      }
    }
  }
  const config: TrainConfig = {
    model,
    depth: model === 'softmax' ? 0 : get('depth', 1),
    width: get('hidden', DEFAULT_CONFIG.width),
    activation: get('activation', DEFAULT_CONFIG.activation),
    init: get('init', DEFAULT_CONFIG.init),
    sigma: get('sigma', DEFAULT_CONFIG.sigma),
    lambda: get('lambda', DEFAULT_CONFIG.lambda),
    lr: get('lr', DEFAULT_CONFIG.lr),
    batchSize: get('batch', DEFAULT_CONFIG.batchSize),
    seed: get('seed', DEFAULT_CONFIG.seed),
  };
  try {
    validateConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  return {
    config,
    dataset: get('dataset', 'fashion-mnist'),
    noise: get('noise', 0.1),
    epochs: get('epochs', 5),
    steps: (given.get('steps') as number | undefined) ?? null,
    backend: get('backend', 'cpu'),
    help: given.has('help'),
  };
}
