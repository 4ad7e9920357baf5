// The control panel: every setting with a visible label, checked at the control before it reaches the worker.
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EXPERIMENTS } from '../core/experiments';
import { applies, type Group, parseSetting, type RunConfig, SETTING_NAMES, SETTINGS, type SettingName } from '../core/settings';
import { selectSetConfig, useStore } from '../store/store';
import { send } from '../store/worker-bridge';

type NumericField = { [K in SettingName]: (typeof SETTINGS)[K]['kind'] extends 'choice' ? never : K }[SettingName];
type ChoiceField = Exclude<SettingName, NumericField>;

/** The fieldsets, in order, with their legends. */
const GROUPS: [Group, string][] = [
  ['model', 'Model'],
  ['initialisation', 'Initialisation'],
  ['optimisation', 'Optimisation'],
  ['data', 'Data and device'],
];

function NumberField({ field, disabled }: { field: NumericField; disabled: boolean }) {
  const label = SETTINGS[field].label;
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
      setError((e as Error).message);
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
  const setting = SETTINGS[field];
  const value = useStore((s) => s.config[field]);
  const setConfig = useStore(selectSetConfig);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{setting.label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => setConfig({ [field]: parseSetting(field, e.target.value) } as Partial<RunConfig>)}>
        {setting.choices.map((choice) => (
          <option key={choice} value={choice}>
            {(setting.choiceLabels as Record<string, string>)[choice]}
          </option>
        ))}
      </select>
    </div>
  );
}

function RunButtons() {
  const { running, ready } = useStore(useShallow((s) => ({ running: s.run.running, ready: s.run.model !== null })));
  return (
    <div className="buttons">
      <button type="button" className="primary" disabled={!ready} onClick={() => send({ type: running ? 'pause' : 'play' })}>
        {running ? 'Pause' : 'Train'}
      </button>
      <button type="button" disabled={!ready || running} onClick={() => send({ type: 'step' })}>
        Step
      </button>
      <button type="button" disabled={!ready} onClick={() => send({ type: 'reset' })}>
        Reset
      </button>
    </div>
  );
}

const PACES: [string, number | null][] = [
  ['As fast as possible', null],
  ['100 steps a second', 100],
  ['10 steps a second', 10],
  ['1 step a second', 1],
];

/** How fast a run goes, and how its steps are drawn: for watching a fast model step by step. */
function ViewFields() {
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
        <label htmlFor={id}>Speed</label>
        <select id={id} value={String(pace)} onChange={(e) => setPace(e.target.value === 'null' ? null : Number(e.target.value))}>
          {PACES.map(([label, value]) => (
            <option key={label} value={String(value)}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input type="checkbox" checked={logSteps} onChange={(e) => setLogSteps(e.target.checked)} /> Log step axis
      </label>
      <label className="check">
        <input type="checkbox" checked={presentation} onChange={(e) => setPresentation(e.target.checked)} /> Presentation mode
      </label>
    </div>
  );
}

/** The chapter's experiments: choosing one loads its settings and starts the run afresh. */
function ExperimentField() {
  const experiment = useStore((s) => s.experiment);
  const id = useId();
  const choose = (value: string) => {
    if (!value) return;
    useStore.getState().chooseExperiment(value); // the bridge starts the run afresh with it
  };
  return (
    <div className="field experiment">
      <label htmlFor={id}>Experiment</label>
      <select id={id} value={experiment ?? ''} onChange={(e) => choose(e.target.value)}>
        <option value="">{experiment ? 'Your own settings' : 'Your own settings (choose one…)'}</option>
        {EXPERIMENTS.map((e) => (
          <option key={e.id} value={e.id}>
            {e.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One control per setting, each in its group's fieldset, disabled where it means nothing (`applies`). */
export function Controls() {
  const config = useStore((s) => s.config);
  return (
    <form className="controls" aria-label="Settings" onSubmit={(e) => e.preventDefault()}>
      <ExperimentField />
      <RunButtons />
      <ViewFields />
      {GROUPS.map(([group, legend]) => (
        <fieldset key={group}>
          <legend>{legend}</legend>
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
