// The status line, the loading bar, and the notices: divergence, ignored link values, worker errors.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectRun, useStore } from '../store/store';
import { formatNumber, formatShare } from './format';

/** A loss as the status line shows it: six significant digits, so that two backends' losses can be compared by eye (an overflow reads as such, in words). */
const formatLoss = (value: number) => formatNumber(value, 6);

export function StatusLine() {
  const run = useStore(selectRun);
  const parts: string[] = [run.backend ? run.backend.label : 'Starting…'];
  if (run.latest) {
    parts.push(`step ${run.latest.step}`, `epoch ${run.latest.epoch + 1}`, `loss ${formatLoss(run.latest.loss)}`);
    parts.push(`L2 term ${formatNumber(run.latest.l2, 4)}`);
  } else if (run.model) {
    parts.push('step 0');
  }
  if (run.evaluation) {
    const { test, train } = run.evaluation;
    parts.push(`test accuracy ${formatShare(test.accuracy)}`, `test loss ${formatLoss(test.loss)}`, `training-set loss ${formatLoss(train.loss)}`);
  }
  if (run.running) parts.push(`${formatNumber(run.stepsPerSecond)} steps/s`);
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
  const divergence = useStore((s) => s.run.divergence);
  const backend = useStore((s) => s.run.backend?.label ?? null);
  const [said, setSaid] = useState('');
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const step = useStore.getState().run.latest?.step ?? 0;
    setSaid(running ? `Training started at step ${step}.` : `Paused at step ${step}.`);
  }, [running]);
  useEffect(() => {
    if (divergence) setSaid(`Training diverged at step ${divergence.step}: ${divergence.reason}.`);
  }, [divergence]);
  useEffect(() => {
    if (backend) setSaid(`Backend: ${backend}.`);
  }, [backend]);
  return (
    <p className="visually-hidden" aria-live="polite">
      {said}
    </p>
  );
}

export function LoadingBar() {
  const loading = useStore((s) => s.run.loading);
  if (!loading) return null;
  const percent = Math.round((100 * loading.loaded) / loading.total);
  return (
    <div className="loading">
      <label>
        Loading {loading.what} ({percent}%)
        <progress max={loading.total} value={loading.loaded} aria-label={`Loading ${loading.what}`} />
      </label>
    </div>
  );
}

export function Notices() {
  const { divergence, error, ignored } = useStore(useShallow((s) => ({ divergence: s.run.divergence, error: s.run.error, ignored: s.ignoredFromLink })));
  return (
    <>
      {divergence && (
        <div className="notice danger" role="alert">
          <strong>Training diverged at step {divergence.step}</strong>: {divergence.reason}. Training is paused and the weights are those from before that step.
          Try a smaller learning rate, or another initializer (Xavier uniform or He normal instead of a wide Normal).
        </div>
      )}
      {error && (
        <div className="notice danger" role="alert">
          {error}
        </div>
      )}
      {ignored.length > 0 && (
        <div className="notice" role="note">
          Ignored from the link (defaults used): {ignored.join('; ')}
        </div>
      )}
    </>
  );
}
