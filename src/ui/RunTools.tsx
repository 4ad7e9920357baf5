// What a teacher takes away and brings back: keep the run as a reference, fix the axes, download it as CSV or JSON, import a JSON run, copy a link.
import { useRef, useState } from 'react';
import { toHash } from '../core/run-config';
import { metrics } from '../store/metrics-buffer';
import { RunFileError, readRunFile, runCsv, runFile, runFileProblem } from '../store/run-file';
import { MAX_REFERENCES, useStore } from '../store/store';
import { describeRun, problemText, useStrings } from './i18n';

/** A run file of a million steps and 65 layers is about 50 MiB: anything larger is not one. */
const MAX_FILE_BYTES = 64 * 2 ** 20;

function download(name: string, text: string, type: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function RunTools() {
  const t = useStrings();
  const tt = t.tools;
  const references = useStore((s) => s.references);
  const fixedAxes = useStore((s) => s.fixedAxes);
  const { addReference, clearReferences, setFixedAxes } = useStore.getState();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const current = () => {
    const { config, experiment } = useStore.getState();
    return runFile(config, experiment, metrics);
  };
  const fileName = () => {
    const { config, experiment } = useStore.getState();
    return `gradient-lab-${experiment ?? config.model}-step-${metrics.latest?.step ?? 0}`;
  };

  const keep = () => {
    const file = current();
    if (file.series.step.length === 0) {
      setMessage({ text: tt.nothing, error: true });
      return;
    }
    addReference({ settings: file.settings, origin: 'kept', series: file.series });
    setMessage({
      text: tt.kept(Math.min(references.length + 1, MAX_REFERENCES), MAX_REFERENCES, describeRun(t, file.settings)),
      error: false,
    });
  };

  const importFile = async (file: File) => {
    try {
      if (file.size > MAX_FILE_BYTES) throw runFileProblem('tooLarge', Math.round(file.size / 2 ** 20), MAX_FILE_BYTES / 2 ** 20);
      const run = readRunFile(await file.text());
      addReference({ settings: run.settings, origin: 'imported', series: run.series });
      setMessage({ text: tt.imported(file.name, describeRun(t, run.settings), run.series.step.length), error: false });
    } catch (error) {
      const why = error instanceof RunFileError ? problemText(t, error.problem) : (error as Error).message;
      setMessage({ text: tt.refused(file.name, why), error: true });
    }
  };

  const copyLink = async () => {
    const { config, experiment } = useStore.getState();
    const url = `${window.location.origin}${window.location.pathname}${toHash(config, experiment, { share: true })}`;
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setMessage({ text: tt.copied, error: false });
    } catch {
      setMessage({ text: tt.notCopied, error: true });
    }
  };

  return (
    <section className="run-tools" aria-label={tt.region}>
      <div className="run-tools-buttons">
        <button type="button" onClick={keep}>
          {tt.keep}
        </button>
        <button type="button" disabled={references.length === 0} onClick={() => clearReferences()}>
          {tt.clear}
        </button>
        <label className="checkbox">
          <input type="checkbox" checked={fixedAxes} onChange={(event) => setFixedAxes(event.target.checked)} />
          {tt.fixAxes}
        </label>
        <button type="button" onClick={() => download(`${fileName()}.csv`, runCsv(current()), 'text/csv')}>
          {tt.csv}
        </button>
        <button type="button" onClick={() => download(`${fileName()}.json`, JSON.stringify(current()), 'application/json')}>
          {tt.json}
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          {tt.import}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          aria-label={tt.importInput}
          hidden
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void importFile(file);
            event.target.value = '';
          }}
        />
        <button type="button" onClick={() => void copyLink()}>
          {tt.copyLink}
        </button>
      </div>
      {/* always present, so that the first message is read out too */}
      <p className={message?.error ? 'run-tools-message error' : 'run-tools-message'} aria-live="polite">
        {message?.text}
      </p>
      {link && <input className="share-link" readOnly value={link} aria-label={tt.linkLabel} onFocus={(event) => event.target.select()} />}
    </section>
  );
}
