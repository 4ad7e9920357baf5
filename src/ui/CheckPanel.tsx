// "Check it yourself": the current model's gradients against float64 finite differences, and the CPU against WebGPU on the same step, run on a copy of the model.
import { BACKEND_COMPARISON_TOLERANCE, GRADIENT_CHECK_FLOOR, GRADIENT_CHECK_STEP, GRADIENT_CHECK_TOLERANCE } from '../core/checks';
import { useStore } from '../store/store';
import { send } from '../store/worker-bridge';
import type { CheckKind, CheckReport } from '../worker/protocol';
import { formatNumber, layerIndex } from './format';
import { type Strings, useStrings } from './i18n';
import { backendLabel } from './StatusPanel';

type Checks = Strings['inside']['checks'];

const verdict = (c: Checks, passed: boolean) => <strong className={passed ? 'pass' : 'fail'}>{passed ? c.pass : c.fail}</strong>;

function GradientReport({ c, report }: { c: Checks; report: CheckReport | undefined }) {
  if (!report) return null;
  if ('failed' in report) return <p role="alert">{c.gradientFailed(report.failed)}</p>;
  if (report.kind !== 'gradients' || !('result' in report)) return null;
  const { result } = report;
  const below = result.layers.reduce((sum, l) => sum + l.belowFloor, 0);
  const bound = formatNumber(result.tolerance * result.floor);
  return (
    <div className="check-report">
      <p>
        {c.gradientResult(
          report.step,
          formatNumber(result.worstRelativeError),
          result.checked,
          result.layers.length,
          report.samples,
          formatNumber(result.tolerance),
        )}{' '}
        {verdict(c, result.passed)}.
      </p>
      {below > 0 && <p>{c.belowFloor(formatNumber(result.floor), below, result.checked, bound)}</p>}
      <table className="check-table" aria-label={c.byLayer}>
        <thead>
          <tr>
            {c.headers.map((header, i) => (
              <th key={header} scope="col" title={i === 2 ? c.floorTip(formatNumber(result.floor), bound) : undefined}>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.layers.map((l) => (
            <tr key={l.layer}>
              <td>{l.layer}</td>
              <td>{l.checked}</td>
              <td>{l.belowFloor}</td>
              <td>{l.belowFloor === l.checked ? c.notResolved : formatNumber(l.worstRelativeError)}</td>
              <td>{formatNumber(l.worst.analytic)}</td>
              <td>{formatNumber(l.worst.numeric)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BackendReport({ t, report }: { t: Strings; report: CheckReport | undefined }) {
  const c = t.inside.checks;
  if (!report) return null;
  if ('failed' in report) return <p role="alert">{c.compareFailed(report.failed)}</p>;
  if ('unavailable' in report) return <p>{c.noWebGpu(backendLabel(t, report.unavailable))}</p>;
  if (report.kind !== 'backends' || !('backends' in report)) return null;
  const { result, backends } = report;
  const gradients = formatNumber(Math.max(0, ...result.layers.map((l) => l.relativeDifference)));
  return (
    <div className="check-report">
      <p>
        {c.compareResult(report.step, report.samples, formatNumber(result.lossDifference), gradients, formatNumber(result.tolerance))}{' '}
        {verdict(c, result.passed)}.
      </p>
      <table className="check-table" aria-label={c.compared}>
        <thead>
          <tr>
            <th scope="col">{c.quantity}</th>
            <th scope="col">{backends[0]}</th>
            <th scope="col">{backends[1]}</th>
            <th scope="col">{c.difference}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>{c.lossRow}</td>
            <td>{formatNumber(result.loss[0])}</td>
            <td>{formatNumber(result.loss[1])}</td>
            <td>{formatNumber(result.lossDifference)}</td>
          </tr>
          {result.layers.map((l) => (
            <tr key={l.layer}>
              <td>‖∂J/∂W{layerIndex(l.layer)}‖</td>
              <td>{formatNumber(l.gradNorm[0])}</td>
              <td>{formatNumber(l.gradNorm[1])}</td>
              <td>{formatNumber(l.relativeDifference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CheckPanel() {
  const t = useStrings();
  const c = t.inside.checks;
  const ready = useStore((s) => s.run.model !== null);
  const checking = useStore((s) => s.run.checking);
  const checks = useStore((s) => s.run.checks);
  const startCheck = useStore((s) => s.startCheck);
  const ask = (kind: CheckKind) => {
    startCheck(kind);
    send({ type: 'check', kind });
  };
  const busy = (kind: CheckKind) => checking.includes(kind);
  return (
    <section className="chart checks" aria-label={c.region}>
      <h2 className="panel-title">{c.region}</h2>
      <p className="caption">
        {c.caption(
          formatNumber(GRADIENT_CHECK_STEP),
          formatNumber(GRADIENT_CHECK_FLOOR),
          formatNumber(GRADIENT_CHECK_TOLERANCE),
          formatNumber(BACKEND_COMPARISON_TOLERANCE),
        )}
      </p>
      <div className="check-buttons">
        <button type="button" disabled={!ready || busy('gradients')} onClick={() => ask('gradients')}>
          {busy('gradients') ? c.checking : c.gradients}
        </button>
        <button type="button" disabled={!ready || busy('backends')} onClick={() => ask('backends')}>
          {busy('backends') ? c.comparing : c.backends}
        </button>
      </div>
      <div aria-live="polite">
        <GradientReport c={c} report={checks.gradients} />
        <BackendReport t={t} report={checks.backends} />
      </div>
    </section>
  );
}
