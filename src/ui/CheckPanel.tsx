// "Check it yourself": the current model's gradients against float64 finite differences, and the CPU against WebGPU on the same step, run on a copy of the model.
import { BACKEND_COMPARISON_TOLERANCE, GRADIENT_CHECK_FLOOR, GRADIENT_CHECK_STEP, GRADIENT_CHECK_TOLERANCE } from '../core/checks';
import { useStore } from '../store/store';
import { send } from '../store/worker-bridge';
import type { CheckKind, CheckReport } from '../worker/protocol';
import { formatNumber, layerIndex } from './format';

const verdict = (passed: boolean) => <strong className={passed ? 'pass' : 'fail'}>{passed ? 'pass' : 'fail'}</strong>;

function GradientReport({ report }: { report: CheckReport | undefined }) {
  if (!report) return null;
  if ('failed' in report) return <p role="alert">The gradient check could not run: {report.failed}</p>;
  if (report.kind !== 'gradients' || !('result' in report)) return null;
  const { result } = report;
  return (
    <div className="check-report">
      <p>
        Step {report.step}: largest relative error {formatNumber(result.worstRelativeError)} over {result.checked} parameters of {result.layers.length} layer
        {result.layers.length === 1 ? '' : 's'} on {report.samples} training examples, against a tolerance of {formatNumber(result.tolerance)}:{' '}
        {verdict(result.passed)}.
      </p>
      {result.layers.some((l) => l.belowFloor > 0) && (
        <p>
          Entries whose gradient is below the floor {formatNumber(result.floor)} ({result.layers.reduce((sum, l) => sum + l.belowFloor, 0)} of {result.checked})
          are only held to |a − n| ≤ {formatNumber(result.tolerance * result.floor)}: a float64 difference cannot resolve them more finely, so a vanishing
          gradient there is shown to be tiny, not checked digit by digit.
        </p>
      )}
      <table className="check-table" aria-label="Gradient check by layer">
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Entries</th>
            <th
              scope="col"
              title={`entries whose gradient is below ${formatNumber(result.floor)}: held to |a − n| ≤ ${formatNumber(result.tolerance * result.floor)}`}
            >
              Below the floor
            </th>
            <th scope="col">Largest relative error</th>
            <th scope="col">Analytic ∂J/∂θ</th>
            <th scope="col">Centred difference</th>
          </tr>
        </thead>
        <tbody>
          {result.layers.map((l) => (
            <tr key={l.layer}>
              <td>{l.layer}</td>
              <td>{l.checked}</td>
              <td>{l.belowFloor}</td>
              <td>{l.belowFloor === l.checked ? 'not resolved' : formatNumber(l.worstRelativeError)}</td>
              <td>{formatNumber(l.worst.analytic)}</td>
              <td>{formatNumber(l.worst.numeric)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BackendReport({ report }: { report: CheckReport | undefined }) {
  if (!report) return null;
  if ('failed' in report) return <p role="alert">The comparison could not run: {report.failed}</p>;
  if ('unavailable' in report) return <p>{report.unavailable}</p>;
  if (report.kind !== 'backends' || !('backends' in report)) return null;
  const { result, backends } = report;
  return (
    <div className="check-report">
      <p>
        Step {report.step}, one forward and backward pass on {report.samples} training examples: the loss differs by {formatNumber(result.lossDifference)}{' '}
        (relative) and the layers' ‖∂J/∂W‖ by at most {formatNumber(Math.max(0, ...result.layers.map((l) => l.relativeDifference)))}, against a tolerance of{' '}
        {formatNumber(result.tolerance)}: {verdict(result.passed)}.
      </p>
      <table className="check-table" aria-label="Backends compared">
        <thead>
          <tr>
            <th scope="col">Quantity</th>
            <th scope="col">{backends[0]}</th>
            <th scope="col">{backends[1]}</th>
            <th scope="col">Relative difference</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>loss L</td>
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
    <section className="chart checks" aria-label="Check it yourself">
      <h2 className="panel-title">Check it yourself</h2>
      <p className="caption">
        Both run on a copy of the current parameters, between training steps: the run goes on as before. Check gradients runs the float64 reference
        implementation (plain loops, the specification every backend is tested against) on those parameters and compares its backpropagated gradient of a sample
        of parameters from every layer with centred differences (J(θ + h) − J(θ − h))/2h, h = {formatNumber(GRADIENT_CHECK_STEP)}; relative error |a − n| /
        max(|a|, |n|, {formatNumber(GRADIENT_CHECK_FLOOR)}·max(1, |J|)), passing below {formatNumber(GRADIENT_CHECK_TOLERANCE)}. Compare backends runs the same
        forward and backward pass on the CPU and on WebGPU, so it checks the GPU's kernels, and passes when the loss and every ‖∂J/∂W‖ agree within{' '}
        {formatNumber(BACKEND_COMPARISON_TOLERANCE)} (relative).
      </p>
      <div className="check-buttons">
        <button type="button" disabled={!ready || busy('gradients')} onClick={() => ask('gradients')}>
          {busy('gradients') ? 'Checking gradients…' : 'Check gradients'}
        </button>
        <button type="button" disabled={!ready || busy('backends')} onClick={() => ask('backends')}>
          {busy('backends') ? 'Comparing backends…' : 'Compare backends'}
        </button>
      </div>
      <div aria-live="polite">
        <GradientReport report={checks.gradients} />
        <BackendReport report={checks.backends} />
      </div>
    </section>
  );
}
