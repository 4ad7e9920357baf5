// The chapter's experiments: complete settings, one click each, with a caption that says what to watch and why (sections of the book's 2nd edition).
import { DEFAULT_RUN, type RunConfig } from './settings';

export interface Experiment {
  /** Key in the URL hash (`experiment=vanishing`). */
  id: string;
  /** The option's text: names the phenomenon. */
  label: string;
  /** Where the book treats it. */
  section: string;
  /** Every setting but the backend (the machine's choice stays). */
  settings: Omit<RunConfig, 'backend'>;
  /** Two to four sentences: what to watch, and why. */
  caption: string;
}

const base = (change: Partial<RunConfig>): Omit<RunConfig, 'backend'> => {
  const { backend: _machine, ...rest } = { ...DEFAULT_RUN, ...change };
  return rest;
};

/** Ten hidden layers of 64 on Fashion-MNIST: deep enough for products of many layers to show. */
const DEEP = { model: 'mlp', depth: 10, width: 64, lr: 0.1, batchSize: 256, dataset: 'fashion-mnist' } as const;

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'softmax',
    label: 'Softmax regression',
    section: '§3.6',
    settings: base({ model: 'softmax', lr: 0.1, batchSize: 256, init: 'normal', sigma: 0.01 }),
    caption:
      'The book’s softmax regression on Fashion-MNIST: weights N(0, 0.01²), batch 256, learning rate 0.1. ' +
      'The loss starts at ln 10 ≈ 2.30, the cross-entropy of guessing each of the 10 classes with probability 1/10, and test accuracy climbs to about 80% within an epoch.',
  },
  {
    id: 'mlp',
    label: 'Multilayer perceptron',
    section: '§4.2',
    settings: base({ model: 'mlp', depth: 1, width: 256, activation: 'relu', lr: 0.5, init: 'normal', sigma: 0.01 }),
    caption:
      'The book’s MLP: one hidden layer of 256 ReLU units, learning rate 0.5. ' +
      'Compare the test accuracy with softmax regression’s: the hidden layer lets the model bend its decision boundaries.',
  },
  {
    id: 'vanishing',
    label: 'Vanishing gradients',
    section: '§4.8.1',
    settings: base({ ...DEEP, activation: 'sigmoid', init: 'mxnet-default' }),
    caption:
      'Ten sigmoid layers with MXNet’s default U(±0.07). Press Step once and read the per-layer gradient norms: the first layer’s is about 10⁻¹⁰ of the output layer’s. ' +
      'Each layer multiplies the gradient by σ′(z) ≤ 1/4 and by small weights, so the fan of lines in the gradient chart spreads over ten decades and the loss stays at ln 10 ≈ 2.30, chance level.',
  },
  {
    id: 'exploding',
    label: 'Exploding gradients',
    section: '§4.8.1',
    settings: base({ ...DEEP, activation: 'relu', init: 'normal', sigma: 1 }),
    caption:
      'The same ten layers with ReLU and weights N(0, 1): far too large for 64 inputs each. ' +
      'Press Step once and read Growth through depth: every layer multiplies the signal by about √64 · 1/√2 ≈ 5.7, so the RMS of h climbs by more than six decades from the first hidden layer to the last, a straight line on the log axis. ' +
      'The gradient norms reach about 10⁸, and training diverges within two steps: the page stops it and names the step and the number that overflowed.',
  },
  {
    id: 'products',
    label: 'Products of many layers',
    section: '§4.8.1',
    settings: base({
      model: 'mlp',
      depth: 30,
      width: 64,
      activation: 'identity',
      init: 'normal',
      sigma: 0.15,
      lr: 0.001,
      batchSize: 256,
      dataset: 'fashion-mnist',
    }),
    caption:
      'Thirty linear layers whose weights N(0, 0.15²) scale a signal of 64 inputs by 0.15·√64 = 1.2 each: press Step and read Growth through depth. ' +
      'The RMS of h rises by ×1.2 a layer, a straight line on the log axis, and ∂J/∂z shrinks by the same factor towards the output: the output is a product of 30 matrices, and so is each gradient. ' +
      '‖∂J/∂W_l‖ stays level, because it is the product of the two. Set σ to 0.1 (×0.8 a layer) and both lines tilt the other way.',
  },
  {
    id: 'xavier',
    label: 'Xavier initialisation',
    section: '§4.8.2',
    settings: base({ ...DEEP, activation: 'tanh', init: 'xavier-uniform' }),
    caption:
      'The vanishing network with tanh and Xavier’s U(±√(6/(n_in + n_out))): the gradient norms of all eleven layers now lie within a factor of ten, and the loss falls. ' +
      'Xavier keeps the variance of the signal the same from layer to layer if the activation is near-linear and zero-centred at 0: tanh is, sigmoid is not (its mean is 1/2 and its slope 1/4), which is why Xavier alone does not rescue the sigmoid net. ' +
      'The learning rate is 0.1: at 0.5 this deep tanh net is unstable.',
  },
  {
    id: 'symmetry',
    label: 'Symmetry',
    section: '§4.8.1',
    settings: base({ model: 'mlp', depth: 1, width: 16, activation: 'tanh', init: 'constant', initValue: 0.5, lr: 0.5, batchSize: 50, dataset: 'spiral' }),
    caption:
      'Every weight starts at the same constant c. The 16 hidden units then compute the same function, receive the same gradient, and stay identical: the table’s “units differ by” stays exactly 0, and the network is no better than one with a single hidden unit. ' +
      'Random initialisation is what breaks this symmetry; try Xavier uniform.',
  },
  {
    id: 'weight-decay',
    label: 'Weight decay',
    section: '§4.5',
    settings: base({ model: 'softmax', trainExamples: 100, batchSize: 20, lr: 0.1, init: 'normal', sigma: 0.01, lambda: 0.1 }),
    caption:
      'Softmax regression on only 100 training images (10 a class) has 7,850 parameters to fit them: at λ = 0 the training-set loss falls towards 0 while the test loss stays high, and the gap between them is overfitting. ' +
      'With λ = 0.1 the penalty λ/2·‖W‖² keeps the weights small and the gap narrows by a third or more. Set λ to 0 and press Reset to compare.',
  },
];

export function experimentById(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}

/** Whether `config` is the experiment's setting (the backend aside). */
export function isExperiment(config: RunConfig, experiment: Experiment): boolean {
  return (Object.keys(experiment.settings) as (keyof Experiment['settings'])[]).every((name) => config[name] === experiment.settings[name]);
}
