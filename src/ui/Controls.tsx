// The control panel: every setting with a visible label, checked at the control before it reaches the worker.
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ACTIVATIONS, DATASETS, INITIALIZERS, MODELS } from '../core/config';
import { BACKEND_CHOICES, parseField, type RunConfig } from '../core/run-config';
import { selectSetConfig, useStore } from '../store/store';
import { send } from '../store/worker-bridge';

type NumericField = 'depth' | 'width' | 'sigma' | 'lambda' | 'lr' | 'batchSize' | 'seed' | 'noise';
type ChoiceField = 'model' | 'activation' | 'init' | 'dataset' | 'backend';

const CHOICE_LABELS: Record<ChoiceField, Record<string, string>> = {
  model: { softmax: 'Softmax regression', mlp: 'MLP' },
  activation: { relu: 'ReLU', sigmoid: 'sigmoid', tanh: 'tanh', identity: 'identity' },
  init: {
    'mxnet-default': 'MXNet default U(±0.07)',
    'xavier-uniform': 'Xavier uniform',
    normal: 'Normal',
    'he-normal': 'He normal',
    zeros: 'Zeros',
  },
  dataset: { 'fashion-mnist': 'Fashion-MNIST', spiral: 'Spiral', blobs: 'Blobs', circles: 'Circles', xor: 'XOR' },
  backend: { auto: 'Auto', webgpu: 'WebGPU', cpu: 'CPU' },
};

const CHOICES: Record<ChoiceField, readonly string[]> = {
  model: MODELS,
  activation: ACTIVATIONS,
  init: INITIALIZERS,
  dataset: DATASETS,
  backend: BACKEND_CHOICES,
};

function NumberField({ field, label, disabled }: { field: NumericField; label: string; disabled?: boolean }) {
  const value = useStore((s) => s.config[field]);
  const setConfig = useStore(selectSetConfig);
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  // a change from elsewhere (a link, a reset) replaces the text unless it already says the same
  useEffect(() => {
    setText((current) => {
      try {
        if (parseField(field, current) === value) return current;
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
      const parsed = parseField(field, next);
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

function SelectField({ field, label, disabled }: { field: ChoiceField; label: string; disabled?: boolean }) {
  const value = useStore((s) => s.config[field]);
  const setConfig = useStore(selectSetConfig);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => setConfig({ [field]: parseField(field, e.target.value) } as Partial<RunConfig>)}>
        {CHOICES[field].map((choice) => (
          <option key={choice} value={choice}>
            {CHOICE_LABELS[field][choice]}
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

export function Controls() {
  const { model, init, dataset } = useStore(useShallow((s) => ({ model: s.config.model, init: s.config.init, dataset: s.config.dataset })));
  const softmax = model === 'softmax';
  return (
    <form className="controls" aria-label="Settings" onSubmit={(e) => e.preventDefault()}>
      <RunButtons />
      <fieldset>
        <legend>Model</legend>
        <SelectField field="model" label="Model" />
        <NumberField field="depth" label="Hidden layers" disabled={softmax} />
        <NumberField field="width" label="Width" disabled={softmax} />
        <SelectField field="activation" label="Activation" disabled={softmax} />
      </fieldset>
      <fieldset>
        <legend>Initialisation</legend>
        <SelectField field="init" label="Initializer" />
        <NumberField field="sigma" label="σ" disabled={init !== 'normal'} />
      </fieldset>
      <fieldset>
        <legend>Optimisation</legend>
        <NumberField field="lambda" label="Weight decay λ" />
        <NumberField field="lr" label="Learning rate" />
        <NumberField field="batchSize" label="Batch size" />
      </fieldset>
      <fieldset>
        <legend>Data and device</legend>
        <SelectField field="dataset" label="Dataset" />
        <NumberField field="noise" label="Noise" disabled={dataset === 'fashion-mnist'} />
        <SelectField field="backend" label="Backend" />
        <NumberField field="seed" label="Seed" />
      </fieldset>
    </form>
  );
}
