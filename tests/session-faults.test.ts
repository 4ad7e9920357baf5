// The training session under trouble, without a browser: a long step given up for a command, a build that fails, training refused after a divergence, a ping answered mid-step.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { makeSynthetic } from '../src/core/data/synthetic';
import { DEFAULT_RUN, type RunConfig } from '../src/core/settings';
import type { FromWorker, MetricPoint, ToWorker } from '../src/worker/protocol';
import { TrainingSession } from '../src/worker/session';

/** A session on the CPU whose data fails to load for Fashion-MNIST, with a hook run at every yield to events (a message arriving mid-work). */
function startSession() {
  const messages: FromWorker[] = [];
  const loads: string[] = [];
  let yields = 0;
  let atYield: ((count: number) => void) | null = null;
  const session = new TrainingSession({
    post: (message) => messages.push(message),
    makeBackend: async () => ({ backend: new CpuBackend(), info: { name: 'cpu', label: 'CPU · chosen in Backend' } }),
    loadDataset: async (config) => {
      loads.push(config.dataset);
      if (config.dataset === 'fashion-mnist') throw new Error('could not load data/fashion-mnist/train-images.u8: HTTP 404');
      return makeSynthetic(config.dataset, { seed: config.seed, noise: config.noise });
    },
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    yieldToEvents: () =>
      new Promise((resolve) =>
        setImmediate(() => {
          yields += 1;
          atYield?.(yields);
          resolve();
        }),
      ),
  });
  const of = <T extends FromWorker['type']>(type: T) => messages.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
  const points = (): MetricPoint[] => of('metrics').flatMap((m) => m.points);
  const send = async (...sent: ToWorker[]) => {
    for (const m of sent) session.receive(m);
    await session.idle();
  };
  const onYield = (hook: ((count: number) => void) | null) => {
    yields = 0;
    atYield = hook;
  };
  return { session, messages, loads, of, points, send, onYield };
}

const spiral: RunConfig = {
  ...DEFAULT_RUN,
  dataset: 'spiral',
  backend: 'cpu',
  model: 'mlp',
  depth: 4,
  width: 16,
  batchSize: 50,
  lr: 0.5,
  init: 'xavier-uniform',
  activation: 'tanh',
};

describe('the training session under trouble', () => {
  it('gives up a step that is under way when Pause comes in, at any of its stops: no step counted, parameters and data position as before', async () => {
    const fresh = startSession();
    await fresh.send({ type: 'configure', config: spiral }, { type: 'step' }, { type: 'step' });
    // the first step goes op by op (not measured yet), with a stop every few ops: Pause arrives at each in turn
    for (let stop = 1; ; stop++) {
      const s = startSession();
      await s.send({ type: 'configure', config: spiral });
      let reached = false;
      s.onYield((count) => {
        // a stop inside the first step (no step posted yet)
        if (count === stop && s.points().length === 0 && s.of('metrics').length === 0) {
          reached = true;
          s.session.receive({ type: 'pause' });
        }
      });
      // Step, not Train: a finished step is posted at once, so a yield with nothing posted is inside the step
      s.session.receive({ type: 'step' });
      await s.session.idle();
      s.onYield(null);
      if (!reached) break; // past the step's last stop
      expect(s.points(), `given up at stop ${stop}`).toEqual([]);
      // the same two first steps as a session never interrupted: same parameters, same batches
      await s.send({ type: 'step' }, { type: 'step' });
      expect(s.points().map((p) => [p.step, p.loss])).toEqual(fresh.points().map((p) => [p.step, p.loss]));
      expect(stop).toBeLessThan(50);
    }
  });

  it('answers a ping in the middle of a step, before the step ends', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: { ...spiral, depth: 40, width: 64 } });
    let pongsBeforeStepEnded = 0;
    s.onYield((count) => {
      if (count === 5) {
        s.session.receive({ type: 'ping' });
        if (s.points().length === 0) pongsBeforeStepEnded = s.of('pong').length;
      }
    });
    await s.send({ type: 'step' });
    expect(pongsBeforeStepEnded).toBe(1);
    expect(s.points().map((p) => p.step)).toEqual([1]);
  });

  it('a failed build trains nothing: Train is refused, and Reset retries the settings shown, not the last ones that worked', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral }, { type: 'step' });
    expect(s.points()).toHaveLength(1);
    await s.send({ type: 'configure', config: { ...spiral, dataset: 'fashion-mnist' } });
    expect(s.of('noModel')).toHaveLength(1);
    expect(s.of('noModel')[0].reason).toContain('train-images.u8');
    await s.send({ type: 'play' }, { type: 'step' });
    expect(s.of('refused').map((m) => [m.command, m.reason])).toEqual([
      ['play', 'no-model'],
      ['step', 'no-model'],
    ]);
    await s.send({ type: 'reset' }, { type: 'step' });
    expect(s.loads).toEqual(['spiral', 'fashion-mnist', 'fashion-mnist']); // Reset tried Fashion-MNIST again
    expect(s.of('noModel')).toHaveLength(2);
    expect(s.points()).toHaveLength(1); // nothing more was trained, under either data set
    // changing back builds and trains again
    await s.send({ type: 'configure', config: spiral }, { type: 'step' });
    expect(s.points()).toHaveLength(2);
    expect(s.of('model')).toHaveLength(2);
  });

  it('refuses Train after a divergence until Reset or new weights, saying why', async () => {
    const s = startSession();
    const diverging = { ...spiral, depth: 6, width: 32, activation: 'identity' as const, init: 'normal' as const, sigma: 30, lr: 50 };
    await s.send({ type: 'configure', config: diverging }, { type: 'play' });
    expect(s.of('diverged')).toHaveLength(1);
    const trained = s.points().length;
    await s.send({ type: 'configure', config: { ...diverging, lr: 0.001 } }, { type: 'play' }, { type: 'step' });
    expect(s.of('refused').map((m) => m.reason)).toEqual(['diverged', 'diverged']);
    expect(s.points()).toHaveLength(trained);
    await s.send({ type: 'reset' }, { type: 'step' });
    expect(s.points()).toHaveLength(trained + 1);
    expect(s.of('refused')).toHaveLength(2);
  });
});

describe('a Step given up for a change', () => {
  it('is taken again with the change (λ of the retaken step is the new one); Pause cancels it', async () => {
    const s = startSession();
    await s.send({ type: 'configure', config: spiral });
    s.onYield((count) => {
      if (count === 3) s.session.receive({ type: 'configure', config: { ...spiral, lambda: 0.25 } });
    });
    await s.send({ type: 'step' });
    s.onYield(null);
    expect(s.points().map((p) => [p.step, p.lambda])).toEqual([[1, 0.25]]);
    // a first step (not measured yet, so op by op) given up for Pause is not taken again
    const p = startSession();
    await p.send({ type: 'configure', config: spiral });
    p.onYield((count) => {
      if (count === 3) p.session.receive({ type: 'pause' });
    });
    await p.send({ type: 'step' });
    expect(p.points()).toHaveLength(0);
  });
});
