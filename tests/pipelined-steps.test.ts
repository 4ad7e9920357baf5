// Windows of steps pipelined (Trainer.steps with `ahead`): the same numbers as one window at a time, a divergence stops every later step, and a WebGPU step still costs one submit.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import type { Backend } from '../src/core/backend';
import { makeSynthetic } from '../src/core/data/synthetic';
import { DEFAULT_CONFIG, DEFAULT_RUN, type RunConfig, type TrainConfig } from '../src/core/settings';
import type { StepResult } from '../src/core/step-result';
import { Trainer } from '../src/core/trainer';
import type { FromWorker } from '../src/worker/protocol';
import { TrainingSession } from '../src/worker/session';
import { webgpuBackend } from './helpers/webgpu';

// 1,000 samples in batches of 300: an epoch is 4 steps, the last of 100, so windows of 3 end mid-epoch and at epoch ends
const data = () => makeSynthetic('spiral', { seed: 4, noise: 0.2, classes: 3, trainCount: 1000 });
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  model: 'mlp',
  depth: 2,
  width: 24,
  activation: 'tanh',
  init: 'xavier-uniform',
  lr: 0.3,
  lambda: 0.01,
  batchSize: 300,
};

async function oneAtATime(be: Backend, windows: number, size: number, c: TrainConfig = config) {
  const trainer = new Trainer(be, data(), c);
  const results: StepResult[] = [];
  for (let w = 0; w < windows; w++) results.push(...(await trainer.steps(size)));
  const params = Array.from(await be.read(trainer.model.params));
  trainer.destroy();
  return { results, params };
}

async function pipelined(be: Backend, windows: number, size: number, c: TrainConfig = config) {
  const trainer = new Trainer(be, data(), c);
  const results: StepResult[] = [];
  for (let w = 0; w < windows - 1; w++) {
    results.push(...(await trainer.steps(size, undefined, { ahead: true })));
    if (results.at(-1)?.diverged) {
      expect(trainer.pending, 'a divergence drops the window in flight').toBe(false);
      break; // as a run stops at one
    }
    expect(trainer.pending).toBe(true);
  }
  results.push(...(await trainer.drain()));
  expect(trainer.pending).toBe(false);
  const params = Array.from(await be.read(trainer.model.params));
  trainer.destroy();
  return { results, params };
}

