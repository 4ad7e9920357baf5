// The settings table: each setting declared once, and the hash, the CLI's flags and --help, and validation all derived from it.
import { describe, expect, it } from 'vitest';
import { parseArgs, usage } from '../src/cli/args';
import { classifyChange, fromHash, toHash } from '../src/core/run-config';
import {
  applies,
  checkSettings,
  DEFAULT_CONFIG,
  DEFAULT_RUN,
  HYPER_SETTINGS,
  INIT_SETTINGS,
  MODEL_SETTINGS,
  SETTING_NAMES,
  SETTINGS,
  settingRange,
  TRAIN_SETTINGS,
} from '../src/core/settings';

describe('the settings table', () => {
  it('gives every setting its own hash key, CLI flag and label, and a default its own rule accepts', () => {
    const unique = (values: string[]) => expect(new Set(values).size).toBe(values.length);
    unique(SETTING_NAMES.map((n) => SETTINGS[n].hash));
    unique(SETTING_NAMES.map((n) => SETTINGS[n].cli.flag));
    unique(SETTING_NAMES.map((n) => SETTINGS[n].label));
    expect(checkSettings({ ...DEFAULT_RUN })).toEqual(DEFAULT_RUN);
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name];
      if (s.kind === 'choice') expect(Object.keys(s.choiceLabels).sort(), name).toEqual([...s.choices].sort());
    }
  });

  it('--help has one line per setting with its flag, its range or choices and its help', () => {
    const help = usage();
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name];
      const line = help.split('\n').find((l) => l.startsWith(`  --${s.cli.flag} `));
      expect(line, s.cli.flag).toBeDefined();
      expect(line).toContain(s.cli.help);
      if (s.kind === 'choice') expect(line).toContain((s.cli.choices ?? s.choices).join('|'));
      else expect(line).toContain(`${s.min}..${s.max}`);
    }
  });

  it('every number setting refuses a value just past its range, on the page, in the hash and on the command line', () => {
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name];
      if (s.kind === 'choice') continue;
      const tooBig = String(s.max * 2 + 1);
      const message = `is not allowed: must be ${settingRange(s)}`;
      expect(fromHash(`#${s.hash}=${tooBig}`).ignored, name).toEqual([`${s.hash}=${tooBig} (${s.label} ${tooBig} ${message})`]);
      const needsMlp = s.appliesWhen?.setting === 'model' ? ['--model', 'mlp'] : [];
      expect(() => parseArgs([...needsMlp, `--${s.cli.flag}`, tooBig]), name).toThrow(`--${s.cli.flag} ${tooBig} ${message}`);
    }
  });

  it('derives what a change does from each setting it touches', () => {
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name];
      const other = s.kind === 'choice' ? s.choices.find((c) => c !== DEFAULT_RUN[name]) : s.max === DEFAULT_RUN[name] ? s.min : s.max;
      expect(classifyChange(DEFAULT_RUN, { ...DEFAULT_RUN, [name]: other }), name).toBe(s.effect);
    }
    // the strongest effect wins
    expect(classifyChange(DEFAULT_RUN, { ...DEFAULT_RUN, lr: 0.5, init: 'zeros', depth: 2 })).toBe('rebuild');
  });

  it("groups the trainer's settings by the effect the table gives them", () => {
    const withEffect = (effect: string) => SETTING_NAMES.filter((n) => SETTINGS[n].effect === effect);
    expect([...HYPER_SETTINGS]).toEqual(withEffect('next-step'));
    expect([...INIT_SETTINGS]).toEqual(withEffect('re-initialise'));
    for (const name of MODEL_SETTINGS) expect(SETTINGS[name].effect, name).toBe('rebuild');
    expect(Object.keys(DEFAULT_CONFIG).sort()).toEqual([...TRAIN_SETTINGS].sort());
  });

  it('says where a setting means nothing, and skips it when checking a whole configuration', () => {
    const softmax = { ...DEFAULT_RUN, model: 'softmax' as const, depth: 0 };
    expect(applies('depth', softmax)).toBe(false);
    expect(applies('sigma', { ...DEFAULT_RUN, init: 'zeros' })).toBe(false);
    expect(applies('noise', DEFAULT_RUN)).toBe(false); // Fashion-MNIST has no noise setting
    expect(applies('noise', { ...DEFAULT_RUN, dataset: 'xor' })).toBe(true);
    expect(() => checkSettings(softmax)).not.toThrow();
    expect(() => checkSettings({ ...softmax, model: 'mlp' })).toThrow('depth 0 is not allowed: must be an integer from 1 to 64');
  });

  it("writes every setting into the hash, in the table's order, by its hash key", () => {
    expect(toHash(DEFAULT_RUN)).toBe(
      '#model=mlp&depth=1&width=256&activation=relu&init=normal&sigma=0.01&c=0.5&lambda=0&lr=0.1&batch=256&dataset=fashion-mnist&examples=60000&noise=0.1&backend=auto&seed=0',
    );
  });
});
