// The settings table: every setting of a run declared once (type, range or choices, default, label, hash key, CLI flag and help, live effect).
//
// Validation, the URL hash, `npm run train`'s flags and --help, and the page's controls are all
// derived from SETTINGS. A new setting is one entry here plus the code that uses its value.
import { checkChoice, checkNumber, describeRange, parseNumber } from './errors';

export const MODELS = ['softmax', 'mlp'] as const;
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'identity'] as const;
export const INITIALIZERS = ['mxnet-default', 'xavier-uniform', 'normal', 'he-normal', 'zeros', 'constant'] as const;
export const DATASETS = ['fashion-mnist', 'spiral', 'blobs', 'circles', 'xor'] as const;
export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const;

export type ModelKind = (typeof MODELS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
export type Initializer = (typeof INITIALIZERS)[number];
export type DatasetName = (typeof DATASETS)[number];
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * What a change made while training runs does: takes effect on the next step, re-draws the
 * weights (training goes on), or rebuilds the model (and the backend, for `backend`).
 */
export type Effect = 'next-step' | 're-initialise' | 'rebuild';

/** The fieldset of the page's controls a setting sits in. */
export type Group = 'model' | 'initialisation' | 'optimisation' | 'data';

interface Common {
  /** The page's label, and the setting's name in the page's messages. */
  label: string;
  group: Group;
  /** Key in the URL hash. */
  hash: string;
  /** `npm run train`'s flag, its help, and where the CLI differs from the page (its default, its choices). */
  cli: { flag: string; help: string; default?: number | string; choices?: readonly string[] };
  effect: Effect;
  /** The setting means something only while another one has this value (the control is disabled otherwise). */
  appliesWhen?: { setting: string; is: string } | { setting: string; isNot: string };
}

export interface NumberSetting extends Common {
  kind: 'number' | 'integer';
  min: number;
  max: number;
  /** The minimum itself is not allowed (a learning rate of 0). */
  minExclusive?: boolean;
  default: number;
}

export interface ChoiceSetting<T extends string = string> extends Common {
  kind: 'choice';
  choices: readonly T[];
  /** What the page shows for each choice. */
  choiceLabels: Record<T, string>;
  default: T;
}

export type Setting = NumberSetting | ChoiceSetting;

const choice = <T extends string>(s: Omit<ChoiceSetting<T>, 'kind'>): ChoiceSetting<T> => ({ kind: 'choice', ...s });
const integer = (s: Omit<NumberSetting, 'kind'>): NumberSetting => ({ kind: 'integer', ...s });
const number = (s: Omit<NumberSetting, 'kind'>): NumberSetting => ({ kind: 'number', ...s });

/** Hidden-layer settings mean nothing for softmax regression (the CLI refuses their flags there). */
const MLP_ONLY = { setting: 'model', is: 'mlp' } as const;

export const SETTINGS = {
  model: choice({
    choices: MODELS,
    choiceLabels: { softmax: 'Softmax regression', mlp: 'MLP' },
    default: 'mlp',
    label: 'Model',
    group: 'model',
    hash: 'model',
    cli: { flag: 'model', default: 'softmax', help: 'softmax regression or a multilayer perceptron' },
    effect: 'rebuild',
  }),
  depth: integer({
    min: 1,
    max: 64,
    default: 1,
    label: 'Hidden layers',
    group: 'model',
    hash: 'depth',
    cli: { flag: 'depth', help: 'hidden layers (mlp)' },
    effect: 'rebuild',
    appliesWhen: MLP_ONLY,
  }),
  width: integer({
    min: 1,
    max: 1024,
    default: 256,
    label: 'Width',
    group: 'model',
    hash: 'width',
    cli: { flag: 'hidden', help: 'units per hidden layer (mlp)' },
    effect: 'rebuild',
    appliesWhen: MLP_ONLY,
  }),
  activation: choice({
    choices: ACTIVATIONS,
    choiceLabels: { relu: 'ReLU', sigmoid: 'sigmoid', tanh: 'tanh', identity: 'identity' },
    default: 'relu',
    label: 'Activation',
    group: 'model',
    hash: 'activation',
    cli: { flag: 'activation', help: 'hidden-layer activation (mlp)' },
    effect: 'rebuild',
    appliesWhen: MLP_ONLY,
  }),
  init: choice({
    choices: INITIALIZERS,
    choiceLabels: {
      'mxnet-default': 'MXNet default U(±0.07)',
      'xavier-uniform': 'Xavier uniform',
      normal: 'Normal',
      'he-normal': 'He normal',
      zeros: 'Zeros',
      constant: 'Constant',
    },
    default: 'normal',
    label: 'Initializer',
    group: 'initialisation',
    hash: 'init',
    cli: { flag: 'init', help: 'weight initialiser' },
    effect: 're-initialise',
  }),
  sigma: number({
    min: 0,
    max: 100,
    minExclusive: true,
    default: 0.01,
    label: 'σ',
    group: 'initialisation',
    hash: 'sigma',
    cli: { flag: 'sigma', help: 'standard deviation for --init normal' },
    effect: 're-initialise',
    appliesWhen: { setting: 'init', is: 'normal' },
  }),
  initValue: number({
    min: -10,
    max: 10,
    default: 0.5,
    label: 'Constant c',
    group: 'initialisation',
    hash: 'c',
    cli: { flag: 'init-value', help: 'every weight for --init constant' },
    effect: 're-initialise',
    appliesWhen: { setting: 'init', is: 'constant' },
  }),
  lambda: number({
    min: 0,
    max: 100,
    default: 0,
    label: 'Weight decay λ',
    group: 'optimisation',
    hash: 'lambda',
    cli: { flag: 'lambda', help: 'L2 weight decay λ on weights' },
    effect: 'next-step',
  }),
  lr: number({
    min: 0,
    max: 100,
    minExclusive: true,
    default: 0.1,
    label: 'Learning rate',
    group: 'optimisation',
    hash: 'lr',
    cli: { flag: 'lr', help: 'SGD learning rate' },
    effect: 'next-step',
  }),
  batchSize: integer({
    min: 1,
    max: 4096,
    default: 256,
    label: 'Batch size',
    group: 'optimisation',
    hash: 'batch',
    cli: { flag: 'batch', help: 'minibatch size' },
    effect: 'next-step',
  }),
  dataset: choice({
    choices: DATASETS,
    choiceLabels: { 'fashion-mnist': 'Fashion-MNIST', spiral: 'Spiral', blobs: 'Blobs', circles: 'Circles', xor: 'XOR' },
    default: 'fashion-mnist',
    label: 'Dataset',
    group: 'data',
    hash: 'dataset',
    cli: { flag: 'dataset', help: 'training data' },
    effect: 'rebuild',
  }),
  trainExamples: integer({
    min: 10,
    max: 60000,
    default: 60000,
    label: 'Training examples',
    group: 'data',
    hash: 'examples',
    cli: { flag: 'examples', help: 'training examples, a subset balanced by class and fixed by the seed (at most the set has)' },
    effect: 'rebuild',
  }),
  noise: number({
    min: 0,
    max: 10,
    default: 0.1,
    label: 'Noise',
    group: 'data',
    hash: 'noise',
    cli: { flag: 'noise', help: 'noise of the synthetic data sets' },
    effect: 'rebuild',
    appliesWhen: { setting: 'dataset', isNot: 'fashion-mnist' },
  }),
  backend: choice({
    choices: BACKEND_CHOICES,
    choiceLabels: { auto: 'Auto', webgpu: 'WebGPU', cpu: 'CPU' },
    default: 'auto',
    label: 'Backend',
    group: 'data',
    hash: 'backend',
    cli: { flag: 'backend', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'where the maths runs' },
    effect: 'rebuild',
  }),
  seed: integer({
    min: 0,
    max: 4294967295,
    default: 0,
    label: 'Seed',
    group: 'data',
    hash: 'seed',
    cli: { flag: 'seed', help: 'seed of the one PRNG (init, shuffle, data)' },
    effect: 'rebuild',
  }),
};

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

type ValueOf<S> = S extends ChoiceSetting<infer T> ? T : number;

/** A run: one value per setting. */
export type RunConfig = { [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

/** The settings that shape the model: changing any of these rebuilds it. */
export const MODEL_SETTINGS = ['model', 'depth', 'width', 'activation'] as const satisfies readonly SettingName[];
/** The optimiser's settings: each takes effect on the next step (effect 'next-step'). */
export const HYPER_SETTINGS = ['lambda', 'lr', 'batchSize'] as const satisfies readonly SettingName[];
/** How the weights are drawn (effect 're-initialise'). */
export const INIT_SETTINGS = ['init', 'sigma', 'initValue'] as const satisfies readonly SettingName[];
/** What the trainer needs; the rest (data set, noise, backend) is the session's. */
export const TRAIN_SETTINGS = [...MODEL_SETTINGS, ...HYPER_SETTINGS, ...INIT_SETTINGS, 'seed'] as const;

export type ModelConfig = Pick<RunConfig, (typeof MODEL_SETTINGS)[number]>;
export type HyperParams = Pick<RunConfig, (typeof HYPER_SETTINGS)[number]>;
export type InitConfig = Pick<RunConfig, (typeof INIT_SETTINGS)[number]>;
export type TrainConfig = Pick<RunConfig, (typeof TRAIN_SETTINGS)[number]>;

export const DEFAULT_RUN = Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].default])) as RunConfig;