describe('pipelined windows on the CPU backend', () => {
  it('give the very same steps and parameters as windows taken one at a time, across epoch ends', async () => {
    const want = await oneAtATime(new CpuBackend(), 7, 3);
    const got = await pipelined(new CpuBackend(), 7, 3);
    expect(want.results.filter((r) => r.epochEnd).length).toBeGreaterThanOrEqual(3);
    expect(got.results).toEqual(want.results);
    expect(got.params).toEqual(want.params);
  });

  for (const size of [3, 4]) {
    it(`after a divergence, no later step moves: the window in flight is dropped and the parameters are those before it (windows of ${size})`, async () => {
      const diverging = { ...config, lr: 3, activation: 'identity' as const }; // diverges at step 9
      const want = await oneAtATime(new CpuBackend(), 6, size, diverging);
      const got = await pipelined(new CpuBackend(), 6, size, diverging);
      const at = want.results.findIndex((r) => r.diverged);
      expect(at, 'the run diverges within the first windows').toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(9);
      // one at a time stops reporting at the diverged step too (the later windows then diverge at once)
      expect(got.results.slice(0, at + 1)).toEqual(want.results.slice(0, at + 1));
      expect(got.results.length).toBe(at + 1);
      // the parameters are the diverged step's inputs: those of a run stopped right before it
      const stopped = new Trainer(new CpuBackend(), data(), diverging);
      while (stopped.stepCount < at) await stopped.steps(Math.min(size, at - stopped.stepCount));
      expect(got.params).toEqual(Array.from(await stopped.backend.read(stopped.model.params)));
    });
  }

  it('while a window is in flight, steps without ahead returns it, and nothing else may use the trainer', async () => {
    const trainer = new Trainer(new CpuBackend(), data(), config);
    const first = await trainer.steps(3, undefined, { ahead: true });
    expect(first.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(trainer.pending).toBe(true);
    expect(() => trainer.setHyperParams({ lr: 0.1 })).toThrow(/setHyperParams: a window of steps is in flight; drain\(\) it first/);
    await expect(trainer.evaluate()).rejects.toThrow(/evaluate: a window of steps is in flight/);
    const second = await trainer.steps(3);
    expect(second.map((r) => r.step)).toEqual([4]); // the in-flight window ended at the epoch's end
    expect(trainer.pending).toBe(false);
    expect(await trainer.drain()).toEqual([]);
    trainer.setHyperParams({ lr: 0.1 });
    expect((await trainer.evaluate()).count).toBeGreaterThan(0);
    trainer.destroy();
  });
});

describe('pipelined windows on WebGPU', () => {
  it('the same steps as one window at a time; per step one submit, no buffer or bind group created, one read-back a window', async () => {
    const gpu = await webgpuBackend();
    const want = await oneAtATime(gpu, 5, 3);
    const got = await pipelined(gpu, 5, 3);
    expect(got.results.length).toBe(want.results.length);
    got.results.forEach((r, i) => {
      expect(Math.abs(r.loss - want.results[i].loss), `loss of step ${r.step}`).toBeLessThanOrEqual(1e-6 * Math.max(1, want.results[i].loss));
    });
    // 1,000 samples in batches of 250: every window of 4 is one whole epoch
    const trainer = new Trainer(gpu, data(), { ...config, batchSize: 250 });
    for (let w = 0; w < 3; w++) await trainer.steps(4, undefined, { ahead: true }); // warm-up: pipelines, both staging buffers
    const before = { ...gpu.counters };
    for (let w = 0; w < 3; w++) expect((await trainer.steps(4, undefined, { ahead: true })).length).toBe(4);
    const delta = (key: keyof typeof before) => gpu.counters[key] - before[key];
    // each call recorded and submitted one window of 4 while the one before it was read back
    expect(delta('submits')).toBe(12);
    expect(delta('mapAsync')).toBe(3);
    expect(delta('buffersCreated')).toBe(0);
    expect(delta('bindGroupsCreated')).toBe(0);
    expect(delta('pipelinesCreated')).toBe(0);
    expect((await trainer.drain()).length).toBe(4);
    expect(delta('submits')).toBe(12); // draining records nothing
    trainer.destroy();
  });
});

describe('the training session on WebGPU pipelines its windows', () => {
  it('reports every step once, in order, with the λ it ran with; a change and a pause wait for the steps in flight', async () => {
    const gpu = await webgpuBackend();
    const messages: FromWorker[] = [];
    const session = new TrainingSession({
      post: (message) => messages.push(message),
      makeBackend: async () => ({ backend: gpu, info: { name: 'webgpu', label: gpu.description } }),
      loadDataset: async (c) => makeSynthetic(c.dataset as 'spiral', { seed: c.seed, noise: c.noise }),
      now: () => performance.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
    });
    const points = () => messages.flatMap((m) => (m.type === 'metrics' ? m.points : []));
    const until = async (count: number) => {
      for (let wait = 0; points().length < count && wait < 600; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    const run: RunConfig = { ...DEFAULT_RUN, dataset: 'spiral', backend: 'webgpu', model: 'mlp', depth: 1, width: 16, batchSize: 50, lr: 0.3, lambda: 0 };
    session.receive({ type: 'configure', config: run });
    await session.idle();
    session.receive({ type: 'play' });
    await until(60);
    session.receive({ type: 'configure', config: { ...run, lambda: 0.01 } });
    const changedAt = points().length;
    await until(changedAt + 60);
    session.receive({ type: 'pause' });
    await session.idle();
    const steps = points().map((p) => p.step);
    expect(steps).toEqual(steps.map((_, i) => i + 1)); // none lost, none twice
    const lambdas = points().map((p) => p.lambda);
    const first = lambdas.indexOf(0.01);
    expect(first).toBeGreaterThanOrEqual(changedAt); // no step before the change was counted as the new λ's…
    expect(lambdas.slice(0, first).every((l) => l === 0)).toBe(true);
    expect(lambdas.slice(first).every((l) => l === 0.01)).toBe(true); // …and none after it ran with the old
    // the evaluation after the pause is of the last step reported: nothing was left in flight
    const evaluations = messages.filter((m) => m.type === 'evaluation');
    expect(evaluations.at(-1)!.step).toBe(steps.at(-1));
  });
});
