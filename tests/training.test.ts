// Whole training steps: CPU against WebGPU, pinned first losses, divergence, and the chapter's vanishing gradients.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { Backend } from '../src/core/backend';
import type { Dataset } from '../src/core/data/dataset';
import { makeSynthetic } from '../src/core/data/synthetic';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/core/settings';
import type { StepResult } from '../src/core/step-result';
import { Trainer } from '../src/core/trainer';
import { fashionMnist } from './helpers/data';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

const spiral = () => makeSynthetic('spiral', { seed: 3, noise: 0.2, classes: 5 });

async function run(backend: Backend, dataset: Dataset, config: Partial<TrainConfig>, steps: number): Promise<StepResult[]> {
  const trainer = new Trainer(backend, dataset, { ...DEFAULT_CONFIG, ...config });
  const results: StepResult[] = [];
  for (let i = 0; i < steps; i++) results.push(await trainer.step());
  trainer.destroy();
  return results;
}

function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

const agreementCases: { name: string; data: () => Dataset; config: Partial<TrainConfig> }[] = [
  {
    name: 'spiral, MLP 3×33 tanh, λ = 0.01, batch 50',
    data: spiral,
    config: { model: 'mlp', depth: 3, width: 33, activation: 'tanh', init: 'xavier-uniform', lambda: 0.01, lr: 0.5, batchSize: 50 },
  },
  {
    name: 'Fashion-MNIST, softmax regression, λ = 0.001, batch 64',
    data: fashionMnist,
    config: { model: 'softmax', depth: 0, lambda: 0.001, lr: 0.1, batchSize: 64 },
  },
  {
    name: 'Fashion-MNIST, MLP 2×17 ReLU, He normal, batch 33',
    data: fashionMnist,
    config: { model: 'mlp', depth: 2, width: 17, activation: 'relu', init: 'he-normal', lambda: 0.0005, lr: 0.1, batchSize: 33 },
  },
];

describe('20 seeded training steps: WebGPU against the CPU reference', () => {
  for (const c of agreementCases) {
    it(c.name, async () => {
      const dataset = c.data();
      const want = await run(new CpuBackend(), dataset, c.config, 20);
      const got = await run(gpu, dataset, c.config, 20);
      for (let s = 0; s < 20; s++) {
        expect(relativeError(got[s].loss, want[s].loss), `loss at step ${s + 1}`).toBeLessThan(1e-4);
        expect(relativeError(got[s].l2, want[s].l2), `L2 term at step ${s + 1}`).toBeLessThan(1e-4);
        want[s].gradNorms.forEach((norm, l) => {
          expect(relativeError(got[s].gradNorms[l], norm), `‖dW_${l + 1}‖ at step ${s + 1}`).toBeLessThan(1e-4);
        });
      }
      // and training did something: the loss moved
      expect(want[19].loss).not.toBeCloseTo(want[0].loss, 2);
    });
  }
});

