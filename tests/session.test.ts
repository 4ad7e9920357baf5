// The training session driven through its message protocol on the CPU backend, without a browser: start, live λ, rebuild, divergence, pause.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { makeSynthetic } from '../src/core/data/synthetic';
import { signalsOf } from '../src/core/inspection';
import { DEFAULT_RUN, type RunConfig } from '../src/core/settings';
import type { FromWorker, MetricPoint } from '../src/worker/protocol';
import { TrainingSession } from '../src/worker/session';

function startSession() {
  const messages: FromWorker[] = [];
  const session = new TrainingSession({
    post: (message) => messages.push(message),
    makeBackend: async (choice, fallbackReason) => ({ backend: new CpuBackend(), info: { name: 'cpu', label: `CPU · ${fallbackReason ?? choice}` } }),
    loadDataset: async (config) => makeSynthetic(config.dataset as 'spiral', { seed: config.seed, noise: config.noise }),
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
  });
  const of = <T extends FromWorker['type']>(type: T) => messages.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
  const points = (): MetricPoint[] => of('metrics').flatMap((m) => m.points);
  /** Sends messages and waits until the session has handled them all (and is not training). */
  const send = async (...sent: Parameters<TrainingSession['receive']>[0][]) => {
    for (const m of sent) session.receive(m);
    await session.idle();
  };
  return { session, messages, of, points, send };
}

const spiral: RunConfig = {
  ...DEFAULT_RUN,
  dataset: 'spiral',
  backend: 'cpu',
  model: 'mlp',
  depth: 1,
  width: 16,
  batchSize: 50,
  lr: 0.5,
  init: 'xavier-uniform',
  activation: 'tanh',
};

