// The page's store: two slices in one zustand store, worker messages applied to the run state, the metrics history kept apart.
import { describe, expect, it } from 'vitest';
import { histogramRow, readHistogram } from '../src/core/histogram';
import { type Inside, signalsOf } from '../src/core/inspection';
import { DEFAULT_RUN } from '../src/core/settings';
import { metrics } from '../src/store/metrics-buffer';
import { useStore } from '../src/store/store';
import type { FromWorker, MetricPoint } from '../src/worker/protocol';

/** A histogram of these values, as a backend writes it. */
const histogram = (values: number[]) => readHistogram(histogramRow(values, { center: 0, threshold: Infinity }), 0);
const inside: Inside = {
  rows: 2,
  input: { cols: 1, norm: 1 },
  lambda: 0,
  activation: 'relu',
  layers: [
    { fanIn: 1, fanOut: 1, z: histogram([1, 1]), h: histogram([0.5, -0.5]), W: histogram([1]), dz: histogram([0.1]), dh: histogram([0.1]), dW: histogram([1]) },
    { fanIn: 1, fanOut: 2, z: histogram([1, 1]), W: histogram([1, 1]), dz: histogram([0.2]), dW: histogram([1, 1]) },
  ],
};

const point = (step: number): MetricPoint => ({
  step,
  epoch: 0,
  loss: 2.3,
  l2: 0,
  trainAcc: 0.1,
  gradNorms: [1, 2],
  weightNorms: [3, 4],
  lambda: 0,
  lr: 0.1,
  batchSize: 256,
});

