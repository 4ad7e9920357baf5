// Connects the store to the training worker: config changes go out (and into the URL hash, which is read back when it changes), messages come in, and a worker that dies or goes silent is replaced.
import { fromHash, LANGUAGE_KEY, toHash } from '../core/run-config';
import type { RunConfig } from '../core/settings';
import type { FromWorker, ToWorker } from '../worker/protocol';
import type { WorkerTrouble } from './initial-state';
import { metrics } from './metrics-buffer';
import { browserLanguage, LANGUAGES, type Language, useStore } from './store';

/** The page's hash: the run's settings, then the language shown. */
function pageHash(config: RunConfig, experiment: string | null, language: Language): string {
  return `${toHash(config, experiment)}&${LANGUAGE_KEY}=${language}`;
}

/** The worker is pinged when nothing has been heard from it for this long (ms)… */
const PING_AFTER_MS = 2000;
/** …and replaced when a ping has gone unanswered this long: a long step still answers between its layer ops. */
export const SILENCE_MS = 10_000;
/** Replacements within a minute before the page stops trying (a worker that cannot start at all). */
const MAX_REPLACEMENTS = 3;

/** Metrics reach the store (and the components that render them) at most this often (ms); the charts' history gets them at once. */
const STORE_METRICS_EVERY_MS = 250;

let worker: Worker | null = null;
/** Metrics not yet given to the store, as one message, and the timer that will. */
let heldMetrics: Extract<FromWorker, { type: 'metrics' }> | null = null;
let heldTimer = 0;
let lastHeard = 0;
const replacedAt: number[] = [];

export function send(message: ToWorker): void {
  worker?.postMessage(message);
}

/** The settings and language a hash gives (an unknown language falls back to the browser's, and is listed as ignored). */
function readHash(hash: string): { config: RunConfig; ignored: string[]; experiment: string | null; language: Language } {
  const { config, ignored, experiment, language: linked } = fromHash(hash);
  const language = LANGUAGES.find((l) => l === linked) ?? browserLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
  if (linked !== null && linked !== language) ignored.push(`${LANGUAGE_KEY}=${linked} (not one of ${LANGUAGES.join(', ')})`);
  return { config, ignored, experiment, language };
}

/** Starts a worker on the current settings; `resumeAt`: it takes over a run whose charts reached that step. */
function startWorker(resumeAt?: number): void {
  const started = new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module' });
  worker = started;
  lastHeard = performance.now();
  started.onmessage = (event: MessageEvent<FromWorker>) => {
    if (worker !== started) return;
    lastHeard = performance.now();
    if (event.data.type === 'pong') return;
    // the history first (charts redraw from it on the next frame), then the state React renders
    metrics.receive(event.data);
    toStore(event.data);
  };
  started.onerror = (event) => {
    event.preventDefault(); // said on the page, not left unhandled
    if (worker === started) replaceWorker({ why: 'failed', message: event.message || 'the script did not run' });
  };
  started.onmessageerror = () => {
    if (worker === started) replaceWorker({ why: 'unreadable' });
  };
  const { config } = useStore.getState();
  started.postMessage({ type: 'configure', config, ...(resumeAt !== undefined ? { resumeAt } : {}) } satisfies ToWorker);
  started.postMessage({ type: 'pace', stepsPerSecond: useStore.getState().pace } satisfies ToWorker);
}

/** Gives a message to the store: metrics gathered to a few a second, anything else at once (after the metrics before it). */
function toStore(message: FromWorker): void {
  if (message.type === 'metrics') {
    heldMetrics = heldMetrics ? { ...message, points: [...heldMetrics.points, ...message.points] } : message;
    heldTimer ||= window.setTimeout(releaseMetrics, STORE_METRICS_EVERY_MS);
    return;
  }
  releaseMetrics();
  useStore.getState().receive(message);
}

function releaseMetrics(): void {
  clearTimeout(heldTimer);
  heldTimer = 0;
  const held = heldMetrics;
  heldMetrics = null;
  if (held) useStore.getState().receive(held);
}

/** Ends the worker and starts another on the same settings; the charts keep their history, broken where the new weights begin. */
function replaceWorker(trouble: WorkerTrouble): void {
  worker?.terminate();
  worker = null;
  releaseMetrics(); // the old worker's last metrics go in before the notice, not after it
  const now = performance.now();
  replacedAt.push(now);
  while (replacedAt.length > 0 && replacedAt[0] < now - 60_000) replacedAt.shift();
  const store = useStore.getState();
  if (replacedAt.length > MAX_REPLACEMENTS) {
    store.workerReplaced({ ...trouble, gaveUp: true });
    return;
  }
  store.workerReplaced(trouble);
  const step = metrics.latest?.step ?? 0;
  if (metrics.steps.length > 0) metrics.markNewWeights(step + 1, 'new worker');
  startWorker(step);
}

/**
 * Pings a quiet worker, and replaces one that has not answered a ping for SILENCE_MS. Only time the
 * page itself was awake counts: after the page's own thread was held up (its timer late), the
 * worker's answers may still be queued behind it, so the ping is sent afresh.
 */
function watchWorker(): void {
  const every = 1000;
  let lastTick = performance.now();
  let pingedAt: number | null = null;
  setInterval(() => {
    const now = performance.now();
    const late = now - lastTick > 2.5 * every;
    lastTick = now;
    // a check runs the float64 reference without a break: a long one is not silence
    const checking = useStore.getState().run.checking.length > 0;
    if (!worker || late || checking || now - lastHeard < PING_AFTER_MS || (pingedAt !== null && lastHeard > pingedAt)) {
      pingedAt = null;
      return;
    }
    if (pingedAt === null) {
      pingedAt = now;
      send({ type: 'ping' });
    } else if (now - pingedAt > SILENCE_MS) {
      pingedAt = null;
      replaceWorker({ why: 'silent', seconds: Math.round((now - lastHeard) / 1000) });
    }
  }, every);
}

/** Reads the URL hash, starts the worker, and keeps worker and hash in step with the config. */
export function startBridge(): void {
  const first = readHash(window.location.hash);
  useStore.getState().loadConfig(first.config, first.ignored, first.experiment);
  useStore.getState().setLanguage(first.language);
  document.documentElement.lang = first.language;
  startWorker();
  watchWorker();
  window.history.replaceState(null, '', pageHash(first.config, first.experiment, first.language));

  // a hash changed by hand (or a link followed within the page) is read like the first one
  window.addEventListener('hashchange', () => {
    const state = useStore.getState();
    if (window.location.hash === pageHash(state.config, state.experiment, state.language)) return;
    const next = readHash(window.location.hash);
    state.loadConfig(next.config, next.ignored, next.experiment);
    state.setLanguage(next.language);
  });

  let pace = useStore.getState().pace;
  useStore.subscribe((state) => {
    if (state.pace === pace) return;
    pace = state.pace;
    send({ type: 'pace', stepsPerSecond: pace });
  });

  let previous: RunConfig = first.config;
  let previousExperiment = first.experiment;
  let previousLanguage = first.language;
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
