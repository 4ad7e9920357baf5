import { createNodeWebGpuBackend } from './src/backends/webgpu/node-webgpu';
const be = await createNodeWebGpuBackend();
const r = (n: number) => Float32Array.from({length: n}, () => Math.random());
const X = be.tensor(256, 784, r(256*784)), W = be.tensor(784, 256, r(784*256)), Z = be.tensor(256,256), dZ = be.tensor(256,256, r(65536)), dW = be.tensor(784,256);
const m = be.tensor(1, 4);
async function time(name: string, f: () => void) {
  f(); await be.read(m);
  const t0 = performance.now(); for (let i=0;i<3;i++) { f(); await be.read(m); } const ms = (performance.now()-t0)/3;
  console.log(name, ms.toFixed(1), 'ms');
}
await time('NN', () => be.matmul(Z, X, W));
await time('TN', () => be.matmul(dW, X, dZ, {transA: true}));
await time('NT', () => be.matmul(X, dZ, W, {transB: true}));
await time('sumsq 200k', () => be.sumSquaresInto(m, 0, W, 1));
await time('colsum', () => be.columnSums(be.tensor(1,256), dZ));
await time('empty', () => {});
process.exit(0);
