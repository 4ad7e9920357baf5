// Connects the store to the training worker: config changes go out (and into the URL hash), messages come in.
import { fromHash, LANGUAGE_KEY, toHash } from '../core/run-config';
import type { RunConfig } from '../core/settings';
import type { FromWorker, ToWorker } from '../worker/protocol';
import { metrics } from './metrics-buffer';
import { browserLanguage, LANGUAGES, type Language, useStore } from './store';

/** The page's hash: the run's settings, then the language shown. */
function pageHash(config: RunConfig, experiment: string | null, language: Language): string {
  return `${toHash(config, experiment)}&${LANGUAGE_KEY}=${language}`;
}

let worker: Worker | null = null;

export function send(message: ToWorker): void {
  worker?.postMessage(message);
}

/** Reads the URL hash, starts the worker, and keeps worker and hash in step with the config. */
export function startBridge(): void {
  const { config, ignored, experiment, language: linked } = fromHash(window.location.hash);
  useStore.getState().loadConfig(config, ignored, experiment);
  // the link's language, else the browser's
  const language = LANGUAGES.find((l) => l === linked) ?? browserLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
  if (linked !== null && linked !== language) ignored.push(`${LANGUAGE_KEY}=${linked} (not one of ${LANGUAGES.join(', ')})`);
  useStore.getState().setLanguage(language);
  document.documentElement.lang = language;
  worker = new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    // the history first (charts redraw from it on the next frame), then the state React renders
    metrics.receive(event.data);
    useStore.getState().receive(event.data);
  };
  worker.onerror = (event) => useStore.getState().receive({ type: 'error', message: event.message || 'the training worker failed' });
  send({ type: 'configure', config });
  window.history.replaceState(null, '', pageHash(config, experiment, language));

  let pace = useStore.getState().pace;
  useStore.subscribe((state) => {
    if (state.pace === pace) return;
    pace = state.pace;
    send({ type: 'pace', stepsPerSecond: pace });
  });

  let previous: RunConfig = config;
  let previousExperiment = experiment;
  let previousLanguage = language;
  useStore.subscribe((state) => {
    // a newly chosen experiment starts the run afresh with its settings (one build in the worker)
    const chosen = state.experiment !== previousExperiment && state.experiment !== null;
    if (state.experiment !== previousExperiment) {
      previousExperiment = state.experiment;
      window.history.replaceState(null, '', pageHash(state.config, state.experiment, state.language));
    }
    if (state.language !== previousLanguage) {
      previousLanguage = state.language;
      document.documentElement.lang = state.language;
      window.history.replaceState(null, '', pageHash(state.config, state.experiment, state.language));
    }
    if (state.config === previous) return;
    const before = previous;
    previous = state.config;
    // new weights are marked by the worker, which knows the step they start at
    const next = (metrics.latest?.step ?? 0) + 1;
    if (before.batchSize !== state.config.batchSize) metrics.markBatchSize(next, state.config.batchSize);
    send({ type: 'configure', config: state.config, ...(chosen ? { fresh: true } : {}) });
    window.history.replaceState(null, '', pageHash(state.config, state.experiment, state.language));
  });
}
