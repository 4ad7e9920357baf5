// A run taken away and brought back (src/store/run-file.ts): JSON round trip, CSV rows, and every malformed, truncated or foreign file refused by name.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN } from '../src/core/settings';
import { MetricsBuffer } from '../src/store/metrics-buffer';
import { RunFileError, readRunFile, runCsv, runFile } from '../src/store/run-file';
import type { MetricPoint } from '../src/worker/protocol';

const point = (step: number): MetricPoint => ({
  step,
  epoch: 0,
  loss: 2.3 / step,
  l2: 0.01,
  trainAcc: 0.1,
  gradNorms: [1.5e-11 * step, 0.2],
  weightNorms: [3, 4],
  lambda: 0.01,
  lr: 0.1,
  batchSize: 64,
});

function recorded(): MetricsBuffer {
  const buffer = new MetricsBuffer();
  buffer.append([point(1), point(2), point(3)]);
  buffer.setEvaluation(3, { loss: 0.8, accuracy: 0.7, count: 10 }, { loss: 0.6, accuracy: 0.75, count: 10 });
  buffer.markNewWeights(4, 're-init zeros');
  buffer.append([point(4)]);
  return buffer;
}

describe('the run file', () => {
  const config = { ...DEFAULT_RUN, backend: 'cpu' as const, model: 'mlp' as const, depth: 1, lambda: 0.01 };

  it('round-trips through JSON: settings without the backend, every series, the marks', () => {
    const file = runFile(config, 'vanishing', recorded());
    expect('backend' in file.settings).toBe(false);
    const back = readRunFile(JSON.stringify(file));
    expect(back).toEqual(file);
    expect(back.series.step).toEqual([1, 2, 3, 3.5, 4]); // 3.5: the break between two weights
    expect(back.series.testLoss).toEqual([null, null, 0.8, null, null]);
    expect(back.series.gradNorms[0][0]).toBe(1.5e-11);
    expect(back.series.updateRatio[0][1]).toBeCloseTo((0.1 * 3e-11) / 3, 20);
    expect(back.markers).toEqual([{ step: 4, label: 're-init zeros' }]);
  });

  it('writes CSV with a header and one row per recorded step (the break left out)', () => {
    const csv = runCsv(runFile(config, null, recorded()))
      .trimEnd()
      .split('\n');
    expect(csv[0]).toBe(
      'step,batch loss,L2 term,training-set loss,test loss,training-set accuracy,test accuracy,grad norm layer 1,grad norm layer 2,weight norm layer 1,weight norm layer 2,update ratio layer 1,update ratio layer 2',
    );
    expect(csv).toHaveLength(1 + 4);
    expect(csv[1].split(',')).toHaveLength(13);
    expect(csv[3].startsWith('3,0.7666666666666666,0.01,0.6,0.8,0.75,0.7,4.5e-11,0.2,')).toBe(true);
    expect(csv[4].startsWith('4,')).toBe(true);
  });

  const good = () => JSON.parse(JSON.stringify(runFile(config, null, recorded())));
  const refused: [string, () => string, RegExp][] = [
    ['truncated', () => JSON.stringify(good()).slice(0, 120), /not JSON .*truncated/],
    ['not an object', () => '[1, 2]', /not a Gradient Lab run/],
    ['another format', () => JSON.stringify({ ...good(), format: 'tfjs-model' }), /format is "tfjs-model"/],
    ['a newer version', () => JSON.stringify({ ...good(), version: 2 }), /version 2 is not 1/],
    ['a setting out of range', () => JSON.stringify({ ...good(), settings: { ...good().settings, lr: -1 } }), /settings: lr -1 is not allowed/],
    [
      'a setting missing',
      () => JSON.stringify({ ...good(), settings: { ...good().settings, depth: undefined } }),
      /settings.depth \(Hidden layers\) is missing/,
    ],
    ['an unknown setting', () => JSON.stringify({ ...good(), settings: { ...good().settings, backend: 'cpu' } }), /unknown entries: backend/],
    ['a short series', () => JSON.stringify({ ...good(), series: { ...good().series, loss: [1, 2] } }), /series.loss has 2 values for 5 steps/],
    ['a string in a series', () => JSON.stringify({ ...good(), series: { ...good().series, l2: [0, 'x', 0, 0, 0] } }), /series.l2\[1\] is "x"/],
    ['steps going back', () => JSON.stringify({ ...good(), series: { ...good().series, step: [1, 3, 2, 4, 5] } }), /not increasing at 2/],
    ['a layer of the wrong length', () => JSON.stringify({ ...good(), series: { ...good().series, gradNorms: [[1]] } }), /series.gradNorms\[0\] has 1 values/],
    ['no series', () => JSON.stringify({ ...good(), series: undefined }), /series are missing/],
    ['a fractional step', () => JSON.stringify({ ...good(), series: { ...good().series, step: [1, 2, 2.25, 3, 4] } }), /series.step\[2\] is 2.25, not a step/],
    ['a step 0', () => JSON.stringify({ ...good(), series: { ...good().series, step: [0, 2, 3, 3.5, 4] } }), /series.step\[0\] is 0/],
    [
      'a break that holds values',
      () => JSON.stringify({ ...good(), series: { ...good().series, loss: [1, 1, 1, 1, 1] } }),
      /series.step\[3\] is a break \(3.5\) but holds values/,
    ],
    [
      'layer counts that differ',
      () => JSON.stringify({ ...good(), series: { ...good().series, weightNorms: [good().series.weightNorms[0]] } }),
      /series.weightNorms has 1 layers where series.gradNorms has 2/,
    ],
    [
      'more layers than any model',
      () => JSON.stringify({ ...good(), series: { ...good().series, gradNorms: Array.from({ length: 70 }, () => [null, null, null, null, null]) } }),
      /has 70 layers, more than a model here has/,
    ],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}, saying what is wrong`, () => {
      expect(() => readRunFile(text())).toThrow(RunFileError);
      expect(() => readRunFile(text())).toThrow(message);
    });
  }
});
