// The status line (with work under way), the loading bar, and the notices: divergence, a failed build, refusals, a replaced worker, dead units, a slow model, ignored link values, worker errors.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ASSUMED_RATE, layerShapes, parameterCount, SLOW_STEP_MS, stepFlops } from '../core/cost';
import type { RunState, WorkerTrouble } from '../store/initial-state';
import { selectRun, useStore } from '../store/store';
import { send } from '../store/worker-bridge';
import { formatCount, formatNumber, formatShare } from './format';
import { currentStrings, ignoredText, type Strings, useStrings } from './i18n';

/** A loss as the status line shows it: six significant digits, so that two backends' losses can be compared by eye (an overflow reads as such, in words). */
const formatLoss = (value: number) => formatNumber(value, 6);

/** A backend's label from the worker with its fixed words in the page's language (an adapter's name stays as it is). */
export function backendLabel(t: Strings, label: string): string {
  return Object.entries(t.status.backendWords).reduce((text, [english, translated]) => text.split(english).join(translated), label);
}

/** The page's clock, ticking every half second while `on` (an elapsed time shown while the worker is busy). */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!on) return;
    setNow(performance.now());
    const timer = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

/** Work under way in words: "step 3 in progress · layer op 40 of 193 · 12 s so far". */
function activityText(t: Strings, activity: NonNullable<RunState['activity']>, now: number): string {
  const a = t.status.activity;
  const what =
    activity.kind === 'build'
      ? a.build
      : activity.kind === 'step'
        ? (activity.compiling ? a.compiling : a.step)(activity.step)
        : activity.kind === 'evaluation'
          ? a.evaluation
          : a.inside;
  const parts = [what];
  if (activity.total > 0) parts.push(a.ops(activity.done, activity.total));
  parts.push(a.elapsed(((now - activity.since) / 1000).toFixed(0)));
  return parts.join(' · ');
}

export function StatusLine() {
  const t = useStrings();
  const run = useStore(selectRun);
  const now = useNow(run.activity !== null);
  const s = t.status;
  const parts: string[] = [run.backend ? backendLabel(t, run.backend.label) : s.starting];
  if (run.noModel !== null) parts.push(s.noModelStatus);
  if (run.latest) {
    parts.push(s.step(run.latest.step), s.epoch(run.latest.epoch + 1), s.loss(formatLoss(run.latest.loss)));
    parts.push(s.l2(formatNumber(run.latest.l2, 4)));
  } else if (run.model) {
    parts.push(s.step(0));
  }
  if (run.evaluation) {
    const { test, train } = run.evaluation;
    parts.push(s.testAccuracy(formatShare(test.accuracy)), s.testLoss(formatLoss(test.loss)), s.trainLoss(formatLoss(train.loss)));
  }
  if (run.running && run.activity?.kind !== 'step') parts.push(s.speed(formatNumber(run.stepsPerSecond)));
  if (run.activity) parts.push(activityText(t, run.activity, now));
  return (
    // rewritten many times a second: not read out (aria-live off); the Announcer says what changed
    <p className="status" role="status" aria-live="off">
      {parts.join(' · ')}
    </p>
  );
}

/**
 * What a screen reader hears: changes of state (started, paused, diverged, the backend), not every
 * step. Visually hidden; the status line shows the same and more.
 */
export function Announcer() {
  const running = useStore((s) => s.run.running);
  const backend = useStore((s) => s.run.backend?.label ?? null);
  const [said, setSaid] = useState('');
  const previous = useRef({ running, backend });
  useEffect(() => {
    const was = previous.current;
    previous.current = { running, backend };
    const t = currentStrings();
    const s = t.status;
    if (running !== was.running) {
      const run = useStore.getState().run;
      // a divergence stops the run: its notice (role alert) says so, not "paused"
      if (!running && run.divergence) return;
      setSaid(running ? s.started(run.latest?.step ?? 0) : s.paused(run.latest?.step ?? 0));
    }
    // the backend chosen at load is in the status line already; a change (a lost GPU, a new choice) is said
    if (backend !== was.backend && was.backend !== null && backend !== null) setSaid(s.backendSaid(backendLabel(t, backend)));
  }, [running, backend]);
  return (
    <p className="visually-hidden" aria-live="polite">
      {said}
    </p>
  );
}

export function LoadingBar() {
  const t = useStrings();
  const loading = useStore((s) => s.run.loading);
  if (!loading) return null;
  const percent = Math.round((100 * loading.loaded) / loading.total);
  return (
    <div className="loading">
      <label>
        {t.status.loading(loading.what, percent)}
        <progress max={loading.total} value={loading.loaded} aria-label={t.status.loadingLabel(loading.what)} />
      </label>
    </div>
  );
}

