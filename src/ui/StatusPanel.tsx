// The status line, the loading bar, and the notices: divergence, ignored link values, worker errors.
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
    <p className="status" role="status">
      {parts.join(' · ')}
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
