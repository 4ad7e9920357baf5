// Command-line flags of `npm run train`, derived from the settings table, plus the run-length flags only the CLI has; errors name the flag.
import { ConfigError, decimalWords, parseDecimal, parseNumber } from '../core/errors';
import {
  checkSettings,
  type DatasetName,
  DEFAULT_RUN,
  type NumberSetting,
  parseSetting,
  type RunConfig,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  settingRange,
  TRAIN_SETTINGS,
  type TrainConfig,
} from '../core/settings';

export interface CliOptions {
  config: TrainConfig;
  dataset: DatasetName;
  noise: number;
  trainExamples: number;
  epochs: number;
  /** Stop after this many steps in all (for short experiments); null runs every epoch. */
  steps: number | null;
  backend: 'cpu' | 'webgpu';
  help: boolean;
}

/** A bad flag or value: the CLI prints `message` and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type RunFlag = Pick<NumberSetting, 'kind' | 'min' | 'max' | 'minExclusive'> & { help: string };

/**
 * Flags of the run's length and of the CLI itself: not settings of a run, so not in the table.
 * Every lookup by a flag's name goes through a Map: `--__proto__` or `--toString` is an unknown flag.
 */
const RUN_FLAGS = new Map<string, RunFlag>([
  ['epochs', { kind: 'integer', min: 1, max: 1000, minExclusive: false, help: 'passes over the training set' }],
  ['steps', { kind: 'integer', min: 1, max: 10_000_000, minExclusive: false, help: 'stop after this many steps' }],
]);

const SETTING_BY_FLAG = new Map(SETTING_NAMES.map((name) => [SETTINGS[name].cli.flag, name]));
const FLAG_NAMES = new Set([...SETTING_BY_FLAG.keys(), ...RUN_FLAGS.keys(), 'help']);

/** The values a setting's flag takes, in words for --help: `relu|sigmoid|…` or `number >0..100`. */
function flagValues(name: SettingName): string {
  const s = SETTINGS[name];
  if (s.kind === 'choice') return (s.cli.choices ?? s.choices).join('|');
  return rangeText(s);
}

function rangeText(s: Pick<NumberSetting, 'kind' | 'min' | 'max' | 'minExclusive'>): string {
  return `${s.kind === 'integer' ? 'integer' : 'number'} ${s.minExclusive ? '>' : ''}${s.min}..${s.max}`;
}

export function usage(): string {
  const line = (flag: string, values: string, help: string) => `  --${flag.padEnd(11)} ${values.padEnd(52)} ${help}`;
  return [
    'Usage: npm run train -- [flags]',
    ...SETTING_NAMES.map((name) => line(SETTINGS[name].cli.flag, flagValues(name), SETTINGS[name].cli.help)),
    ...[...RUN_FLAGS].map(([flag, spec]) => line(flag, rangeText(spec), spec.help)),
    line('help', '', 'print this help'),
  ].join('\n');
}

/** A setting's default on the command line (the CLI trains softmax regression on the CPU unless told). */
function cliDefault<K extends SettingName>(name: K): RunConfig[K] {
  return (SETTINGS[name].cli.default ?? DEFAULT_RUN[name]) as RunConfig[K];
}

/** A known flag's value (numbers in the one grammar of parseDecimal); throws UsageError or ConfigError naming the flag. */
function parseFlagValue(flag: string, raw: string): string | number {
  const setting = SETTING_BY_FLAG.get(flag);
  const run = RUN_FLAGS.get(flag);
  const spec = setting ? SETTINGS[setting] : run;
  if (spec && spec.kind !== 'choice' && parseDecimal(raw) === null) {
    throw new UsageError(
      `--${flag} ${JSON.stringify(raw)} is not a number: must be ${settingRange(spec)}, ${decimalWords({ integer: spec.kind === 'integer' })}`,
    );
  }
  if (setting) return parseSetting(setting, raw, 'flag', SETTINGS[setting].cli.choices);
  if (run) return parseNumber(`--${flag}`, raw, run.min, run.max, { integer: true });
  throw unknownFlag(flag);
}

function unknownFlag(flag: string): UsageError {
  return new UsageError(`unknown flag --${flag}: allowed are ${[...FLAG_NAMES].map((f) => `--${f}`).join(', ')}`);
}

/** What a flag that needs a value takes, for the message when it has none. */
function expected(flag: string): string {
  const setting = SETTING_BY_FLAG.get(flag);
  const spec = setting ? SETTINGS[setting] : RUN_FLAGS.get(flag);
  if (!spec) return '';
  return spec.kind === 'choice' ? (spec.cli.choices ?? spec.choices).join(', ') : settingRange(spec);
}

/** Parses argv (without node and the script); throws UsageError for anything wrong. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const given = new Map<string, string | number>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: flags look like --lr 0.1`);
    const eq = arg.indexOf('=');
    const flag = arg.slice(2, eq >= 0 ? eq : undefined);
    if (!FLAG_NAMES.has(flag)) throw unknownFlag(flag);
    if (given.has(flag)) throw new UsageError(`--${flag} is given twice`);
    if (flag === 'help') {
      given.set(flag, 1);
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`--${flag} needs a value: ${expected(flag)}`);
    try {
      given.set(flag, parseFlagValue(flag, raw));
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  return toOptions(given);
}

function toOptions(given: Map<string, string | number>): CliOptions {
  const value = <K extends SettingName>(name: K): RunConfig[K] => (given.get(SETTINGS[name].cli.flag) as RunConfig[K] | undefined) ?? cliDefault(name);
  const model = value('model');
  if (model === 'softmax') {
    for (const name of SETTING_NAMES) {
      const rule = SETTINGS[name].appliesWhen;
      const flag = SETTINGS[name].cli.flag;
      if (rule?.setting === 'model' && given.has(flag)) {
        throw new UsageError(`--${flag} ${given.get(flag)} is not allowed with --model softmax: it has no hidden layer (use --model mlp)`);
      }
    }
  }
  const config = Object.fromEntries(TRAIN_SETTINGS.map((name) => [name, value(name)])) as TrainConfig;
  if (model === 'softmax') config.depth = 0; // no hidden layer
  try {
    checkSettings(config, 'flag');
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  return {
    config,
    dataset: value('dataset'),
    noise: value('noise'),
    trainExamples: value('trainExamples'),
    epochs: (given.get('epochs') as number | undefined) ?? 5,
    steps: (given.get('steps') as number | undefined) ?? null,
    backend: value('backend') as CliOptions['backend'],
    help: given.has('help'),
  };
}
