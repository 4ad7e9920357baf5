// The chapter's experiments: complete settings, links that open them, and the symmetry a constant initialiser keeps on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { Backend } from '../src/core/backend';
import { makeSynthetic } from '../src/core/data/synthetic';
import { EXPERIMENTS, experimentById, isExperiment } from '../src/core/experiments';
import { unitSpread } from '../src/core/layer-stats';
import { fromHash, toHash } from '../src/core/run-config';
import { checkSettings, DEFAULT_RUN, pick, TRAIN_SETTINGS } from '../src/core/settings';
import { Trainer } from '../src/core/trainer';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

describe('experiments', () => {
  it('each is a complete, valid setting with a caption of two to four sentences and a section', () => {
    expect(new Set(EXPERIMENTS.map((e) => e.id)).size).toBe(EXPERIMENTS.length);
    for (const e of EXPERIMENTS) {
      expect(() => checkSettings({ ...e.settings, backend: 'auto' }), e.id).not.toThrow();
      const sentences = e.caption.split(/(?<=[.!?])\s+(?=[A-Z])/).length;
      expect(sentences, e.id).toBeGreaterThanOrEqual(2);
      expect(sentences, e.id).toBeLessThanOrEqual(4);
      expect(e.section, e.id).toMatch(/^§\d+\.\d+/);
    }
    for (const label of ['Vanishing gradients', 'Exploding gradients', 'Xavier initialisation', 'Symmetry', 'Weight decay']) {
      expect(EXPERIMENTS.map((e) => e.label)).toContain(label);
    }
  });

  it('a link opens an experiment, keeps the backend it names, and drops the name once a setting differs', () => {
    const vanishing = experimentById('vanishing')!;
    const config = { ...vanishing.settings, backend: 'cpu' as const };
    const opened = fromHash(toHash(config, 'vanishing'));
    expect(opened).toEqual({ config, experiment: 'vanishing', ignored: [], language: null });
    // a short link: the experiment's settings fill in what it does not say
    expect(fromHash('#experiment=xavier').config).toMatchObject({ depth: 10, activation: 'tanh', init: 'xavier-uniform', lr: 0.1 });
    expect(fromHash('#experiment=xavier').experiment).toBe('xavier');
    const changed = fromHash(toHash({ ...config, lr: 0.3 }, 'vanishing'));
    expect(changed.experiment).toBeNull();
    expect(changed.config.lr).toBe(0.3);
    expect(fromHash('#experiment=nope').ignored).toEqual(['experiment=nope (unknown experiment)']);
    expect(isExperiment(DEFAULT_RUN, vanishing)).toBe(false);
  });
});

describe('a constant initialiser keeps the hidden units identical (the Symmetry experiment)', () => {
  const symmetry = experimentById('symmetry')!.settings;
  const data = makeSynthetic('spiral', { seed: symmetry.seed, noise: symmetry.noise });

  async function spreadsAfter(be: Backend, steps: number, init: 'constant' | 'xavier-uniform') {
    const trainer = new Trainer(be, data, { ...pick(symmetry, TRAIN_SETTINGS), init });
    while (trainer.stepCount < steps) await trainer.steps(steps - trainer.stepCount);
    const params = await be.read(trainer.model.params);
    const spreads = trainer.model.layers.map((layer) => unitSpread(params, layer));
    trainer.destroy();
    return spreads;
  }

  for (const [name, make] of [
    ['reference', () => new ReferenceBackend()],
    ['cpu', () => new CpuBackend()],
    ['webgpu', () => gpu],
  ] as [string, () => Backend][]) {
    it(`${name}: after 50 steps the hidden layer's units are still one unit; a random start differs`, async () => {
      const [hidden, output] = await spreadsAfter(make(), 50, 'constant');
      expect(hidden).toBe(0);
      expect(output).toBeGreaterThan(0); // the output units (classes) do learn apart
      const [randomHidden] = await spreadsAfter(make(), 50, 'xavier-uniform');
      expect(randomHidden).toBeGreaterThan(0.1);
    });
  }

  it('unitSpread measures the largest difference from the first unit, the bias row included', () => {
    // P (2 + 1, 3): rows w1, w2, b
    const params = [9, 9, 1, 1, 1, 2, 2, 2, 0, 0, -0.5];
    expect(unitSpread(params, { fanIn: 2, fanOut: 3, offset: 2 })).toBe(0.5);
    expect(unitSpread([1, 1, 2, 2], { fanIn: 1, fanOut: 2, offset: 0 })).toBe(0);
  });
});
