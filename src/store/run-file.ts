// run-file.ts: a run taken away and brought back: its settings and every recorded series as JSON (read back with checks that name what is wrong), and as CSV.
import { ConfigError } from '../core/errors';
import { checkSetting, type RunConfig, SETTING_NAMES, SETTINGS, type SettingName } from '../core/settings';
import type { MetricsBuffer } from './metrics-buffer';

export const RUN_FILE_FORMAT = 'gradient-lab-run';
export const RUN_FILE_VERSION = 1;

/** Every series the charts draw, one value per recorded step (null: not measured at that step, or a break between two models). */
export interface RunSeries {
  step: number[];
  loss: (number | null)[];
  l2: (number | null)[];
  trainLoss: (number | null)[];
  testLoss: (number | null)[];
  trainAccuracy: (number | null)[];
  testAccuracy: (number | null)[];
  /** Per layer, input layer first. */
  gradNorms: (number | null)[][];
  weightNorms: (number | null)[][];
  updateRatio: (number | null)[][];
}

export interface RunFile {
  format: typeof RUN_FILE_FORMAT;
  version: typeof RUN_FILE_VERSION;
  /** The run's settings, without the machine's backend choice. */
  settings: Omit<RunConfig, 'backend'>;
  experiment: string | null;
  series: RunSeries;
  markers: { step: number; label: string }[];
}

/** The most a run file may hold: steps, and layers (the deepest model here and its output layer). */
export const MAX_STEPS = 1_000_000;
export const MAX_LAYERS = SETTINGS.depth.max + 1;

const PER_STEP = ['loss', 'l2', 'trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy'] as const;
const PER_LAYER = ['gradNorms', 'weightNorms', 'updateRatio'] as const;

/** The recorded history as a run file (undefined, "not evaluated here", becomes null). */
export function runFile(config: RunConfig, experiment: string | null, buffer: MetricsBuffer): RunFile {
  const values = (series: readonly (number | null | undefined)[]) => series.map((v) => (v === undefined || v === null || !Number.isFinite(v) ? null : v));
  const { backend: _backend, ...settings } = config;
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    settings,
    experiment,
    series: {
      step: [...buffer.steps],
      loss: values(buffer.loss),
      l2: values(buffer.l2),
      trainLoss: values(buffer.trainLoss),
      testLoss: values(buffer.testLoss),
      trainAccuracy: values(buffer.trainAcc),
      testAccuracy: values(buffer.testAcc),
      gradNorms: buffer.gradNorms.map(values),
      weightNorms: buffer.weightNorms.map(values),
      updateRatio: buffer.updateRatio.map(values),
    },
    markers: buffer.markers.map((m) => ({ ...m })),
  };
}

/**
 * What can be wrong with a run file, each in English (the page's other languages have the same
 * entries in their string tables). The paths name fields of the file: `series.loss`, `settings.lr`.
 */
export const RUN_FILE_PROBLEMS = {
  notJson: (detail: string) => `the file is not JSON (${detail}); it may be truncated`,
  notObject: () => 'the file is JSON but not a Gradient Lab run (no object at its top)',
  format: (found: string, expected: string) => `format is ${found}, not "${expected}": not a Gradient Lab run`,
  version: (found: string, expected: number) => `version ${found} is not ${expected}, the version this page reads`,
  missing: (what: string) => `${what} are missing`,
  settingMissing: (path: string, label: string) => `${path} (${label}) is missing`,
  setting: (name: string, text: string, allowed: string) => `settings: ${name} ${text} is not allowed: ${allowed}`,
  unknownSettings: (names: string) => `settings has unknown entries: ${names}`,
  experiment: () => 'experiment is not a name',
  notNumbers: (path: string) => `${path} is not a list of numbers`,
  length: (path: string, found: number, steps: number) => `${path} has ${found} values for ${steps} steps`,
  notFinite: (path: string, found: string, nullable: boolean) => `${path} is ${found}, not a finite number${nullable ? ' or null' : ''}`,
  tooManySteps: (found: number, most: number) => `series.step has ${found} steps, more than the ${most} a run file may hold`,
  notStep: (path: string, found: number) => `${path} is ${found}, not a step (a whole number from 1, or a break at n + 0.5)`,
  notIncreasing: (at: number, before: number, after: number) => `series.step is not increasing at ${at} (${before}, ${after})`,
  notLayers: (path: string) => `${path} is not a list of layers`,
  tooManyLayers: (path: string, found: number, most: number) => `${path} has ${found} layers, more than a model here has (${most})`,
  layerCount: (path: string, found: number, expected: number) => `${path} has ${found} layers where series.gradNorms has ${expected}`,
  breakWithValues: (path: string, step: number) => `${path} is a break (${step}) but holds values`,
  markers: () => 'markers are not a list of { step, label }',
  tooLarge: (mebibytes: number, most: number) => `it is ${mebibytes} MiB, more than a run file's ${most} MiB`,
};

export type RunFileProblems = typeof RUN_FILE_PROBLEMS;
export type RunFileProblem = { [K in keyof RunFileProblems]: { code: K; args: Parameters<RunFileProblems[K]> } }[keyof RunFileProblems];

/** Thrown by readRunFile: what is wrong with the file (`problem`, for saying it in any language; the message is the English). */
export class RunFileError extends Error {
  readonly problem: RunFileProblem;
  constructor(problem: RunFileProblem) {
    super((RUN_FILE_PROBLEMS[problem.code] as (...args: unknown[]) => string)(...problem.args));
    this.problem = problem;
    this.name = 'RunFileError';
  }
}

