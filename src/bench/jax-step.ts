// The same training step and products written with jax-js (jit of valueAndGrad plus SGD), for the benchmark's pairs (dev dependency only).
import type * as Jax from '@jax-js/jax';

/** jax-js's two fast devices, by the benchmark's names for them. */
export type JaxDevice = 'wasm' | 'webgpu';

export interface JaxStepOptions {
  widths: number[]; // [d, h_1, …, q]
  batch: number;
  lambda: number;
  lr: number;
  device: JaxDevice;
}

type Params = { W: Jax.Array[]; b: Jax.Array[] };

/**
 * A step with our maths (docs/mathematics.md), its gradient from jax-js's autodiff: forward with
 * ReLU, J = mean(logsumexp(o) − o_y) + (λ/2) Σ‖W_l‖², SGD on W and b, and ‖∂J/∂W_l‖ per layer. The
 * whole step is one `jit`; losses and norms are read once per window, as our trainer reads them.
 */
export function makeJaxStep(jax: typeof Jax, options: JaxStepOptions, batchX: Float32Array, batchY: Int32Array) {
  const { numpy: np, nn, tree } = jax;
  const { widths, batch, lambda, lr, device } = options;
  const q = widths[widths.length - 1];
  let params: Params = { W: [], b: [] };
  for (let l = 1; l < widths.length; l++) {
    const w = new Float32Array(widths[l - 1] * widths[l]);
    for (let i = 0; i < w.length; i++) w[i] = 0.01 * Math.sin(i * 12.9898 + l); // small, deterministic, not symmetric
    params.W.push(np.array(w, { shape: [widths[l - 1], widths[l]], device }));
    params.b.push(np.zeros([widths[l]], { device }));
  }
  const x = np.array(batchX, { shape: [batch, widths[0]], device });
  const y = nn.oneHot(np.array(batchY, { dtype: np.int32, device }), q);

  function objective(p: Params, xs: Jax.Array, ys: Jax.Array): Jax.Array {
    let h = xs;
    let penalty: Jax.Array | null = null;
    const layers = p.W.length;
    for (let l = 0; l < layers; l++) {
      const z = np.matmul(h, p.W[l].ref).add(p.b[l]);
      h = l < layers - 1 ? nn.relu(z) : z;
      const squares = np.square(p.W[l]).sum();
      penalty = penalty ? penalty.add(squares) : squares;
    }
    const loss = nn.logsumexp(h.ref, -1).sub(h.mul(ys).sum(-1)).mean();
    return loss.add(penalty!.mul(lambda / 2));
  }

  const step = jax.jit((p: Params, xs: Jax.Array, ys: Jax.Array) => {
    const [J, g] = jax.valueAndGrad(objective)(tree.ref(p), xs, ys);
    const norms = g.W.map((dW: Jax.Array) => np.sqrt(np.square(dW.ref).sum()));
    const next = tree.map((a: Jax.Array, d: Jax.Array) => a.sub(d.mul(lr)), p, g) as Params;
    return [next, np.stack([J, ...norms])] as [Params, Jax.Array];
  });

  /** `count` steps, then one read of all their losses and norms. */
  async function steps(count: number): Promise<void> {
    const stats: Jax.Array[] = [];
    for (let i = 0; i < count; i++) {
      const [next, stat] = step(params, x.ref, y.ref);
      params = next;
      stats.push(stat);
    }
    await np.stack(stats).data();
  }

  function dispose(): void {
    tree.dispose(params);
    x.dispose();
    y.dispose();
    step.dispose();
  }

  return { steps, dispose };
}

/** One product op(a)·op(b) on a device, jitted, read back whole (as tfjs's and ours are waited for). */
export function makeJaxMatmul(
  jax: typeof Jax,
  device: JaxDevice,
  a: { data: Float32Array; shape: [number, number]; trans: boolean },
  b: { data: Float32Array; shape: [number, number]; trans: boolean },
) {
  const np = jax.numpy;
  const A = np.array(a.data, { shape: a.shape, device });
  const B = np.array(b.data, { shape: b.shape, device });
  const product = jax.jit((x: Jax.Array, w: Jax.Array) => np.matmul(a.trans ? x.transpose() : x, b.trans ? w.transpose() : w));
  return {
    run: async () => {
      await product(A.ref, B.ref).data();
    },
    dispose: () => {
      A.dispose();
      B.dispose();
      product.dispose();
    },
  };
}
