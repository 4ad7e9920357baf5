// en.ts: every English string of the page, in one table (zh.ts has the same keys; a third language is one more file like these).
import { FASHION_MNIST } from '../../core/data/fashion-mnist';
import { describeRange } from '../../core/errors';
import { EXPERIMENTS } from '../../core/experiments';
import { SETTING_NAMES, SETTINGS, type SettingName } from '../../core/settings';
import { RUN_FILE_PROBLEMS, type RunFileProblems } from '../../store/run-file';

const settingLabels = Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].label])) as Record<SettingName, string>;
const choiceLabels = Object.fromEntries(
  SETTING_NAMES.filter((name) => SETTINGS[name].kind === 'choice').map((name) => [
    name,
    (SETTINGS[name] as { choiceLabels: Record<string, string> }).choiceLabels,
  ]),
) as Partial<Record<SettingName, Record<string, string>>>;

export const en = {
  lang: 'en',
  app: {
    subtitle: "Softmax regression and MLPs, trained live: change λ, the initializer, the activation and the depth, and watch every layer's gradient.",
  },
  language: 'Language',
  numbers: { overflowed: 'overflowed' },
  controls: {
    groups: { model: 'Model', initialisation: 'Initialisation', optimisation: 'Optimisation', data: 'Data and device' },
    settings: settingLabels,
    choices: choiceLabels,
    train: 'Train',
    pause: 'Pause',
    step: 'Step',
    reset: 'Reset',
    speed: 'Speed',
    paces: ['As fast as possible', '100 steps a second', '10 steps a second', '1 step a second'],
    logSteps: 'Log step axis',
    presentation: 'Presentation mode',
    experiment: 'Experiment',
    form: 'Settings',
    ownSettings: 'Your own settings (choose an experiment to load one)',
    /** A refused value: the field, the text, and what is allowed. */
    refused: (field: string, text: string, allowed: string) => `${field} "${text}" is not allowed: ${allowed}`,
    /** What a number setting allows. */
    allowed: (min: number, max: number, integer: boolean, minExclusive: boolean) => `must be ${describeRange(min, max, { integer, minExclusive })}`,
    /** What a choice setting allows. */
    oneOf: (choices: string) => `must be one of ${choices}`,
  },
  experiments: Object.fromEntries(EXPERIMENTS.map((e) => [e.id, { label: e.label, caption: e.caption }])) as Record<string, { label: string; caption: string }>,
  about: {
    region: 'About this experiment',
    title: (label: string) => `About this experiment: ${label}`,
    book: (section: string) => `(Dive into Deep Learning ${section})`,
  },
  status: {
    starting: 'Starting…',
    step: (n: number) => `step ${n}`,
    epoch: (n: number) => `epoch ${n}`,
    loss: (v: string) => `loss ${v}`,
    l2: (v: string) => `L2 term ${v}`,
    testAccuracy: (v: string) => `test accuracy ${v}`,
    testLoss: (v: string) => `test loss ${v}`,
    trainLoss: (v: string) => `training-set loss ${v}`,
    speed: (v: string) => `${v} steps/s`,
    loading: (what: string, percent: number) => `Loading ${what} (${percent}%)`,
    loadingLabel: (what: string) => `Loading ${what}`,
    diverged: (step: number) => `Training diverged at step ${step}`,
    divergedAdvice:
      'Training is paused and the weights are those from before that step. Try a smaller learning rate, or another initializer (Xavier uniform or He normal instead of a wide Normal).',
    ignored: (entries: string) => `Ignored from the link (defaults used): ${entries}`,
    ignoredEntry: (entry: string, why: string) => `${entry} (${why})`,
    unknownSetting: 'unknown setting',
    unknownExperiment: 'unknown experiment',
    started: (step: number) => `Training started at step ${step}.`,
    paused: (step: number) => `Paused at step ${step}.`,
    backendSaid: (label: string) => `Backend: ${label}.`,
    activity: {
      build: 'building the model (drawing its weights)',
      step: (step: number) => `step ${step} in progress`,
      compiling: (step: number) => `step ${step} in progress (the first: compiling the WebGPU kernels)`,
      evaluation: 'evaluating the model',
      inside: 'looking inside the network',
      ops: (done: number, total: number) => `layer op ${done} of ${total}`,
      elapsed: (seconds: string) => `${seconds} s so far`,
    },
    noModel: (reason: string) => `Nothing is trained: ${reason}`,
    noModelAdvice: 'The controls show the settings that failed. Change a setting, or press Reset to try them again.',
    noModelStatus: 'nothing is trained',
    refusedNoModel: 'Train and Step need a model, and none could be built for these settings.',
    refusedDiverged:
      'Train and Step refused: the weights kept are those from just before the divergence, already far out, so training on them diverges again, whatever the learning rate. Press Reset to start afresh, or choose another initializer to draw new weights.',
    resetAfresh: 'Reset: start afresh',
    workerSilent: (seconds: number) => `it did not answer for ${seconds} s`,
    workerFailed: (message: string) => `it failed: ${message}`,
    workerUnreadable: 'a message from it could not be read',
    workerReplaced: (why: string) =>
      `The training worker stopped (${why}). A new one was started with the same settings: the weights were drawn afresh and the charts are kept. Press Train to go on.`,
    workerGaveUp: (why: string) => `The training worker stopped (${why}), and its replacements failed too, so the page stopped trying. Reload the page.`,
    deadUnits: (steps: number, loss: string, chance: string) =>
      `Every gradient has been exactly 0 for ${steps} steps while the loss (${loss}) is above chance (${chance}): the units are dead (ReLU units that never switch on, or saturated ones), so training cannot move. Press Reset, with a smaller learning rate.`,
    slowStep: (seconds: string, parameters: string, backend: string, rate: string, measured: boolean) =>
      `One training step of this model (${parameters} parameters) takes about ${seconds} s on ${backend}, at ${rate} GFLOP/s (${measured ? 'measured here' : 'assumed until a step is measured'}). It trains all the same: Pause, Reset and changes are answered between the step's layer ops.`,
    backendNames: { cpu: 'the CPU', webgpu: 'WebGPU' },
    /** Why a run diverged (the trainer says it in English). */
    reason: (english: string) => english,
    /** The fixed words of the worker's backend labels, translated where they appear. */
    backendWords: {} as Record<string, string>,
  },
  marks: {} as Record<string, string>,
  charts: {
    png: 'PNG',
    pngLabel: (chart: string) => `Download ${chart} as PNG`,
    whatIsThis: 'What is this?',
    referencesIn: (chart: string) => `References in the ${chart}`,
    reference: (n: number, origin: 'kept' | 'imported', label: string) => `Reference ${n} (${origin}): ${label}`,
    loss: {
      title: 'Loss chart',
      explain:
        'The cross-entropy loss L of each training batch (light), and at each evaluation the loss over the training set and over the test set, with their accuracies (dashed, right axis). A healthy run: the losses fall quickly, then slowly; the test loss stays close to the training-set loss. A test loss that rises while the training-set loss falls is overfitting.',
      series: ['batch loss', 'training-set loss', 'test loss', 'training-set accuracy', 'test accuracy'],
      axes: ['step', 'loss', 'accuracy (dashed)'],
    },
    weights: {
      title: 'Weight norms chart',
      explain:
        ' ‖W_l‖_F of every layer at each step (log axis), and the weight decay term s = λ/2·Σ‖W‖² (dashed, right axis). Weight decay pulls the norms down; without it they drift up as the model fits the training set. Norms that shoot up by decades mean the run is exploding.',
      l2: 'λ/2·Σ‖W‖²',
      axes: ['step', '‖W_l‖_F (log)', 'L2 term (dashed, log)'],
    },
    gradients: {
      title: 'Gradient norms chart',
      explain:
        '‖∂J/∂W_l‖_F of every layer at each step, on a log axis, input layer darkest. In a healthy deep network the layers sit within a decade or so of each other. Lines spread over many decades, the first layers far below the last, are vanishing gradients; lines climbing without bound are exploding ones.',
      axes: ['step', '‖∂J/∂W‖_F (log)'],
    },
    profile: {
      title: 'Growth through depth',
      explain:
        'Across the layers at the latest evaluation: ‖∂J/∂W‖, the RMS of the activations h going forward, and ‖∂J/∂z‖ going backward, on a log axis. A flat profile is a well-initialised network; a straight slope means each layer multiplies the signal by the same factor, so depth makes it vanish (down) or explode (up).',
      series: ['layer', '‖∂J/∂W‖_F', 'RMS of h (forward)', '‖∂J/∂z‖_F (backward)'],
      axes: ['layer (input → output)', 'log scale'],
    },
    ratio: {
      title: 'Update-to-data ratio',
      explain:
        'lr·‖∂J/∂W‖/‖W‖ per layer and step (log axis): the share of its weights one step moves. Around 1e-3 a layer learns steadily; far below, it is frozen (its gradient vanished or the learning rate is too small); near 1, every step rewrites it and training is unstable.',
      axes: ['step', 'lr·‖∂J/∂W‖ / ‖W‖ (log)'],
    },
    layer: (n: number) => `layer ${n}`,
    legendHidden: (layers: number) =>
      `${layers} layers: one line each, from layer 1 (darkest) to the output layer (lightest). The legend is left out at this depth; the per-layer table below has every layer's value.`,
    weightNorm: (n: number) => `‖W${n}‖`,
  },
  table: {
    label: 'Per-layer gradient norm',
    caption: 'Per-layer gradient norm ‖∂J/∂W‖_F (latest step)',
    layer: 'Layer',
    shape: 'W shape',
    spread: 'Units differ by',
    spreadTip: 'max |w_ij − w_i1| over the units j of a hidden layer: 0 when every unit is the same',
    rms: 'RMS of h',
    rmsTip: "root mean square of the layer's activations h over the batch, going forward",
    backward: '‖∂J/∂z‖_F',
    backwardTip: '‖∂J/∂z‖ over the batch, going backward (∂J/∂o for the output layer)',
    gradient: '‖∂J/∂W‖_F',
    output: (n: number) => `${n} (output)`,
  },
  mistakes: {
    confusion: 'Confusion matrix',
    confusionTitle: (n: number) => `Confusion matrix · ${n} test examples`,
    trueClass: 'true class ↓ · predicted →',
    cell: (count: number, truth: string, predicted: string) => `${count} test examples of ${truth} predicted as ${predicted}`,
    region: 'Misclassified examples',
    title: 'Misclassified examples · the most confident mistakes',
    none: 'No test example is misclassified.',
    explain: (truth: string, predicted: string, probability: string) => `true ${truth}, predicted ${predicted} (probability ${probability})`,
    probabilities: 'Probabilities of the chosen example',
    chosen: (index: number, explanation: string) => `Test example ${index}: ${explanation}`,
    className: (c: number) => `class ${c}`,
    /** Fashion-MNIST's classes as the book names them. */
    fashion: [...FASHION_MNIST.classNames] as string[],
  },
  boundary: {
    title: 'Decision boundary',
    step: (n: number) => `Decision boundary · step ${n}`,
    caption: (size: string) =>
      `Tint: the predicted class on a ${size} × ${size} grid, deeper where the model is surer (its largest softmax probability); dots: training points, rings: test points, coloured by their true class.`,
    notPredicted:
      'Dots: training points, rings: test points, coloured by their true class. The predicted class is not tinted in: this model is too large to run over even a 16 × 16 grid every second.',
  },
  tools: {
    region: 'Take the run away',
    keep: 'Keep as reference',
    clear: 'Clear references',
    fixAxes: 'Fix axes',
    csv: 'Download CSV',
    json: 'Download JSON',
    import: 'Import JSON',
    importInput: 'Run file to import',
    copyLink: 'Copy link',
    linkLabel: 'Link to these settings',
    nothing: 'Nothing to keep yet: train a few steps first.',
    kept: (n: number, most: number, label: string) => `Kept as reference (${n} of at most ${most}): ${label}`,
    imported: (file: string, label: string, steps: number) => `Imported ${file} as a reference: ${label}, ${steps} steps.`,
    refused: (file: string, why: string) => `${file} was not imported: ${why}. The live run is unchanged.`,
    copied: 'Link copied: it opens these settings (the backend is left to whoever opens it).',
    notCopied: 'The browser did not allow copying: select the link below and copy it.',
    kinds: { kept: 'kept', imported: 'imported' } as Record<'kept' | 'imported', string>,
    /** What can be wrong with an imported run file (declared with the reader). */
    problems: RUN_FILE_PROBLEMS as RunFileProblems,
  },
  inside: {
    section: 'Inside the network',
    trainFirst: 'Train a step to see them.',
    graph: {
      region: 'Computational graph',
      title: (step: number) => `Computational graph · step ${step}`,
      empty: 'Train a step to see the graph with its values.',
      caption: (rows: number) =>
        `Forward (solid arrows) computes each value from the one before; backward (dashed) carries ∂J/∂· from J back to every weight, through s too. Each node shows its norm, mean μ and spread σ over the batch of ${rows}, and the norm of J's gradient with respect to it; the weight nodes describe W (its bias b is the node's other parameter). Hover over or focus a node for its formula.`,
      nodes: 'Nodes of the computational graph',
      hint: 'Hover over or focus a node to see its formula.',
      examples: (cols: number, rows: number) => `${cols} × ${rows} examples`,
      scalar: 'scalar',
      noGradient: 'input: no gradient needed',
      notFinite: (n: number) => `${n} not finite`,
      x: (rows: number, cols: number) => `x: the batch of ${rows} inputs, ${cols} features each.`,
      weights: (l: string, z: string, previous: string, lambda: number) =>
        `∂J/∂W${l} = (∂J/∂${z}) ${previous}ᵀ + λW${l} (summed over the batch), λ = ${lambda}. The weight decay term λW${l} comes from s.`,
      output: (l: string, previous: string) => `o = W${l}${previous} + b${l}, the logits. ∂J/∂o = (softmax(o) − y)/n for each example (y one-hot).`,
      hidden: (l: string, previous: string) => `z${l} = W${l}${previous} + b${l}. ∂J/∂z${l} = ∂J/∂h${l} ⊙ φ′(z${l}): small where φ is flat.`,
      activation: (l: string, phi: string, next: string, above: string) =>
        `h${l} = φ(z${l}), φ = ${phi}. ∂J/∂h${l} = W${next}ᵀ ∂J/∂${above}: the gradient from above, through the next weights.`,
      loss: 'L = (1/n) Σᵢ l(oᵢ, yᵢ), the mean cross-entropy of the batch: l = −log softmax(oᵢ)[yᵢ].',
      decay: (lambda: number) => `s = (λ/2) Σₗ ‖W⁽ˡ⁾‖²_F, the weight decay term, λ = ${lambda}. ∂s/∂W⁽ˡ⁾ = λW⁽ˡ⁾.`,
      objective: 'J = L + s, the objective that gradient descent minimises.',
      start: '∂J/∂J = 1: backpropagation starts here',
    },
    histograms: {
      leftOut: (from: number, to: number, layers: number) =>
        `Layers ${from} to ${to} of ${layers} are left out here at this depth; the per-layer table and the charts have every layer.`,
      activations: 'Activation histograms',
      weights: 'Weight histograms',
      gradients: 'Gradient histograms',
      activationsCaption: (step: number, phi: string, flat: string) =>
        `Step ${step}: pre-activations z and activations h = ${phi}(z) over the batch, per hidden layer (and the logits o). ${flat}`,
      saturatedCaption: (region: string) =>
        `Saturated: the share of h in φ's flat region (${region}, where φ′ is below a tenth of its peak); such a unit passes almost no gradient back.`,
      inactiveCaption: (region: string) => `Inactive: the share of h in φ's flat region (${region}); such a unit passes no gradient back.`,
      weightsCaption: (step: number) => `Step ${step}: the entries of each W (biases left out), as the step read them.`,
      gradientsCaption: (step: number) =>
        `Step ${step}: the entries of each ∂J/∂W = (∂J/∂z) hᵀ + λW. Vanishing gradients squeeze the early layers' range towards 0 (read the range under each); exploding ones stretch it.`,
      layer: (n: number) => `layer ${n}`,
      outputLayer: (n: number) => `output layer ${n}`,
      saturated: (share: string) => `saturated ${share}`,
      inactive: (share: string) => `inactive ${share}`,
      summary: (title: string, count: number, lo: string, hi: string, mean: string, spread: string) =>
        `${title}: ${count} values over [${lo}, ${hi}), mean ${mean}, spread ${spread}`,
      notFinite: (n: number) => `${n} not finite`,
    },
    images: {
      region: 'Weight images',
      none: "Weight images need an image data set (Fashion-MNIST): each first-layer unit's 784 weights are drawn as a 28 × 28 picture.",
      softmax: (step: number) =>
        `After step ${step}: what each class "looks for": its row of W as a picture, red where a bright pixel raises the score, blue where it lowers it (each scaled to its own largest |w|).`,
      units: (step: number, n: number) =>
        `After step ${step}: the first ${n} hidden units of layer 1: their rows of W⁽¹⁾ as a picture, red where a bright pixel raises the score, blue where it lowers it (each scaled to its own largest |w|).`,
      unit: (n: number) => `unit ${n}`,
      of: (name: string) => `weights of ${name}`,
    },
    checks: {
      region: 'Check it yourself',
      caption: (h: string, floor: string, tolerance: string, compare: string) =>
        `Both run on a copy of the current parameters, between training steps: the run goes on as before. Check gradients runs the float64 reference implementation (plain loops, the specification every backend is tested against) on those parameters and compares its backpropagated gradient of a sample of parameters from every layer with centred differences (J(θ + h) − J(θ − h))/2h, h = ${h}; relative error |a − n| / max(|a|, |n|, ${floor}·max(1, |J|)), passing below ${tolerance}. Compare backends runs the same forward and backward pass on the CPU and on WebGPU, so it checks the GPU's kernels, and passes when the loss and every ‖∂J/∂W‖ agree within ${compare} (relative).`,
      gradients: 'Check gradients',
      checking: 'Checking gradients…',
      backends: 'Compare backends',
      comparing: 'Comparing backends…',
      pass: 'pass',
      fail: 'fail',
      gradientFailed: (why: string) => `The gradient check could not run: ${why}`,
      compareFailed: (why: string) => `The comparison could not run: ${why}`,
      gradientResult: (step: number, error: string, checked: number, layers: number, samples: number, tolerance: string) =>
        `Step ${step}: largest relative error ${error} over ${checked} parameters of ${layers} layer${layers === 1 ? '' : 's'} on ${samples} training examples, against a tolerance of ${tolerance}:`,
      belowFloor: (floor: string, below: number, checked: number, bound: string) =>
        `Entries whose gradient is below the floor ${floor} (${below} of ${checked}) are only held to |a − n| ≤ ${bound}: a float64 difference cannot resolve them more finely, so a vanishing gradient there is shown to be tiny, not checked digit by digit.`,
      byLayer: 'Gradient check by layer',
      headers: ['Layer', 'Entries', 'Below the floor', 'Largest relative error', 'Analytic ∂J/∂θ', 'Centred difference'],
      floorTip: (floor: string, bound: string) => `entries whose gradient is below ${floor}: held to |a − n| ≤ ${bound}`,
      notResolved: 'not resolved',
      compareResult: (step: number, samples: number, loss: string, gradients: string, tolerance: string) =>
        `Step ${step}, one forward and backward pass on ${samples} training examples: the loss differs by ${loss} (relative) and the layers' ‖∂J/∂W‖ by at most ${gradients}, against a tolerance of ${tolerance}:`,
      compared: 'Backends compared',
      quantity: 'Quantity',
      difference: 'Relative difference',
      lossRow: 'loss L',
      noWebGpu: (label: string) => `WebGPU is not available here (${label}), so there is no second backend to compare with.`,
    },
  },
};

export type Strings = typeof en;
