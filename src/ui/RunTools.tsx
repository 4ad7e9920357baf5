// What a teacher takes away and brings back: keep the run as a reference, fix the axes, download it as CSV or JSON, import a JSON run, copy a link.
import { useRef, useState } from 'react';
import { toHash } from '../core/run-config';
import { metrics } from '../store/metrics-buffer';
import { RunFileError, readRunFile, runCsv, runFile, runLabel } from '../store/run-file';
import { MAX_REFERENCES, useStore } from '../store/store';

function download(name: string, text: string, type: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function RunTools() {
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
      setMessage({ text: 'Nothing to keep yet: train a few steps first.', error: true });
      return;
    }
    addReference({ label: runLabel(file.settings), origin: 'kept', series: file.series });
    setMessage({
      text: `Kept as reference (${Math.min(references.length + 1, MAX_REFERENCES)} of at most ${MAX_REFERENCES}): ${runLabel(file.settings)}`,
      error: false,
    });
  };

  const importFile = async (file: File) => {
    try {
      const run = readRunFile(await file.text());
      addReference({ label: runLabel(run.settings), origin: 'imported', series: run.series });
      setMessage({ text: `Imported ${file.name} as a reference: ${runLabel(run.settings)}, ${run.series.step.length} steps.`, error: false });
    } catch (error) {
      const why = error instanceof RunFileError ? error.message : `it could not be read (${(error as Error).message})`;
      setMessage({ text: `${file.name} was not imported: ${why}. The live run is unchanged.`, error: true });
    }
  };

  const copyLink = async () => {
    const { config, experiment } = useStore.getState();
    const url = `${window.location.origin}${window.location.pathname}${toHash(config, experiment, { share: true })}`;
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setMessage({ text: 'Link copied: it opens these settings (the backend is left to whoever opens it).', error: false });
    } catch {
      setMessage({ text: 'The browser did not allow copying: select the link below and copy it.', error: true });
    }
  };

  return (
    <section className="run-tools" aria-label="Take the run away">
      <div className="run-tools-buttons">
        <button type="button" onClick={keep}>
          Keep as reference
        </button>
        <button type="button" disabled={references.length === 0} onClick={() => clearReferences()}>
          Clear references
        </button>
        <label className="checkbox">
          <input type="checkbox" checked={fixedAxes} onChange={(event) => setFixedAxes(event.target.checked)} />
          Fix axes
        </label>
        <button type="button" onClick={() => download(`${fileName()}.csv`, runCsv(current()), 'text/csv')}>
          Download CSV
        </button>
        <button type="button" onClick={() => download(`${fileName()}.json`, JSON.stringify(current()), 'application/json')}>
          Download JSON
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import JSON
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          aria-label="Run file to import"
          hidden
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void importFile(file);
            event.target.value = '';
          }}
        />
        <button type="button" onClick={() => void copyLink()}>
          Copy link
        </button>
      </div>
      {message && (
        // a live region of its own: the page's status line stays the one role="status"
        <p className={message.error ? 'run-tools-message error' : 'run-tools-message'} aria-live={message.error ? 'assertive' : 'polite'}>
          {message.text}
        </p>
      )}
      {link && <input className="share-link" readOnly value={link} aria-label="Link to these settings" onFocus={(event) => event.target.select()} />}
    </section>
  );
}
