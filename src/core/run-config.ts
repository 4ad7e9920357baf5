// A run's settings in the URL hash and between runs: the hash round trip and what a change does, both derived from the settings table.
import { ConfigError } from './errors';
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

export function toHash(config: RunConfig): string {
  const params = new URLSearchParams();
  for (const name of SETTING_NAMES) params.set(SETTINGS[name].hash, String(config[name]));
  return `#${params.toString()}`;
}

export interface HashParse {
  config: RunConfig;
  /** One line per ignored entry: `depth=abc (Hidden layers "abc" is not allowed: …)`. */
  ignored: string[];
}

const SETTING_BY_HASH_KEY = new Map(SETTING_NAMES.map((name) => [SETTINGS[name].hash, name]));

/** Reads a hash; unknown keys and invalid values are ignored (the default stays) and listed. */
export function fromHash(hash: string): HashParse {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const config: RunConfig = { ...DEFAULT_RUN };
  const ignored: string[] = [];
  for (const [key, value] of params) {
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
  return { config, ignored };
}
