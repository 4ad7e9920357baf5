// i18n: the page's languages, the string table of each, and the hook that gives a component the table of the language shown.
import { EXPERIMENT_KEY } from '../../core/run-config';
import { type RunConfig, SETTING_NAMES, SETTINGS, type SettingName } from '../../core/settings';
import type { RunFileProblem } from '../../store/run-file';
import { type Language, useStore } from '../../store/store';
import { en, type Strings } from './en';
import { refusalText } from './refusal';
import { zh } from './zh';

export type { Strings };
export { refusalText };

/** Each language's table, and its name as its speakers write it (the Language control's options). */
export const STRINGS: Record<Language, Strings> = { en, zh };
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', zh: '中文' };

/** The strings of the language the page shows. */
export function useStrings(): Strings {
  return STRINGS[useStore((s) => s.language)];
}

/** The strings outside React (the charts' canvases, downloads). */
export function currentStrings(): Strings {
  return STRINGS[useStore.getState().language];
}

/** A class's name in the page's language: Fashion-MNIST's as the book names them, else the data set's own or "class c". */
export function className(t: Strings, classNames: readonly string[], datasetName: string | undefined, c: number): string {
  if (datasetName === 'fashion-mnist' && classNames.length === t.mistakes.fashion.length) return t.mistakes.fashion[c];
  return classNames[c] ?? t.mistakes.className(c);
}

/** A run named by its settings, for a legend: "MLP 10×64 sigmoid · MXNet default U(±0.07) · lr 0.1 · λ 0 · batch 256 · Fashion-MNIST". */
export function describeRun(t: Strings, settings: Omit<RunConfig, 'backend'>): string {
  const choice = (name: SettingName, value: string) => t.controls.choices[name]?.[value] ?? value;
  const model =
    settings.model === 'softmax'
      ? choice('model', 'softmax')
      : `${choice('model', 'mlp')} ${settings.depth}×${settings.width} ${choice('activation', settings.activation)}`;
  const s = t.controls.settings;
  return [
    model,
    choice('init', settings.init),
    `${s.lr} ${settings.lr}`,
    `λ ${settings.lambda}`,
    `${s.batchSize} ${settings.batchSize}`,
    choice('dataset', settings.dataset),
  ].join(' · ');
}

const SETTING_BY_HASH = new Map(SETTING_NAMES.map((name) => [SETTINGS[name].hash, name]));

/**
 * A link entry the page ignored ("depth=abc (Hidden layers "abc" is not allowed: …)", as the core
 * writes it), said in the page's language: the English as it is, others rebuilt from the entry.
 */
export function ignoredText(t: Strings, entry: string): string {
  if (t.lang === 'en') return entry;
  const match = /^([^=]*)=(.*) \(.*\)$/s.exec(entry);
  if (!match) return entry;
  const [, key, value] = match;
  const name = SETTING_BY_HASH.get(key);
  const why = name ? refusalText(t, name, value) : key === EXPERIMENT_KEY ? t.status.unknownExperiment : t.status.unknownSetting;
  return t.status.ignoredEntry(`${key}=${value}`, why);
}

/** What is wrong with an imported run file, in the page's language. */
export function problemText(t: Strings, problem: RunFileProblem): string {
  return (t.tools.problems[problem.code] as (...args: unknown[]) => string)(...problem.args);
}
