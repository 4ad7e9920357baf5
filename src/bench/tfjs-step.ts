// The same training step written with TensorFlow.js ops, for the benchmark's side-by-side pairs (dev dependency only).
import type * as TF from '@tensorflow/tfjs-core';

export interface TfjsStepOptions {
  widths: number[]; // [d, h_1, …, q]
  batch: number;
  lambda: number;
  lr: number;
  seed: number;
  /** Prefix of the variable names (tfjs names are global across backends). */
  name: string;
}

/**
 * Builds a step with the same maths as ours (docs/mathematics.md), backward written out with tfjs ops
 * rather than its autodiff (whose gradient registry the Node bundles leave out): upload a batch,
 * forward with ReLU, logsumexp cross-entropy, dO = (softmax − onehot)/n, dW = Hᵀ dZ + λW,
 * db = Σ dZ, dH = dZ Wᵀ ⊙ [Z > 0], ‖dW_l‖ per layer, SGD; losses and norms are read once per window.
 */
export function makeTfjsStep(tf: typeof TF, options: TfjsStepOptions, batchX: Float32Array, batchY: Int32Array) {
  const { widths, batch, lambda, lr } = options;
  const layers = widths.slice(1).map((fanOut, l) => ({
    W: tf.variable(tf.randomNormal([widths[l], fanOut], 0, 0.01, 'float32', options.seed + l), true, `${options.name}-W${l}`),
    b: tf.variable(tf.zeros([fanOut]), true, `${options.name}-b${l}`),
  }));
  const q = widths[widths.length - 1];

  /** Records one step; returns its loss and norms as a tensor, not yet read. */
  function record(): TF.Tensor {
    return tf.tidy(() => {
      const x = tf.tensor2d(batchX, [batch, widths[0]]);
      const y = tf.oneHot(tf.tensor1d(batchY, 'int32'), q);
      const inputs: TF.Tensor2D[] = [x];
      const preacts: TF.Tensor2D[] = [];
      layers.forEach(({ W, b }, l) => {
        const z = tf.add(tf.matMul(inputs[l], W), b) as TF.Tensor2D;
        preacts.push(z);
        inputs.push(l < layers.length - 1 ? tf.relu(z) : z);
      });
      const logits = inputs[layers.length];
      const loss = tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, y), 1)));
      let dZ = tf.div(tf.sub(tf.softmax(logits), y), batch) as TF.Tensor2D;
      const norms: TF.Scalar[] = [];
      for (let l = layers.length - 1; l >= 0; l--) {
        const { W, b } = layers[l];
        const dW = tf.add(tf.matMul(inputs[l], dZ, true, false), tf.mul(W, lambda));
        const db = tf.sum(dZ, 0);
        if (l > 0) dZ = tf.mul(tf.matMul(dZ, W, false, true), tf.step(preacts[l - 1])) as TF.Tensor2D;
        norms.unshift(tf.norm(dW) as TF.Scalar);
        W.assign(tf.sub(W, tf.mul(dW, lr)));
        b.assign(tf.sub(b, tf.mul(db, lr)));
      }
      return tf.stack([loss, ...norms]);
    });
  }

  /** `count` steps, then one read of all their losses and norms (our trainer's cadence). */
  async function steps(count: number): Promise<void> {
    const stats: TF.Tensor[] = [];
    for (let i = 0; i < count; i++) stats.push(record());
    const all = tf.stack(stats);
    await all.data();
    all.dispose();
    for (const t of stats) t.dispose();
  }

  function dispose(): void {
    for (const { W, b } of layers) {
      W.dispose();
      b.dispose();
    }
  }

  return { steps, dispose };
}