describe('the store', () => {
  it('composes the configuration and run slices; setConfig merges checked fields', () => {
    const { setConfig, loadConfig } = useStore.getState();
    loadConfig({ ...DEFAULT_RUN, depth: 3 }, ['x=1 (unknown setting)']);
    setConfig({ lr: 0.5 });
    expect(useStore.getState().config).toEqual({ ...DEFAULT_RUN, depth: 3, lr: 0.5 });
    expect(useStore.getState().ignoredFromLink).toEqual(['x=1 (unknown setting)']);
    expect(useStore.getState().run.running).toBe(false);
  });

  it("applies worker messages to the run state without touching the page's metrics history", () => {
    const history = metrics; // the one the charts draw from
    const { receive } = useStore.getState();
    const messages: FromWorker[] = [
      { type: 'backend', info: { name: 'cpu', label: 'CPU · chosen in Backend' } },
      { type: 'model', info: { shapes: [[784, 10]], stepsPerEpoch: 235, datasetName: 'Fashion-MNIST', classNames: [], imageSide: 28 } },
      { type: 'metrics', points: [point(1), point(2)], stepsPerSecond: 12 },
      { type: 'diverged', step: 3, reason: 'the loss is NaN' },
    ];
    for (const m of messages) receive(m);
    const run = useStore.getState().run;
    expect(run.latest?.step).toBe(2);
    expect(run.stepsPerSecond).toBe(12);
    expect(run.divergence).toEqual({ step: 3, reason: 'the loss is NaN' });
    expect(history.steps).toEqual([]);
    // the bridge gives the history the same messages
    for (const m of messages) history.receive(m);
    history.receive({
      type: 'evaluation',
      step: 2,
      test: { accuracy: 0.7, loss: 0.8, count: 2000 },
      train: { accuracy: 0.9, loss: 0.2, count: 2000 },
      unitSpread: [0, 1],
      inside,
      weightImages: null,
      confusion: { classes: 2, counts: [1, 0, 0, 1] },
      mistakes: [],
    });
    expect(history.steps).toEqual([1, 2]);
    expect(history.testAcc).toEqual([undefined, 0.7]);
    expect(history.trainLoss).toEqual([undefined, 0.2]);
    // the growth through depth, derived from inside the network
    expect(history.signals).toEqual(signalsOf(inside));
    expect(history.signals?.activationRms).toEqual([0.5]);
    expect(history.signals?.backwardNorm.map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.2]);
    expect(history.weightNorms).toEqual([
      [3, 3],
      [4, 4],
    ]);
    // an overflowed evaluation is a gap, not NaN
    history.receive({ type: 'metrics', points: [point(3)], stepsPerSecond: 1 });
    history.receive({
      type: 'evaluation',
      step: 3,
      test: { accuracy: 0.1, loss: Number.NaN, count: 2000 },
      train: { accuracy: 0.1, loss: Number.POSITIVE_INFINITY, count: 2000 },
      unitSpread: [0, 1],
      inside: null,
      weightImages: null,
      confusion: { classes: 2, counts: [1, 0, 0, 1] },
      mistakes: [],
    });
    expect(history.testLoss.at(-1)).toBeNull();
    expect(history.trainLoss.at(-1)).toBeNull();
    expect(history.testAcc.at(-1)).toBe(0.1);
    receive({ type: 'reset' });
    history.receive({ type: 'reset' });
    expect(useStore.getState().run).toMatchObject({ latest: null, divergence: null, backend: { name: 'cpu' }, model: { stepsPerEpoch: 235 } });
    expect(history.steps).toEqual([]);
  });

  it('an experiment loads its settings, keeps the backend, and its name ends with a change of any other setting', () => {
    const { loadConfig, chooseExperiment, setConfig } = useStore.getState();
    loadConfig({ ...DEFAULT_RUN, backend: 'cpu' }, []);
    chooseExperiment('vanishing');
    expect(useStore.getState().experiment).toBe('vanishing');
    expect(useStore.getState().config).toMatchObject({ depth: 10, activation: 'sigmoid', init: 'mxnet-default', backend: 'cpu' });
    setConfig({ backend: 'auto' });
    expect(useStore.getState().experiment).toBe('vanishing');
    setConfig({ lr: 0.2 });
    expect(useStore.getState().experiment).toBeNull();
    expect(useStore.getState().config.depth).toBe(10); // the run's settings stay
  });

  it('new weights or a new model drop what was measured of the old one: its evaluation, its inside, its checks', () => {
    const { receive, startCheck } = useStore.getState();
    const evaluation: FromWorker = {
      type: 'evaluation',
      step: 2,
      test: { accuracy: 0.7, loss: 0.8, count: 10 },
      train: { accuracy: 0.9, loss: 0.2, count: 10 },
      unitSpread: [1],
      inside: null,
      weightImages: [new Float32Array(784)],
      confusion: { classes: 2, counts: [5, 0, 0, 5] },
      mistakes: [],
    };
    const report: FromWorker = { type: 'check', report: { kind: 'backends', step: 2, unavailable: 'no WebGPU' } };
    for (const end of [
      { type: 'newWeights', step: 3, label: 're-init zeros' },
      { type: 'model', info: { shapes: [[784, 10]], stepsPerEpoch: 235, datasetName: 'Fashion-MNIST', classNames: [], imageSide: 28 } },
    ] as FromWorker[]) {
      startCheck('backends');
      receive(evaluation);
      receive(report);
      expect(useStore.getState().run.evaluation?.weightImages).toHaveLength(1);
      expect(useStore.getState().run.checks.backends).toBeDefined();
      expect(useStore.getState().run.checking).toEqual([]);
      receive(end);
      expect(useStore.getState().run.evaluation, end.type).toBeNull();
      expect(useStore.getState().run.checks, end.type).toEqual({});
    }
  });

  it('new weights break the step lines: a null row between the two models', () => {
    metrics.clear();
    metrics.receive({ type: 'metrics', points: [point(1), point(2)], stepsPerSecond: 1 });
    metrics.markNewWeights(3, 're-init zeros');
    metrics.receive({ type: 'metrics', points: [point(3)], stepsPerSecond: 1 });
    expect(metrics.steps).toEqual([1, 2, 2.5, 3]);
    expect(metrics.loss).toEqual([2.3, 2.3, null, 2.3]);
    expect(metrics.gradNorms[0]).toEqual([1, 1, null, 1]);
    expect(metrics.testLoss).toEqual([undefined, undefined, null, undefined]);
    expect(metrics.markers).toEqual([{ step: 3, label: 're-init zeros' }]);
  });
});

describe('the page language', () => {
  it('follows the browser: Chinese for any zh-* before English, else English', async () => {
    const { browserLanguage } = await import('../src/store/store');
    expect(browserLanguage(['zh-CN', 'en-US'])).toBe('zh');
    expect(browserLanguage(['zh-TW'])).toBe('zh');
    expect(browserLanguage(['en-GB', 'zh-CN'])).toBe('en');
    expect(browserLanguage(['fr-FR'])).toBe('en');
    expect(browserLanguage([])).toBe('en');
  });
});
