// Connects the store to the training worker: config changes go out (and into the URL hash), messages come in.
import { fromHash, toHash } from '../core/run-config';
import type { RunConfig } from '../core/settings';
import type { FromWorker, ToWorker } from '../worker/protocol';
import { metrics } from './metrics-buffer';
import { useStore } from './store';

let worker: Worker | null = null;

export function send(message: ToWorker): void {
  worker?.postMessage(message);
}

/** Reads the URL hash, starts the worker, and keeps worker and hash in step with the config. */
export function startBridge(): void {
  const { config, ignored, experiment } = fromHash(window.location.hash);
  useStore.getState().loadConfig(config, ignored, experiment);
  worker = new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    // the history first (charts redraw from it on the next frame), then the state React renders
    metrics.receive(event.data);
    useStore.getState().receive(event.data);
  };
  worker.onerror = (event) => useStore.getState().receive({ type: 'error', message: event.message || 'the training worker failed' });
  send({ type: 'configure', config });
  window.history.replaceState(null, '', toHash(config, experiment));

  let pace = useStore.getState().pace;
  useStore.subscribe((state) => {
    if (state.pace === pace) return;
    pace = state.pace;
    send({ type: 'pace', stepsPerSecond: pace });
  });

  let previous: RunConfig = config;
  let previousExperiment = experiment;
  useStore.subscribe((state) => {
    // a newly chosen experiment starts the run afresh with its settings (one build in the worker)
    const chosen = state.experiment !== previousExperiment && state.experiment !== null;
    if (state.experiment !== previousExperiment) {
      previousExperiment = state.experiment;
      window.history.replaceState(null, '', toHash(state.config, state.experiment));
    }
    if (state.config === previous) return;
    const before = previous;
    previous = state.config;
    // new weights are marked by the worker, which knows the step they start at
    const next = (metrics.latest?.step ?? 0) + 1;
    if (before.batchSize !== state.config.batchSize) metrics.markBatchSize(next, state.config.batchSize);
    send({ type: 'configure', config: state.config, ...(chosen ? { fresh: true } : {}) });
    window.history.replaceState(null, '', toHash(state.config, state.experiment));
  });
}
