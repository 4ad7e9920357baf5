// The same training step written with TensorFlow.js, for the benchmark's side-by-side pairs (dev dependency only).
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
 * Builds a step: upload a batch, forward, softmax cross-entropy + (λ/2)Σ‖W‖², gradients by
 * tf.variableGrads, ‖dW_l‖ per layer, SGD, then one read of loss and norms (as our trainer does).
 */
export function makeTfjsStep(tf: typeof TF, options: TfjsStepOptions, batchX: Float32Array, batchY: Int32Array) {
  const { widths, batch, lambda, lr } = options;
  const layers = widths.slice(1).map((fanOut, l) => ({
    W: tf.variable(tf.randomNormal([widths[l], fanOut], 0, 0.01, 'float32', options.seed + l), true, `${options.name}-W${l}`),
    b: tf.variable(tf.zeros([fanOut]), true, `${options.name}-b${l}`),
  }));
  const q = widths[widths.length - 1];

  async function step(): Promise<number> {
    const stats = tf.tidy(() => {
      const x = tf.tensor2d(batchX, [batch, widths[0]]);
      const y = tf.oneHot(tf.tensor1d(batchY, 'int32'), q);
      const { value, grads } = tf.variableGrads(() => {
        let h: TF.Tensor2D = x;
        layers.forEach(({ W, b }, l) => {
          const z = tf.add(tf.matMul(h, W), b) as TF.Tensor2D;
          h = l < layers.length - 1 ? tf.relu(z) : z;
        });
        const loss = tf.losses.softmaxCrossEntropy(y, h);
        const l2 = tf.mul(tf.addN(layers.map(({ W }) => tf.sum(tf.square(W)))), lambda / 2);
        return tf.add(loss, l2) as TF.Scalar;
      });
      const norms = layers.map(({ W }) => tf.norm(grads[W.name]));
      for (const { W, b } of layers) {
        W.assign(tf.sub(W, tf.mul(grads[W.name], lr)));
        b.assign(tf.sub(b, tf.mul(grads[b.name], lr)));
      }
      return tf.stack([value, ...norms]);
    });
    const values = await stats.data();
    stats.dispose();
    return values[0];
  }

  function dispose(): void {
    for (const { W, b } of layers) {
      W.dispose();
      b.dispose();
    }
  }

  return { step, dispose };
}
