// Every number a person types (a control, the URL hash, a flag of `npm run train`) read in one strict decimal grammar; property tests with fast-check, and the bad inputs by name.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args';
import { ConfigError, parseDecimal } from '../src/core/errors';
import { EXPERIMENTS } from '../src/core/experiments';
import { EXPERIMENT_KEY, fromHash, LANGUAGE_KEY } from '../src/core/run-config';
import {
  checkSetting,
  DATASETS,
  DEFAULT_RUN,
  type NumberSetting,
  parseSetting,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  settingRange,
  TRAIN_SETTINGS,
} from '../src/core/settings';
import { MetricsBuffer } from '../src/store/metrics-buffer';
import { readRunFile, runFile } from '../src/store/run-file';

/**
 * The grammar, written here again independently of the code: blanks around (what String.prototype.trim
 * removes is what \s matches), an optional minus, ASCII digits, a fraction with digits on both sides
 * of the point, an exponent.
 */
const REFERENCE = /^\s*-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*$/;

const NUMBER_SETTINGS = SETTING_NAMES.filter((name) => SETTINGS[name].kind !== 'choice');
const numberSetting = (name: SettingName) => SETTINGS[name] as NumberSetting;

/** Whether the reference grammar and the setting's range accept `text`. */
function allowed(s: Pick<NumberSetting, 'kind' | 'min' | 'max' | 'minExclusive'>, text: string): boolean {
  if (!REFERENCE.test(text)) return false;
  const value = Number(text.trim());
  if (s.kind === 'integer' && !Number.isInteger(value)) return false;
  return value >= s.min && value <= s.max && !(s.minExclusive && value === s.min);
}

function inRange(s: Pick<NumberSetting, 'kind' | 'min' | 'max' | 'minExclusive'>, value: unknown): boolean {
  return typeof value === 'number' && allowed(s, String(value));
}

/** Text that looks like a number more often than chance would make it: digits, signs, points, exponents, prefixes, blanks. */
const numberish = fc.string({
  unit: fc.constantFrom(...'0123456789.eE+-xXbBoO_ \t\n\u00a0\u2003\ufeff١１InfityNa,'.split('')),
  maxLength: 12,
});
/** Any text: ASCII, every code unit (lone surrogates too), number-like text, the grammar's own strings, finite numbers as String writes them, the examples. */
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  numberish,
  fc.stringMatching(/^-?[0-9]{1,4}(\.[0-9]{1,4})?([eE][+-]?[0-9]{1,3})?$/),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer({ min: -10, max: 5_000_000_000 }).map(String),
  fc.constantFrom('0x10', '0X1f', '0b1', '0o7', '+5', '.5', '5.', '1_000', 'Infinity', '-Infinity', 'NaN', '1e', '-0', ' 7 ', '1e400', '1e-400'),
);

const FLAGS = [...SETTING_NAMES.map((name) => SETTINGS[name].cli.flag), 'epochs', 'steps', 'help'];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

describe('parseDecimal: the one grammar', () => {
  it('accepts exactly the strings the reference grammar accepts, reading them as Number would', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const value = parseDecimal(text);
        expect(value !== null, JSON.stringify(text)).toBe(REFERENCE.test(text));
        if (value !== null) expect(value).toBe(Number(text.trim()) + 0); // + 0: -0 reads as 0
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back every finite number as String writes it (1e-7, 1.5e+300, -0 as 0)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseDecimal(String(x))).toBe(x + 0);
      }),
      { numRuns: 2000 },
    );
    for (const x of [1e-7, 5e-324, 1.5e300, 1e21, -2.5e-12, Number.MAX_VALUE]) expect(parseDecimal(String(x))).toBe(x);
  });
});

