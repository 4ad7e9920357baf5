// A run's settings in the URL hash and between runs: the hash round trip and what a change does, both derived from the settings table.
import { ConfigError } from './errors';
import { experimentById, isExperiment } from './experiments';
import { DEFAULT_RUN, type Effect, parseSetting, type RunConfig, SETTING_NAMES, SETTINGS, type SettingName } from './settings';

/** What the worker must do about a change: the strongest effect of the settings that changed. */
export type Change = Effect | 'none';

const STRENGTH: Record<Change, number> = { none: 0, 'next-step': 1, 're-initialise': 2, rebuild: 3 };

/** The settings whose values differ. */
export function changedSettings(before: RunConfig, after: RunConfig): SettingName[] {
  return SETTING_NAMES.filter((name) => before[name] !== after[name]);
}

export function classifyChange(before: RunConfig, after: RunConfig): Change {
  let change: Change = 'none';
  for (const name of changedSettings(before, after)) {
    const effect = SETTINGS[name].effect;
    if (STRENGTH[effect] > STRENGTH[change]) change = effect;
  }
  return change;
}

/**
 * The hash of a run: the experiment it is (if any), then every setting. `share`: a link for someone
 * else, without this machine's backend choice (theirs decides).
 */
export function toHash(config: RunConfig, experiment: string | null = null, options: { share?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (experiment) params.set(EXPERIMENT_KEY, experiment);
  for (const name of SETTING_NAMES) if (!(options.share && name === 'backend')) params.set(SETTINGS[name].hash, String(config[name]));
  return `#${params.toString()}`;
}

/** Hash key of the experiment a link opens. */
export const EXPERIMENT_KEY = 'experiment';
/** Hash key of the page's language (the page checks its value; the core only passes it on). */
export const LANGUAGE_KEY = 'lang';

export interface HashParse {
  config: RunConfig;
  /** The experiment the link opens, when its settings are the experiment's. */
  experiment: string | null;
  /** One line per ignored entry: `depth=abc (Hidden layers "abc" is not allowed: …)`. */
  ignored: string[];
  /** The `lang` entry as written, if any. */
  language: string | null;
}

const SETTING_BY_HASH_KEY = new Map(SETTING_NAMES.map((name) => [SETTINGS[name].hash, name]));

/**
 * Reads a hash; unknown keys and invalid values are ignored (the default stays) and listed. An
 * experiment's settings come first and the link's own settings over them; the experiment's name is
 * kept only while the settings are still the experiment's.
 */
export function fromHash(hash: string): HashParse {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const config: RunConfig = { ...DEFAULT_RUN };
  const ignored: string[] = [];
  const named = params.get(EXPERIMENT_KEY);
  const experiment = named === null ? undefined : experimentById(named);
  if (named !== null && !experiment) ignored.push(`${EXPERIMENT_KEY}=${named} (unknown experiment)`);
  if (experiment) Object.assign(config, experiment.settings);
  for (const [key, value] of params) {
    if (key === EXPERIMENT_KEY || key === LANGUAGE_KEY) continue;
    const name = SETTING_BY_HASH_KEY.get(key);
    if (!name) {
      ignored.push(`${key}=${value} (unknown setting)`);
      continue;
    }
    try {
      (config as Record<SettingName, unknown>)[name] = parseSetting(name, value, 'label');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      ignored.push(`${key}=${value} (${error.message})`);
    }
  }
  return { config, experiment: experiment && isExperiment(config, experiment) ? experiment.id : null, ignored, language: params.get(LANGUAGE_KEY) };
}