/** A RunFileError for `code` with its arguments. */
export function runFileProblem<K extends keyof RunFileProblems>(code: K, ...args: Parameters<RunFileProblems[K]>): RunFileError {
  return new RunFileError({ code, args } as RunFileProblem);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberArray(value: unknown, what: string, length: number | null, nullable: boolean): (number | null)[] {
  if (!Array.isArray(value)) throw runFileProblem('notNumbers', what);
  if (length !== null && value.length !== length) throw runFileProblem('length', what, value.length, length);
  value.forEach((v, i) => {
    const ok = (nullable && v === null) || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw runFileProblem('notFinite', `${what}[${i}]`, JSON.stringify(v), nullable);
  });
  return value as (number | null)[];
}

/**
 * Reads a run file's text; throws a RunFileError that names what is wrong (not JSON, another
 * format, a newer version, a setting out of range, series of the wrong length, …).
 */
export function readRunFile(text: string): RunFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw runFileProblem('notJson', (error as Error).message);
  }
  if (!isObject(data)) throw runFileProblem('notObject');
  if (data.format !== RUN_FILE_FORMAT) throw runFileProblem('format', JSON.stringify(data.format ?? null), RUN_FILE_FORMAT);
  if (data.version !== RUN_FILE_VERSION) throw runFileProblem('version', JSON.stringify(data.version ?? null), RUN_FILE_VERSION);
  if (!isObject(data.settings)) throw runFileProblem('missing', 'settings');
  const settings: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    if (name === 'backend') continue;
    if (!Object.hasOwn(data.settings, name)) throw runFileProblem('settingMissing', `settings.${name}`, SETTINGS[name].label);
    try {
      settings[name] = checkSetting(name as SettingName, data.settings[name], 'key');
    } catch (error) {
      if (error instanceof ConfigError) throw runFileProblem('setting', name, JSON.stringify(data.settings[name]), error.allowed);
      throw error;
    }
  }
  const unknown = Object.keys(data.settings).filter((k) => !SETTING_NAMES.includes(k as SettingName) || k === 'backend');
  if (unknown.length > 0) throw runFileProblem('unknownSettings', unknown.join(', '));
  const experiment = data.experiment ?? null;
  if (experiment !== null && typeof experiment !== 'string') throw runFileProblem('experiment');
  if (!isObject(data.series)) throw runFileProblem('missing', 'series');
  const series = data.series;
  const step = numberArray(series.step, 'series.step', null, false) as number[];
  if (step.length > MAX_STEPS) throw runFileProblem('tooManySteps', step.length, MAX_STEPS);
  for (const [i, v] of step.entries()) {
    // a recorded step is a whole number from 1; a break between two models' weights sits half-way
    if (!(v >= 1 && Number.isInteger(2 * v))) throw runFileProblem('notStep', `series.step[${i}]`, v);
    if (i > 0 && !(v > step[i - 1])) throw runFileProblem('notIncreasing', i, step[i - 1], v);
  }
  const read: Partial<RunSeries> = { step };
  for (const key of PER_STEP) read[key] = numberArray(series[key], `series.${key}`, step.length, true);
  let layerCount: number | null = null;
  for (const key of PER_LAYER) {
    const layers = series[key];
    if (!Array.isArray(layers)) throw runFileProblem('notLayers', `series.${key}`);
    if (layers.length > MAX_LAYERS) throw runFileProblem('tooManyLayers', `series.${key}`, layers.length, MAX_LAYERS);
    if (layerCount !== null && layers.length !== layerCount) throw runFileProblem('layerCount', `series.${key}`, layers.length, layerCount);
    layerCount = layers.length;
    read[key] = layers.map((layer, l) => numberArray(layer, `series.${key}[${l}]`, step.length, true));
  }
  for (const [i, v] of step.entries()) {
    if (Number.isInteger(v)) continue;
    const values = [...PER_STEP.map((key) => read[key]![i]), ...PER_LAYER.flatMap((key) => read[key]!.map((layer) => layer[i]))];
    if (values.some((x) => x !== null)) throw runFileProblem('breakWithValues', `series.step[${i}]`, v);
  }
  const markers = data.markers ?? [];
  if (!Array.isArray(markers) || !markers.every((m) => isObject(m) && typeof m.step === 'number' && typeof m.label === 'string')) {
    throw runFileProblem('markers');
  }
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    settings: settings as RunFile['settings'],
    experiment,
    series: read as RunSeries,
    markers: markers as RunFile['markers'],
  };
}

/** The run as CSV: a header, then one row per recorded step (the breaks between two models' weights are left out). */
export function runCsv(file: RunFile): string {
  const s = file.series;
  const layers = s.gradNorms.length;
  const header = [
    'step',
    'batch loss',
    'L2 term',
    'training-set loss',
    'test loss',
    'training-set accuracy',
    'test accuracy',
    ...Array.from({ length: layers }, (_, l) => `grad norm layer ${l + 1}`),
    ...Array.from({ length: layers }, (_, l) => `weight norm layer ${l + 1}`),
    ...Array.from({ length: layers }, (_, l) => `update ratio layer ${l + 1}`),
  ];
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  const rows = [header.join(',')];
  for (const [i, step] of s.step.entries()) {
    if (!Number.isInteger(step)) continue;
    const perStep = PER_STEP.map((key) => cell(s[key][i]));
    const perLayer = PER_LAYER.flatMap((key) => s[key].map((layer) => cell(layer[i])));
    rows.push([String(step), ...perStep, ...perLayer].join(','));
  }
  return `${rows.join('\n')}\n`;
}
