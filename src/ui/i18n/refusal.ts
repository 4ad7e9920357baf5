// refusal.ts: a setting's refused value in a language's words: its label, the text, and its range or choices, read from the settings table.
import { SETTINGS, type SettingName } from '../../core/settings';
import type { Strings } from './en';

export function refusalText(t: Strings, name: SettingName, text: string): string {
  const s = SETTINGS[name];
  const allowed =
    s.kind === 'choice' ? t.controls.oneOf(s.choices.join(', ')) : t.controls.allowed(s.min, s.max, s.kind === 'integer', Boolean(s.minExclusive));
  return t.controls.refused(t.controls.settings[name], text, allowed);
}
