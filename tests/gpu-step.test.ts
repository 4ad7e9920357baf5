// What one WebGPU training step costs, counted: submits, dispatches, buffers, bind groups, read-backs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import { makeSynthetic } from '../src/core/data/synthetic';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/core/settings';
import { Trainer } from '../src/core/trainer';
import { fashionMnist } from './helpers/data';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

describe('a WebGPU training step after warm-up', () => {
  const cases: { name: string; layers: number; config: Partial<TrainConfig> }[] = [
    { name: 'softmax regression', layers: 1, config: { model: 'softmax', depth: 0 } },
    { name: 'MLP, one hidden layer', layers: 2, config: { model: 'mlp', depth: 1, width: 40 } },
    { name: 'MLP, three hidden layers', layers: 4, config: { model: 'mlp', depth: 3, width: 33 } },
  ];
  for (const { name, layers, config } of cases) {
    it(`${name}: one submit, 3 dispatches a layer less one, no buffer, bind group or pipeline created, one read-back per window`, async () => {
      const trainer = new Trainer(gpu, fashionMnist(), { ...DEFAULT_CONFIG, ...config, batchSize: 64 });
      // warm-up: pipelines, bind groups for both parameter storages, staging buffers
      for (let w = 0; w < 2; w++) await trainer.steps(4);
      const before = { ...gpu.counters };
      const windows = 3;
      for (let w = 0; w < windows; w++) expect((await trainer.steps(4)).length).toBe(4);
      const steps = 4 * windows;
      const delta = (key: keyof typeof before) => gpu.counters[key] - before[key];
      expect(delta('submits')).toBe(steps);
      // per layer: forward, input gradient (not for the first layer), gradient + SGD fused
      expect(delta('dispatches')).toBe(steps * (3 * layers - 1));
      expect(delta('buffersCreated')).toBe(0);
      expect(delta('bindGroupsCreated')).toBe(0);
      expect(delta('pipelinesCreated')).toBe(0);
      expect(delta('mapAsync')).toBe(windows);
      trainer.destroy();
    });
  }

  it('across epoch ends: still one submit a step (the next order is written between windows)', async () => {
    // 1,000 samples in batches of 300: an epoch is 4 steps, the last of 100 samples
    const data = makeSynthetic('spiral', { seed: 1, noise: 0.1, classes: 3, trainCount: 1000 });
    const trainer = new Trainer(gpu, data, { ...DEFAULT_CONFIG, model: 'mlp', depth: 1, width: 24, batchSize: 300 });
    for (let w = 0; w < 2; w++) await trainer.steps(4);
    const before = { ...gpu.counters };
    let steps = 0;
    let epochEnds = 0;
    for (let w = 0; w < 5; w++) {
      const results = await trainer.steps(3); // windows of 3 against epochs of 4: ends fall mid-window
      steps += results.length;
      epochEnds += results.filter((r) => r.epochEnd).length;
    }
    expect(epochEnds).toBeGreaterThanOrEqual(2);
    expect(gpu.counters.submits - before.submits).toBe(steps);
    expect(gpu.counters.mapAsync - before.mapAsync).toBe(5);
    expect(gpu.counters.buffersCreated - before.buffersCreated).toBe(0);
    trainer.destroy();
  });
});