/** Steps in a row with every gradient exactly 0 (at a loss above chance) before the units are said to be dead… */
export const DEAD_AFTER_STEPS = 50;
/** …and how far above chance (ln q) the loss must be: a run sitting at chance is not said to be dead, only stuck. */
const ABOVE_CHANCE = 1.05;
/** Characters of one ignored link entry shown (a 100 KB value is cut, with an ellipsis). */
const IGNORED_SHOWN = 200;

function troubleText(t: Strings, trouble: WorkerTrouble): string {
  const why =
    trouble.why === 'silent'
      ? t.status.workerSilent(trouble.seconds)
      : trouble.why === 'failed'
        ? t.status.workerFailed(trouble.message)
        : t.status.workerUnreadable;
  return trouble.gaveUp ? t.status.workerGaveUp(why) : t.status.workerReplaced(why);
}

/** The notice before a slow model trains: its step's time from its size and the rate measured here (or assumed). */
function SlowModelNotice() {
  const t = useStrings();
  const { config, backend, measured } = useStore(useShallow((s) => ({ config: s.config, backend: s.run.backend, measured: s.run.measuredRate })));
  const name = config.backend === 'auto' ? (backend?.name ?? 'webgpu') : config.backend;
  const shapes = layerShapes(config);
  const flops = stepFlops(shapes, config.batchSize);
  // a rate measured on a much smaller model is mostly its overheads: it does not scale up
  const similar = measured[name] && measured[name].flops >= flops / 10 ? measured[name] : undefined;
  const rate = similar?.rate ?? ASSUMED_RATE[name];
  const ms = (1000 * flops) / rate;
  if (ms < SLOW_STEP_MS) return null;
  return (
    <div className="notice" role="note">
      {t.status.slowStep(
        formatNumber(ms / 1000, 2),
        formatCount(parameterCount(shapes)),
        t.status.backendNames[name],
        formatNumber(rate / 1e9, 2),
        similar !== undefined,
      )}
    </div>
  );
}

export function Notices() {
  const t = useStrings();
  const { divergence, error, ignored, noModel, refusal, replaced, zeroSteps, latest, classes } = useStore(
    useShallow((s) => ({
      divergence: s.run.divergence,
      error: s.run.error,
      ignored: s.ignoredFromLink,
      noModel: s.run.noModel,
      refusal: s.run.refusal,
      replaced: s.run.workerReplaced,
      zeroSteps: s.run.zeroGradientSteps,
      latest: s.run.latest,
      classes: s.run.model?.classNames.length ?? 0,
    })),
  );
  const chance = Math.log(classes);
  const dead = zeroSteps >= DEAD_AFTER_STEPS && latest !== null && classes > 1 && latest.loss > ABOVE_CHANCE * chance;
  const cut = (entry: string) => (entry.length > IGNORED_SHOWN ? `${entry.slice(0, IGNORED_SHOWN)}…` : entry);
  return (
    <>
      {noModel !== null && (
        <div className="notice danger" role="alert">
          <strong>{t.status.noModel(noModel)}</strong> {t.status.noModelAdvice}
        </div>
      )}
      {refusal?.reason === 'no-model' && noModel === null && (
        <div className="notice danger" role="alert">
          {t.status.refusedNoModel}
        </div>
      )}
      {divergence && (
        <div className="notice danger" role="alert">
          <strong>{t.status.diverged(divergence.step)}</strong>: {t.status.reason(divergence.reason)}. {t.status.divergedAdvice}
          {refusal?.reason === 'diverged' && <p>{t.status.refusedDiverged}</p>}{' '}
          <button type="button" onClick={() => send({ type: 'reset' })}>
            {t.status.resetAfresh}
          </button>
        </div>
      )}
      {replaced && (
        <div className="notice danger" role="alert">
          {troubleText(t, replaced)}
        </div>
      )}
      {dead && latest && (
        <div className="notice danger" role="alert">
          {t.status.deadUnits(zeroSteps, formatLoss(latest.loss), formatNumber(chance, 3))}
        </div>
      )}
      <SlowModelNotice />
      {error && (
        <div className="notice danger" role="alert">
          {error}
        </div>
      )}
      {ignored.length > 0 && (
        <div className="notice" role="note">
          {t.status.ignored(ignored.map((entry) => cut(ignoredText(t, entry))).join('; '))}
        </div>
      )}
    </>
  );
}