describe('every setting read from text: the page, the hash and the command line', () => {
  it('a control (parseSetting) returns a value in range or throws a ConfigError naming the label, the text and the range', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NUMBER_SETTINGS), anyText, (name, text) => {
        const s = numberSetting(name);
        let value: unknown;
        try {
          value = parseSetting(name, text);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).message).toMatch(new RegExp(`^${escapeRegExp(s.label)} .* is not allowed: must be ${escapeRegExp(settingRange(s))}`));
          expect(allowed(s, text), JSON.stringify(text)).toBe(false);
          return;
        }
        expect(allowed(s, text), JSON.stringify(text)).toBe(true);
        expect(inRange(s, value)).toBe(true);
        expect(value).toBe(Number(text.trim()) + 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('a control round-trips every value its range allows, written as String writes it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NUMBER_SETTINGS), fc.double({ min: 0, max: 1, noNaN: true }), (name, t) => {
        const s = numberSetting(name);
        const raw = s.min + t * (s.max - s.min);
        const value = s.kind === 'integer' ? Math.round(raw) : raw;
        if (s.minExclusive && value === s.min) return;
        expect(parseSetting(name, String(value))).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('the hash parser never throws: a random hash keeps every setting in range and lists what it ignored', () => {
    const keys = [...SETTING_NAMES.map((name) => SETTINGS[name].hash), EXPERIMENT_KEY, LANGUAGE_KEY, ...PROTOTYPE_NAMES];
    const key = fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 }));
    const value = fc.oneof(anyText, fc.constantFrom(...EXPERIMENTS.map((e) => e.id), ...PROTOTYPE_NAMES));
    const built = fc.array(fc.tuple(key, value), { maxLength: 12 }).map((entries) => `#${new URLSearchParams(entries).toString()}`);
    fc.assert(
      fc.property(fc.oneof(built, fc.string(), fc.string({ unit: 'binary' })), (hash) => {
        const parsed = fromHash(hash);
        for (const name of SETTING_NAMES) expect(() => checkSetting(name, parsed.config[name]), `${name} from ${hash}`).not.toThrow();
        const entries = [...new URLSearchParams(hash.replace(/^#/, ''))];
        expect(parsed.ignored.length).toBeLessThanOrEqual(entries.length);
        if (parsed.experiment !== null) expect(EXPERIMENTS.map((e) => e.id)).toContain(parsed.experiment);
      }),
      { numRuns: 1500 },
    );
  });

  it('the hash takes a setting exactly when the grammar and the range allow its text, and lists it otherwise', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NUMBER_SETTINGS), anyText, (name, text) => {
        const s = numberSetting(name);
        const hash = `#${new URLSearchParams([[s.hash, text]]).toString()}`;
        const typed = new URLSearchParams(hash.slice(1)).get(s.hash) ?? ''; // lone surrogates come back as U+FFFD
        const parsed = fromHash(hash);
        if (allowed(s, typed)) {
          expect(parsed.ignored).toEqual([]);
          expect(parsed.config[name]).toBe(Number(typed.trim()) + 0);
        } else {
          expect(parsed.ignored).toHaveLength(1);
          expect(parsed.ignored[0]).toContain(`must be ${settingRange(s)}`);
          expect(parsed.config[name]).toBe(DEFAULT_RUN[name]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a flag takes a value exactly when the grammar and the range allow it, and refuses it with a UsageError otherwise', () => {
    const runFlags = { epochs: { kind: 'integer', min: 1, max: 1000 }, steps: { kind: 'integer', min: 1, max: 10_000_000 } } as const;
    const flags = [
      ...NUMBER_SETTINGS.map((name) => ({ name, s: numberSetting(name) as Pick<NumberSetting, 'kind' | 'min' | 'max' | 'minExclusive'> })),
      ...Object.entries(runFlags).map(([name, s]) => ({ name, s })),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...flags), anyText, fc.boolean(), ({ name, s }, text, joined) => {
        const flag = name in runFlags ? name : SETTINGS[name as SettingName].cli.flag;
        const mlp = name in SETTINGS && SETTINGS[name as SettingName].appliesWhen?.setting === 'model' ? ['--model', 'mlp'] : [];
        const argv = [...mlp, ...(joined ? [`--${flag}=${text}`] : [`--${flag}`, text])];
        let options: ReturnType<typeof parseArgs>;
        try {
          options = parseArgs(argv);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toContain(`--${flag} `);
          expect(allowed(s, text), JSON.stringify(argv)).toBe(false);
          return;
        }
        expect(allowed(s, text), JSON.stringify(argv)).toBe(true);
        const got =
          name === 'epochs'
            ? options.epochs
            : name === 'steps'
              ? options.steps
              : name in options.config
                ? options.config[name as keyof typeof options.config]
                : options[name as 'noise' | 'trainExamples'];
        expect(got).toBe(Number(text.trim()) + 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('random command lines: parseArgs returns options in range or throws a UsageError, nothing else', () => {
    const flag = fc.oneof(fc.constantFrom(...FLAGS, ...PROTOTYPE_NAMES), fc.string({ maxLength: 6 })).map((f) => `--${f}`);
    const choices = SETTING_NAMES.flatMap((name) => {
      const s = SETTINGS[name];
      return s.kind === 'choice' ? [...(s.cli.choices ?? s.choices)] : [];
    });
    const value = fc.oneof(anyText, fc.constantFrom(...choices));
    const arg = fc.oneof(
      flag,
      value,
      fc.tuple(flag, value).map(([f, v]) => `${f}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 10 }), (argv) => {
        let options: ReturnType<typeof parseArgs>;
        try {
          options = parseArgs(argv);
        } catch (error) {
          expect(error, JSON.stringify(argv)).toBeInstanceOf(UsageError);
          return;
        }
        const { config } = options;
        for (const name of TRAIN_SETTINGS) {
          if (name === 'depth' && config.model === 'softmax') expect(config.depth).toBe(0);
          else expect(() => checkSetting(name, config[name]), name).not.toThrow();
        }
        expect(() => checkSetting('noise', options.noise)).not.toThrow();
        expect(() => checkSetting('trainExamples', options.trainExamples)).not.toThrow();
        expect(DATASETS).toContain(options.dataset);
        expect(['cpu', 'webgpu']).toContain(options.backend);
        expect(Number.isInteger(options.epochs) && options.epochs >= 1 && options.epochs <= 1000).toBe(true);
        if (options.steps !== null) expect(Number.isInteger(options.steps) && options.steps >= 1 && options.steps <= 10_000_000).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the bad inputs of the issue, by name', () => {
  const refusedEverywhere = [
    '0x10',
    '0b1',
    '0o7',
    '+5',
    '.5',
    '5.',
    '1_000',
    'Infinity',
    '-Infinity',
    'NaN',
    '',
    '   ',
    '1 0',
    '1e',
    'e5',
    '1e5.5',
    '--1',
    '١',
    '１',
    '5\u00005',
  ];

  it('a control refuses each, naming the label, the text as typed, the range and the grammar', () => {
    for (const text of refusedEverywhere) {
      expect(() => parseSetting('lr', text), JSON.stringify(text)).toThrow(
        `Learning rate ${JSON.stringify(text)} is not allowed: must be a number above 0 to 100, written in decimal, like 0.01 or 1e-3`,
      );
      expect(() => parseSetting('depth', text), JSON.stringify(text)).toThrow(
        `Hidden layers ${JSON.stringify(text)} is not allowed: must be an integer from 1 to 64, written in decimal, like 16`,
      );
    }
  });

  it('a control accepts decimals with an optional exponent, trimmed', () => {
    expect(parseSetting('lr', '0.5')).toBe(0.5);
    expect(parseSetting('lr', '5')).toBe(5);
    expect(parseSetting('lr', '1e-3')).toBe(0.001);
    expect(parseSetting('width', '2.5E+2')).toBe(250);
    expect(parseSetting('lr', ' 0.25\t')).toBe(0.25);
  });

  it('a value out of range written other than as its own decimal is shown as typed', () => {
    expect(() => parseSetting('lr', '2.5E+2')).toThrow('Learning rate "2.5E+2" is not allowed: must be a number above 0 to 100');
    expect(() => parseSetting('lr', '1e-400')).toThrow('Learning rate "1e-400" is not allowed: must be a number above 0 to 100');
    expect(() => parseSetting('depth', '2.50')).toThrow('Hidden layers "2.50" is not allowed: must be an integer from 1 to 64');
    expect(() => parseSetting('lr', '0')).toThrow('Learning rate 0 is not allowed: must be a number above 0 to 100');
    expect(parseSetting('sigma', '2.5E+1')).toBe(25);
    expect(parseSetting('depth', '007')).toBe(7);
    expect(Object.is(parseSetting('lambda', '-0'), 0)).toBe(true);
  });

  it('the hash ignores each and lists it, keeping the default', () => {
    const parsed = fromHash('#lr=0x10&depth=0b11&seed=%2B5&sigma=.5&width=1_000&batch=Infinity');
    expect(parsed.config).toEqual(DEFAULT_RUN);
    expect(parsed.ignored).toEqual([
      'lr=0x10 (Learning rate "0x10" is not allowed: must be a number above 0 to 100, written in decimal, like 0.01 or 1e-3)',
      'depth=0b11 (Hidden layers "0b11" is not allowed: must be an integer from 1 to 64, written in decimal, like 16)',
      'seed=+5 (Seed "+5" is not allowed: must be an integer from 0 to 4294967295, written in decimal, like 16)',
      'sigma=.5 (σ ".5" is not allowed: must be a number above 0 to 100, written in decimal, like 0.01 or 1e-3)',
      'width=1_000 (Width "1_000" is not allowed: must be an integer from 1 to 1024, written in decimal, like 16)',
      'batch=Infinity (Batch size "Infinity" is not allowed: must be an integer from 1 to 4096, written in decimal, like 16)',
    ]);
  });

  it('the command line refuses each for settings and for --epochs and --steps', () => {
    const cases: [string[], string][] = [
      [['--lr', '0x10'], '--lr "0x10" is not a number: must be a number above 0 to 100, written in decimal, like 0.01 or 1e-3'],
      [['--model', 'mlp', '--depth', '0b1'], '--depth "0b1" is not a number: must be an integer from 1 to 64, written in decimal, like 16'],
      [['--seed=+5'], '--seed "+5" is not a number: must be an integer from 0 to 4294967295, written in decimal, like 16'],
      [['--steps', '0x10'], '--steps "0x10" is not a number: must be an integer from 1 to 10000000, written in decimal, like 16'],
      [['--epochs', '0o7'], '--epochs "0o7" is not a number: must be an integer from 1 to 1000, written in decimal, like 16'],
      [['--epochs', '.5e1'], '--epochs ".5e1" is not a number: must be an integer from 1 to 1000, written in decimal, like 16'],
      [['--steps', '1_000'], '--steps "1_000" is not a number: must be an integer from 1 to 10000000, written in decimal, like 16'],
    ];
    for (const [argv, message] of cases) expect(() => parseArgs(argv), argv.join(' ')).toThrow(new UsageError(message));
    expect(parseArgs(['--epochs', '2.0e1', '--steps=1e3']).epochs).toBe(20);
    expect(parseArgs(['--steps', ' 1e3 ']).steps).toBe(1000);
  });

  it("refuses flags named like Object.prototype's properties as unknown flags", () => {
    for (const name of PROTOTYPE_NAMES) {
      for (const argv of [[`--${name}`, '1'], [`--${name}=x`]]) {
        expect(() => parseArgs(argv), argv.join(' ')).toThrow(new RegExp(`^unknown flag --${escapeRegExp(name)}: allowed are --model`));
      }
    }
  });

  it('npm run train exits 2 naming the flag for --__proto__', () => {
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const script = fileURLToPath(new URL('../src/cli/train.ts', import.meta.url));
    const result = spawnSync(tsx, [script, '--__proto__', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown flag --__proto__: allowed are --model/);
    expect(result.stdout).toBe('');
  });

  it("a run file's settings are its own entries, not what Object.prototype holds", () => {
    const { lr: _lr, ...settings } = runFile(DEFAULT_RUN, null, new MetricsBuffer()).settings;
    const text = JSON.stringify({ ...runFile(DEFAULT_RUN, null, new MetricsBuffer()), settings });
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.lr = 0.5;
    try {
      expect(() => readRunFile(text)).toThrow('settings.lr (Learning rate) is missing');
    } finally {
      delete prototype.lr;
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