describe('pinned first losses of seeded runs (golden file)', () => {
  const goldenPath = new URL('./golden/first-losses.json', import.meta.url);
  const runs = {
    'fashion-softmax': { data: fashionMnist, config: { model: 'softmax', depth: 0, lr: 0.1, batchSize: 256, seed: 0 } },
    'spiral-mlp': {
      data: spiral,
      config: { model: 'mlp', depth: 2, width: 16, activation: 'relu', init: 'he-normal', lr: 0.3, batchSize: 64, lambda: 0.01, seed: 7 },
    },
  } as const;

  it('CPU and WebGPU reproduce the first 10 losses of each run', async () => {
    const measured: Record<string, number[]> = {};
    for (const [name, r] of Object.entries(runs)) {
      measured[name] = (await run(new CpuBackend(), r.data(), r.config as Partial<TrainConfig>, 10)).map((s) => s.loss);
    }
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenPath)) {
      if (process.env.CI) throw new Error('the golden file is missing; run UPDATE_GOLDEN=1 npx vitest run tests/training.test.ts');
      writeFileSync(goldenPath, `${JSON.stringify(measured, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as Record<string, number[]>;
    for (const [name, r] of Object.entries(runs)) {
      const onGpu = (await run(gpu, r.data(), r.config as Partial<TrainConfig>, 10)).map((s) => s.loss);
      golden[name].forEach((loss, i) => {
        expect(relativeError(measured[name][i], loss), `${name} CPU loss ${i + 1}`).toBeLessThan(1e-6);
        expect(relativeError(onGpu[i], loss), `${name} WebGPU loss ${i + 1}`).toBeLessThan(1e-4);
      });
    }
    // independent of the pin: softmax regression from N(0, 0.01²) weights starts near ln 10
    expect(golden['fashion-softmax'][0]).toBeCloseTo(Math.log(10), 1);
  });
});

/** Weights of σ = 10 through ten identity layers: the logits overflow within a few dozen steps. */
const diverging: Partial<TrainConfig> = {
  model: 'mlp',
  depth: 10,
  width: 32,
  activation: 'identity',
  init: 'normal',
  sigma: 10,
  lr: 0.1,
  batchSize: 32,
};

describe('divergence is reported, and the parameters stay as they were', () => {
  for (const which of ['cpu', 'webgpu'] as const) {
    it(`normal σ = 10, depth 10, identity on ${which}`, async () => {
      const backend = which === 'cpu' ? new CpuBackend() : gpu;
      const trainer = new Trainer(backend, fashionMnist(), { ...DEFAULT_CONFIG, ...diverging });
      let result: StepResult | null = null;
      let before: number[] = [];
      for (let i = 0; i < 50; i++) {
        before = Array.from(await backend.read(trainer.model.params));
        result = await trainer.step();
        if (result.diverged) break;
      }
      expect(result?.diverged, 'the run should diverge within 50 steps').toBeDefined();
      expect(result!.diverged!.step).toBe(result!.step);
      expect(result!.diverged!.reason).toMatch(/loss|gradient norm of layer \d+|L2 term/);
      const after = Array.from(await backend.read(trainer.model.params));
      expect(after).toEqual(before);
      expect(after.every(Number.isFinite)).toBe(true);
      trainer.destroy();
    });
  }
});

describe('divergence inside a read-back window: the parameters are those from before the diverged step', () => {
  for (const which of ['cpu', 'webgpu'] as const) {
    // k: the step that diverges, found one step at a time; then the same run reaches it as the
    // (j+1)-th step of a window of j + 1 + after steps, so `after` later steps compute without updating
    for (const after of [0, 1, 2]) {
      it(`${which}: the diverged step has ${after} more after it in its window`, async () => {
        const backend = which === 'cpu' ? new CpuBackend() : gpu;
        const single = new Trainer(backend, fashionMnist(), { ...DEFAULT_CONFIG, ...diverging });
        let before: number[] = [];
        let k = 0;
        for (let i = 1; i <= 50 && k === 0; i++) {
          before = Array.from(await backend.read(single.model.params));
          if ((await single.step()).diverged) k = i;
        }
        single.destroy();
        expect(k, 'the run should diverge within 50 steps').toBeGreaterThan(0);
        const j = Math.min(k - 1, 5);
        const windowed = new Trainer(backend, fashionMnist(), { ...DEFAULT_CONFIG, ...diverging });
        for (let i = 0; i < k - 1 - j; i++) expect((await windowed.step()).diverged).toBeUndefined();
        const results = await windowed.steps(j + 1 + after);
        expect(results.length).toBe(j + 1); // up to and including the diverged step
        expect(results[j].diverged?.step).toBe(k);
        expect(results.slice(0, j).every((r) => !r.diverged)).toBe(true);
        expect(Array.from(await backend.read(windowed.model.params))).toEqual(before);
        windowed.destroy();
      });
    }
  }
});

describe('the chapter on the first step: depth 10, width 64, Fashion-MNIST', () => {
  async function firstStepRatio(config: Partial<TrainConfig>): Promise<number> {
    const [step] = await run(new CpuBackend(), fashionMnist(), { model: 'mlp', depth: 10, width: 64, lr: 0.1, ...config }, 1);
    return step.gradNorms[0] / step.gradNorms[step.gradNorms.length - 1];
  }

  it('sigmoid with MXNet default U(±0.07): the first layer gradient vanishes (< 1/1000 of the output layer)', async () => {
    expect(await firstStepRatio({ activation: 'sigmoid', init: 'mxnet-default' })).toBeLessThan(1e-3);
  });

  it('tanh with Xavier uniform: first and output layer gradients within 10×', async () => {
    const ratio = await firstStepRatio({ activation: 'tanh', init: 'xavier-uniform' });
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThan(10);
  });
});

describe('live changes between steps', () => {
  it('λ, learning rate and batch size apply from the next step without a rebuild', async () => {
    const trainer = new Trainer(new CpuBackend(), spiral(), { ...DEFAULT_CONFIG, model: 'mlp', width: 8, batchSize: 40 });
    const first = await trainer.step();
    expect(first.l2).toBe(0);
    const params = trainer.model.params;
    trainer.setHyperParams({ lambda: 0.5, batchSize: 100 });
    const second = await trainer.step();
    expect(second.batchSize).toBe(100);
    expect(second.l2).toBeGreaterThan(0);
    expect(trainer.model.params).toBe(params); // same tensors: nothing rebuilt
    expect(() => trainer.setHyperParams({ lambda: -1 })).toThrow(/lambda -1 .*from 0 to 100/);
    expect(trainer.hyperParams.lambda).toBe(0.5); // a refused change leaves the old value
  });

  it('re-initialising in place changes the weights and training goes on', async () => {
    const trainer = new Trainer(new CpuBackend(), spiral(), { ...DEFAULT_CONFIG, model: 'mlp', width: 8 });
    await trainer.step();
    trainer.reinitialize({ init: 'zeros', sigma: 1, initValue: 0 });
    const P = await trainer.backend.read(trainer.model.layers[0].P);
    expect(Array.from(P).every((v) => v === 0)).toBe(true); // weights and biases
    const next = await trainer.step();
    expect(next.step).toBe(2);
    // zeros: every hidden unit is the same, so the first layer gets no gradient (the symmetry problem)
    expect(next.gradNorms[0]).toBe(0);
  });

  it('an epoch covers every training sample once, the last batch short', async () => {
    const data = makeSynthetic('blobs', { seed: 1, noise: 0.1, trainCount: 250, testCount: 50 });
    const trainer = new Trainer(new CpuBackend(), data, { ...DEFAULT_CONFIG, batchSize: 100 });
    const sizes = [];
    for (let i = 0; i < 4; i++) sizes.push(await trainer.step());
    expect(sizes.map((s) => s.batchSize)).toEqual([100, 100, 50, 100]);
    expect(sizes.map((s) => s.epochEnd)).toEqual([false, false, true, false]);
    expect(sizes[3].epoch).toBe(1);
    const evaluation = await trainer.evaluate('test');
    expect(evaluation.count).toBe(50);
  });
});
