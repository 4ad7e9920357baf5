import { createNodeWebGpuBackend } from './src/backends/webgpu/node-webgpu';
import { CpuBackend } from './src/backends/cpu/cpu-backend';
import { Trainer } from './src/core/trainer';
import { loadFashionMnist } from './src/cli/fashion-mnist-files';
import { DEFAULT_CONFIG } from './src/core/config';
const ds = loadFashionMnist();
for (const be of [new CpuBackend()]) {
  for (const model of ['softmax', 'mlp'] as const) {
    const t = new Trainer(be, ds, { ...DEFAULT_CONFIG, model, depth: model === 'mlp' ? 1 : 0 });
    await t.step(); await t.step();
    let t0 = performance.now();
    for (let i = 0; i < 5; i++) await t.step();
    const stepMs = (performance.now() - t0) / 5;
    t0 = performance.now();
    const ev = await t.evaluate();
    console.log(be.name, model, 'ms/step', stepMs.toFixed(1), 'eval ms', (performance.now() - t0).toFixed(0), ev.accuracy);
    t.destroy();
  }
}
process.exit(0);
