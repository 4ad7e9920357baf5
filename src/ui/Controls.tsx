// The control panel: every setting with a visible label, checked at the control before it reaches the worker.
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConfigError } from '../core/errors';
import { EXPERIMENTS } from '../core/experiments';
import { applies, type Group, parseSetting, type RunConfig, SETTING_NAMES, SETTINGS, type SettingName } from '../core/settings';
import { LANGUAGES, type Language, selectSetConfig, useStore } from '../store/store';
import { send } from '../store/worker-bridge';
import { LANGUAGE_NAMES, refusalText, type Strings, useStrings } from './i18n';

type NumericField = { [K in SettingName]: (typeof SETTINGS)[K]['kind'] extends 'choice' ? never : K }[SettingName];
type ChoiceField = Exclude<SettingName, NumericField>;

/** The fieldsets, in order (their legends are the strings table's). */
const GROUPS: Group[] = ['model', 'initialisation', 'optimisation', 'data'];

/** A refused value in the page's language: the core's message in English, the same parts in another. */
function refusal(t: Strings, field: NumericField, text: string, error: Error): string {
  if (t.lang === 'en' || !(error instanceof ConfigError)) return error.message;
  return refusalText(t, field, text);
}

function NumberField({ field, disabled }: { field: NumericField; disabled: boolean }) {
  const t = useStrings();
  const label = t.controls.settings[field];
  const value = useStore((s) => s.config[field]);
  const setConfig = useStore(selectSetConfig);
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  // a change from elsewhere (a link, a reset) replaces the text unless it already says the same
  useEffect(() => {
    setText((current) => {
      try {
        if (parseSetting(field, current) === value) return current;
      } catch {
        // the text was invalid: the value from elsewhere wins
      }
      return String(value);
    });
    setError(null);
  }, [field, value]);

  const onChange = (next: string) => {
    setText(next);
    try {
      const parsed = parseSetting(field, next);
      setError(null);
      if (parsed !== value) setConfig({ [field]: parsed } as Partial<RunConfig>);
    } catch (e) {
      setError(refusal(t, field, next, e as Error));
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        disabled={disabled}
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function SelectField({ field, disabled }: { field: ChoiceField; disabled: boolean }) {
  const t = useStrings();
  const setting = SETTINGS[field];
  const value = useStore((s) => s.config[field]);
  const setConfig = useStore(selectSetConfig);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t.controls.settings[field]}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => setConfig({ [field]: parseSetting(field, e.target.value) } as Partial<RunConfig>)}>
        {setting.choices.map((choice) => (
          <option key={choice} value={choice}>
            {t.controls.choices[field]?.[choice] ?? choice}
          </option>
        ))}
      </select>
    </div>
  );
}

function RunButtons() {
  const t = useStrings();
  // Reset also retries settings whose build failed (nothing to train, but something to try again)
  const { running, ready, failed } = useStore(useShallow((s) => ({ running: s.run.running, ready: s.run.model !== null, failed: s.run.noModel !== null })));
  return (
    <div className="buttons">
      <button type="button" className="primary" disabled={!ready} onClick={() => send({ type: running ? 'pause' : 'play' })}>
        {running ? t.controls.pause : t.controls.train}
      </button>
      <button type="button" disabled={!ready || running} onClick={() => send({ type: 'step' })}>
        {t.controls.step}
      </button>
      <button type="button" disabled={!ready && !failed} onClick={() => send({ type: 'reset' })}>
        {t.controls.reset}
      </button>
    </div>
  );
}

/** Steps a second of each Speed option (its label is the strings table's, in this order). */
const PACES: (number | null)[] = [null, 100, 10, 1];

/** How fast a run goes, and how its steps are drawn: for watching a fast model step by step. */
function ViewFields() {
  const t = useStrings();
  const { pace, logSteps, presentation, setPace, setLogSteps, setPresentation } = useStore(
    useShallow((s) => ({
      pace: s.pace,
      logSteps: s.logSteps,
      presentation: s.presentation,
      setPace: s.setPace,
      setLogSteps: s.setLogSteps,
      setPresentation: s.setPresentation,
    })),
  );
  const id = useId();
  return (
    <div className="view-fields">
      <div className="field">
        <label htmlFor={id}>{t.controls.speed}</label>
        <select id={id} value={String(pace)} onChange={(e) => setPace(e.target.value === 'null' ? null : Number(e.target.value))}>
          {PACES.map((value, i) => (
            <option key={String(value)} value={String(value)}>
              {t.controls.paces[i]}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input type="checkbox" checked={logSteps} onChange={(e) => setLogSteps(e.target.checked)} /> {t.controls.logSteps}
      </label>
      <label className="check">
        <input type="checkbox" checked={presentation} onChange={(e) => setPresentation(e.target.checked)} /> {t.controls.presentation}
      </label>
    </div>
  );
}

/** The chapter's experiments: choosing one loads its settings and starts the run afresh. */
function ExperimentField() {
  const t = useStrings();
  const experiment = useStore((s) => s.experiment);
  const id = useId();
  const choose = (value: string) => {
    if (!value) return;
    useStore.getState().chooseExperiment(value); // the bridge starts the run afresh with it
  };
  return (
    <div className="field experiment">
      <label htmlFor={id}>{t.controls.experiment}</label>
      <select id={id} value={experiment ?? ''} onChange={(e) => choose(e.target.value)}>
        <option value="">{t.controls.ownSettings}</option>
        {EXPERIMENTS.map((e) => (
          <option key={e.id} value={e.id}>
            {t.experiments[e.id]?.label ?? e.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One control per setting, each in its group's fieldset, disabled where it means nothing (`applies`). */
/** The page's language: kept in the URL hash with the settings. */
function LanguageField() {
  const t = useStrings();
  const language = useStore((s) => s.language);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t.language}</label>
      <select id={id} value={language} onChange={(e) => useStore.getState().setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Controls() {
  const t = useStrings();
  const config = useStore((s) => s.config);
  return (
    <form className="controls" aria-label={t.controls.form} onSubmit={(e) => e.preventDefault()}>
      <LanguageField />
      <ExperimentField />
      <RunButtons />
      <ViewFields />
      {GROUPS.map((group) => (
        <fieldset key={group}>
          <legend>{t.controls.groups[group]}</legend>
          {SETTING_NAMES.filter((name) => SETTINGS[name].group === group).map((name) =>
            SETTINGS[name].kind === 'choice' ? (
              <SelectField key={name} field={name as ChoiceField} disabled={!applies(name, config)} />
            ) : (
              <NumberField key={name} field={name as NumericField} disabled={!applies(name, config)} />
            ),
          )}
        </fieldset>
      ))}
    </form>
  );
}