describe('the training session, through its messages', () => {
  it('builds the model, takes single steps, and evaluates after each', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral });
    expect(s.of('backend')[0].info.name).toBe('cpu');
    expect(s.of('model')[0].info.shapes).toEqual([
      [2, 16],
      [16, 3],
    ]);
    expect(s.of('boundary')).toHaveLength(1); // a 2-D set: the boundary of the untrained model
    await s.send({ type: 'step' }, { type: 'step' });
    expect(s.points().map((p) => p.step)).toEqual([1, 2]);
    expect(s.of('evaluation').map((e) => e.step)).toEqual([1, 2]);
    // each evaluation: the test and the training set, how far apart the units are, and the signal through depth of the step
    const evaluation = s.of('evaluation')[1];
    expect(evaluation.test.count).toBe(300);
    expect(evaluation.train.count).toBe(1200);
    expect(evaluation.unitSpread).toHaveLength(2);
    expect(signalsOf(evaluation.inside!).activationRms).toHaveLength(1);
    expect(signalsOf(evaluation.inside!).backwardNorm).toHaveLength(2);
    // the confusion matrix counts every evaluated test example; the mistakes are wrong ones, the surest first
    expect(evaluation.confusion.counts.reduce((a, b) => a + b, 0)).toBe(300);
    const diagonal = [0, 1, 2].reduce((sum, c) => sum + evaluation.confusion.counts[4 * c], 0);
    expect(diagonal / 300).toBe(evaluation.test.accuracy);
    expect(evaluation.mistakes.every((m) => m.predicted !== m.label && m.pixels === undefined)).toBe(true);
    const sureness = evaluation.mistakes.map((m) => m.probabilities[m.predicted]);
    expect(sureness).toEqual([...sureness].sort((a, b) => b - a));
    // a pause after it reports the training step's signals again, not the evaluation's forward pass
    s.session.receive({ type: 'play' });
    await s.send({ type: 'pause' });
    expect(
      s
        .of('evaluation')
        .at(-1)!
        .inside?.layers.map((l) => l.dz.finite),
    ).toEqual([50 * 16, 50 * 3]);
    expect(s.points()[0].lambda).toBe(0);
  });

  it('the evaluation carries inside the network at the training step: every layer, the input batch, the step’s λ', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: { ...spiral, lambda: 0.01 } }, { type: 'step' });
    const inside = s.of('evaluation')[0].inside!;
    expect(inside.rows).toBe(50);
    expect(inside.lambda).toBe(0.01);
    expect(inside.activation).toBe('tanh');
    expect(inside.input.cols).toBe(2);
    expect(inside.input.norm).toBeGreaterThan(0);
    expect(inside.layers.map((l) => [l.fanIn, l.fanOut])).toEqual([
      [2, 16],
      [16, 3],
    ]);
    expect(inside.layers[0].h!.finite).toBe(50 * 16);
    expect(inside.layers[0].W.finite).toBe(2 * 16); // W without its bias line
    expect(inside.layers[1].h).toBeUndefined();
    expect(s.of('evaluation')[0].weightImages).toBeNull(); // not an image data set
  });

  it('Check gradients passes on the live model and leaves the run as it was; Compare backends says when there is no WebGPU', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral }, { type: 'step' }, { type: 'step' });
    await s.send({ type: 'check', kind: 'gradients' });
    const report = s.of('check')[0].report;
    expect(report).toMatchObject({ kind: 'gradients', step: 2, samples: 8 });
    if (!('result' in report) || report.kind !== 'gradients') throw new Error(`no result: ${JSON.stringify(report)}`);
    expect(report.result.passed).toBe(true);
    expect(report.result.layers).toHaveLength(2);
    expect(report.result.worstRelativeError).toBeLessThan(report.result.tolerance);
    // the run goes on from where it was: step 3 follows, with the very loss of a run that was never checked
    await s.send({ type: 'step' });
    expect(s.points().map((p) => p.step)).toEqual([1, 2, 3]);
    const control = startSession();
    await control.send({ type: 'configure', config: spiral }, { type: 'step' }, { type: 'step' }, { type: 'step' });
    expect(s.points()[2].loss).toBe(control.points()[2].loss);
    expect(s.points()[2].gradNorms).toEqual(control.points()[2].gradNorms);
    // this test's host offers only the CPU
    await s.send({ type: 'check', kind: 'backends' });
    expect(s.of('check')[1].report).toMatchObject({ kind: 'backends', unavailable: expect.stringMatching(/^CPU · /) });
  });

  it('a live λ change reaches the next step without a rebuild; a depth change rebuilds and the step count goes on', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral }, { type: 'step' });
    await s.send({ type: 'configure', config: { ...spiral, lambda: 0.5 } }, { type: 'step' });
    const [first, second] = s.points();
    expect(second).toMatchObject({ step: 2, lambda: 0.5 });
    expect(first.l2).toBe(0);
    expect(second.l2).toBeGreaterThan(0);
    expect(s.of('model')).toHaveLength(1);
    expect(s.of('newWeights')).toEqual([]); // λ reaches the next step: the same weights go on
    await s.send({ type: 'configure', config: { ...spiral, lambda: 0.5, depth: 3 } }, { type: 'step' });
    // the mark comes after every old step was posted, at the first step of the new model
    const markAt = s.messages.findIndex((m) => m.type === 'newWeights');
    expect(s.messages[markAt]).toEqual({ type: 'newWeights', step: 3, label: 'rebuild: depth 3' });
    expect(s.messages.slice(markAt).flatMap((m) => (m.type === 'metrics' ? m.points.map((p) => p.step) : []))).toEqual([3]);
    expect(s.of('model')).toHaveLength(2);
    expect(s.of('model')[1].info.shapes).toHaveLength(4);
    expect(s.points()[2]).toMatchObject({ step: 3, lambda: 0.5 });
    expect(s.points()[2].gradNorms).toHaveLength(4);
  });

  it('a fresh configuration (a chosen experiment) restarts the run with one build', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral }, { type: 'step' }, { type: 'step' });
    await s.send({ type: 'configure', config: { ...spiral, depth: 2 }, fresh: true }, { type: 'step' });
    expect(s.of('model')).toHaveLength(2); // the first build and one more
    expect(s.of('reset')).toHaveLength(1);
    expect(s.points().map((p) => p.step)).toEqual([1, 2, 1]); // the step count starts again
    expect(s.of('model')[1].info.shapes).toHaveLength(3);
  });

  it('plays until paused, then reports a test evaluation', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral });
    s.session.receive({ type: 'play' });
    while (s.points().length < 40) await new Promise((r) => setTimeout(r, 20));
    await s.send({ type: 'pause' });
    const running = s.of('running').map((m) => m.running);
    expect(running.at(-1)).toBe(false);
    expect(running).toContain(true);
    const steps = s.points().map((p) => p.step);
    expect(steps).toEqual(steps.map((_, i) => i + 1)); // every step once, in order
    expect(s.of('evaluation').at(-1)!.step).toBe(steps.at(-1));
  });

  it('at a pace of 20 steps a second, one second of play takes about 20 steps, and a pause is answered at once', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral }, { type: 'pace', stepsPerSecond: 20 });
    s.session.receive({ type: 'play' });
    await new Promise((r) => setTimeout(r, 1000));
    const asked = performance.now();
    await s.send({ type: 'pause' });
    expect(performance.now() - asked).toBeLessThan(1000);
    const steps = s.points().length;
    expect(steps).toBeGreaterThanOrEqual(8); // a loaded machine takes fewer, never many more
    expect(steps).toBeLessThanOrEqual(24);
  });

  it('a re-initialisation while running is marked at the step the new weights start, after every old step', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral });
    s.session.receive({ type: 'play' });
    while (s.points().length < 30) await new Promise((r) => setTimeout(r, 10));
    s.session.receive({ type: 'configure', config: { ...spiral, init: 'zeros' } });
    await new Promise((r) => setTimeout(r, 200));
    await s.send({ type: 'pause' });
    const markAt = s.messages.findIndex((m) => m.type === 'newWeights');
    const mark = s.messages[markAt] as Extract<FromWorker, { type: 'newWeights' }>;
    expect(mark.label).toBe('re-init zeros');
    const stepsOf = (from: number, to?: number) => s.messages.slice(from, to).flatMap((m) => (m.type === 'metrics' ? m.points.map((p) => p.step) : []));
    const before = stepsOf(0, markAt);
    const after = stepsOf(markAt);
    expect(before.at(-1)).toBe(mark.step - 1);
    expect(after[0]).toBe(mark.step);
  });

  it('a diverging run stops at the step that diverged and says why', async () => {
    const s = startSession();
    const diverging = { ...spiral, depth: 6, width: 32, activation: 'identity' as const, init: 'normal' as const, sigma: 30, lr: 50 };
    await s.send({ type: 'configure', config: diverging }, { type: 'play' });
    const [diverged] = s.of('diverged');
    expect(diverged.reason).toMatch(/is (NaN|Infinity|-Infinity)/);
    expect(s.of('running').at(-1)!.running).toBe(false);
    // every reported step came before the divergence, and none is NaN
    expect(s.points().every((p) => p.step < diverged.step && Number.isFinite(p.loss))).toBe(true);
  });

  it('refuses a configuration with a bad value and says which, keeping the run', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral }, { type: 'step' });
    await s.send({ type: 'configure', config: { ...spiral, lr: -1 } });
    expect(s.of('error').at(-1)!.message).toBe('lr -1 is not allowed: must be a number above 0 to 100');
    await s.send({ type: 'step' });
    expect(s.points().map((p) => [p.step, p.lr])).toEqual([
      [1, 0.5],
      [2, 0.5],
    ]);
  });
});
