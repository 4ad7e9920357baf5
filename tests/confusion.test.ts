// What the model gets wrong: the confusion matrix and the most confident mistakes, from the probabilities the evaluation reads back.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { Backend } from '../src/core/backend';
import { confusionMatrix, worstMistakes } from '../src/core/confusion';
import { makeSynthetic } from '../src/core/data/synthetic';
import { DEFAULT_CONFIG } from '../src/core/settings';
import { Trainer } from '../src/core/trainer';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

describe('confusion matrix and mistakes', () => {
  it('counts true class by row and predicted class by column; the worst mistakes are the most confident', () => {
    const labels = [0, 0, 1, 2, 2];
    const probabilities = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.4, 0.3, 0.2, 0.1, 0.7, 0.9, 0.05, 0.05];
    expect(confusionMatrix(labels, probabilities, 3)).toEqual({ classes: 3, counts: [1, 1, 0, 0, 1, 0, 1, 0, 1] });
    const worst = worstMistakes(labels, probabilities, 3, 5);
    expect(worst.map((m) => [m.index, m.label, m.predicted])).toEqual([
      [4, 2, 0], // 0.9
      [1, 0, 1], // 0.8
    ]);
    expect(worst[0].probabilities).toEqual([0.9, 0.05, 0.05]);
    expect(worstMistakes(labels, probabilities, 3, 1)).toHaveLength(1);
  });

  for (const [name, make] of [
    ['reference', () => new ReferenceBackend()],
    ['cpu', () => new CpuBackend()],
    ['webgpu', () => gpu],
  ] as [string, () => Backend][]) {
    it(`${name}: the evaluation's probabilities are a distribution per sample, and the matrix adds up to its count and accuracy`, async () => {
      const data = makeSynthetic('spiral', { seed: 4, noise: 0.2, classes: 4 });
      const trainer = new Trainer(make(), data, {
        ...DEFAULT_CONFIG,
        model: 'mlp',
        depth: 2,
        width: 24,
        activation: 'tanh',
        init: 'xavier-uniform',
        lr: 0.3,
        batchSize: 50,
      });
      for (let i = 0; i < 3; i++) await trainer.steps(16);
      const evaluation = await trainer.evaluate('test', 250, { predictions: true });
      const { labels, probabilities } = evaluation.predictions!;
      expect(labels).toHaveLength(250);
      for (let i = 0; i < 250; i++) {
        const row = Array.from(probabilities.subarray(4 * i, 4 * i + 4));
        expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        expect(Math.min(...row)).toBeGreaterThan(-1e-6);
      }
      const { counts } = confusionMatrix(labels, probabilities, 4);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(250);
      const diagonal = counts[0] + counts[5] + counts[10] + counts[15];
      expect(diagonal / 250).toBe(evaluation.accuracy);
      expect(evaluation.accuracy).toBeGreaterThan(0.3); // above chance (0.25): the matrix is not one column
      trainer.destroy();
    });
  }
});
