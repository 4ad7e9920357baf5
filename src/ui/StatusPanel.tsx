// The status line, the loading bar, and the notices: divergence, ignored link values, worker errors.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectRun, useStore } from '../store/store';
import { formatNumber, formatShare } from './format';
import { currentStrings, ignoredText, type Strings, useStrings } from './i18n';

/** A loss as the status line shows it: six significant digits, so that two backends' losses can be compared by eye (an overflow reads as such, in words). */
const formatLoss = (value: number) => formatNumber(value, 6);

/** A backend's label from the worker with its fixed words in the page's language (an adapter's name stays as it is). */
export function backendLabel(t: Strings, label: string): string {
  return Object.entries(t.status.backendWords).reduce((text, [english, translated]) => text.split(english).join(translated), label);
}

export function StatusLine() {
  const t = useStrings();
  const run = useStore(selectRun);
  const s = t.status;
  const parts: string[] = [run.backend ? backendLabel(t, run.backend.label) : s.starting];
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
  if (run.running) parts.push(s.speed(formatNumber(run.stepsPerSecond)));
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

export function Notices() {
  const t = useStrings();
  const { divergence, error, ignored } = useStore(useShallow((s) => ({ divergence: s.run.divergence, error: s.run.error, ignored: s.ignoredFromLink })));
  return (
    <>
      {divergence && (
        <div className="notice danger" role="alert">
          <strong>{t.status.diverged(divergence.step)}</strong>: {t.status.reason(divergence.reason)}. {t.status.divergedAdvice}
        </div>
      )}
      {error && (
        <div className="notice danger" role="alert">
          {error}
        </div>
      )}
      {ignored.length > 0 && (
        <div className="notice" role="note">
          {t.status.ignored(ignored.map((entry) => ignoredText(t, entry)).join('; '))}
        </div>
      )}
    </>
  );
}