/** The trainer's part of the defaults: the book's (weights N(0, 0.01²), batch 256, λ = 0, seed 0). */
export const DEFAULT_CONFIG: TrainConfig = pick(DEFAULT_RUN, TRAIN_SETTINGS);

/** Hidden layer widths of the model: [] for softmax regression. */
export function hiddenWidths(config: ModelConfig): number[] {
  return config.model === 'softmax' ? [] : new Array<number>(config.depth).fill(config.width);
}

/** How a message names a setting: by its key (the core), its label (the page) or its flag (the CLI). */
export type Naming = 'key' | 'label' | 'flag';

export function nameOf(name: SettingName, naming: Naming): string {
  if (naming === 'label') return SETTINGS[name].label;
  if (naming === 'flag') return `--${SETTINGS[name].cli.flag}`;
  return name;
}

/** The range a number setting allows, in words: `a number above 0 to 100`. */
export function settingRange(s: Pick<NumberSetting, 'kind' | 'min' | 'max' | 'minExclusive'>): string {
  return describeRange(s.min, s.max, rangeOptions(s));
}

/** A number setting's kind and open end, as checkNumber and parseNumber take them. */
function rangeOptions(s: Pick<NumberSetting, 'kind' | 'minExclusive'>): { integer: boolean; minExclusive?: boolean } {
  return { integer: s.kind === 'integer', minExclusive: s.minExclusive };
}

/** Checks one value; throws a ConfigError naming the setting, the value and what is allowed. */
export function checkSetting<K extends SettingName>(name: K, value: unknown, naming: Naming = 'key', choices?: readonly string[]): RunConfig[K] {
  const s: Setting = SETTINGS[name];
  const called = nameOf(name, naming);
  if (s.kind === 'choice') return checkChoice(called, value, choices ?? s.choices) as RunConfig[K];
  return checkNumber(called, value, s.min, s.max, rangeOptions(s)) as RunConfig[K];
}

/**
 * Parses a control's, the hash's or a flag's text; throws a ConfigError naming the setting. Numbers
 * must be written in the one grammar (DECIMAL in errors.ts): `0x10`, `+5`, `Infinity` are refused.
 */
export function parseSetting<K extends SettingName>(name: K, text: string, naming: Naming = 'label', choices?: readonly string[]): RunConfig[K] {
  const s: Setting = SETTINGS[name];
  if (s.kind === 'choice') return checkSetting(name, text, naming, choices);
  return parseNumber(nameOf(name, naming), text, s.min, s.max, rangeOptions(s)) as RunConfig[K];
}

/**
 * Checks every setting `config` has, except those that mean nothing there (the depth of softmax
 * regression, σ of another initialiser); throws for the first bad one. Returns the config.
 */
export function checkSettings<C extends Partial<RunConfig>>(config: C, naming: Naming = 'key'): C {
  for (const name of SETTING_NAMES) {
    if (Object.hasOwn(config, name) && applies(name, config)) checkSetting(name, config[name], naming);
  }
  return config;
}

/** Whether `name` means something in `config` (its control is enabled); a rule on a setting `config` lacks holds. */
export function applies(name: SettingName, config: Partial<RunConfig>): boolean {
  const rule = SETTINGS[name].appliesWhen;
  if (!rule || !Object.hasOwn(config, rule.setting)) return true;
  const value = config[rule.setting as SettingName];
  return 'is' in rule ? value === rule.is : value !== rule.isNot;
}

/** The named fields of a configuration. */
export function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}
