// zh.ts: every Chinese string of the page, the terms of the book's Chinese edition (《动手学深度学习》): the same keys as en.ts.
import type { SettingName } from '../../core/settings';
import type { Strings } from './en';
import { refusalText } from './refusal';

/** What a number setting allows, and a choice setting. */
function allowedRange(min: number, max: number, integer: boolean, minExclusive: boolean): string {
  const kind = integer ? '整数' : '数';
  return max === Infinity ? `应为${minExclusive ? '大于' : '不小于'} ${min} 的${kind}` : `应为 ${min}${minExclusive ? '（不含）' : ''} 到 ${max} 之间的${kind}`;
}
const oneOf = (choices: string) => `应为以下之一：${choices}`;

const settings: Record<SettingName, string> = {
  model: '模型',
  depth: '隐藏层数',
  width: '隐藏单元数',
  activation: '激活函数',
  init: '初始化方法',
  sigma: 'σ',
  initValue: '常数 c',
  lambda: '权重衰减 λ',
  lr: '学习率',
  batchSize: '批量大小',
  dataset: '数据集',
  trainExamples: '训练样本数',
  noise: '噪声',
  backend: '后端',
  seed: '随机种子',
};

const choices: Partial<Record<SettingName, Record<string, string>>> = {
  model: { softmax: 'softmax回归', mlp: '多层感知机' },
  activation: { relu: 'ReLU', sigmoid: 'sigmoid', tanh: 'tanh', identity: '恒等函数' },
  init: {
    'mxnet-default': 'MXNet 默认 U(±0.07)',
    'xavier-uniform': 'Xavier 均匀分布',
    normal: '正态分布',
    'he-normal': 'He 正态分布',
    zeros: '全零',
    constant: '常数',
  },
  dataset: { 'fashion-mnist': 'Fashion-MNIST', spiral: '螺旋', blobs: '团簇', circles: '同心圆', xor: '异或' },
  backend: { auto: '自动', webgpu: 'WebGPU', cpu: 'CPU' },
};

const experiments: Record<string, { label: string; caption: string }> = {
  softmax: {
    label: 'softmax回归',
    caption:
      '书中在 Fashion-MNIST 上的softmax回归：权重 N(0, 0.01²)，批量大小 256，学习率 0.1。损失从 ln 10 ≈ 2.30 开始，即以 1/10 的概率猜测 10 个类别中每一个的交叉熵；一个迭代周期内测试准确率升到约 80%。',
  },
  mlp: {
    label: '多层感知机',
    caption: '书中的多层感知机：一个含 256 个 ReLU 单元的隐藏层，学习率 0.5。与softmax回归的测试准确率比较：隐藏层让模型能弯曲它的决策边界。',
  },
  vanishing: {
    label: '梯度消失',
    caption:
      '十个 sigmoid 层，采用 MXNet 默认的 U(±0.07) 初始化。按一次“单步”，读各层的梯度范数：第一层的约为输出层的 10⁻¹⁰。每一层都把梯度乘以 σ′(z) ≤ 1/4 和很小的权重，所以梯度图中的一束曲线展开跨越十个数量级，损失停在 ln 10 ≈ 2.30，即随机猜测的水平。',
  },
  exploding: {
    label: '梯度爆炸',
    caption:
      '同样的十层，改用 ReLU 和 N(0, 1) 的权重：对每层 64 个输入来说太大了。按一次“单步”，读“随深度的增长”：每一层把信号乘以约 √64 · 1/√2 ≈ 5.7，所以 h 的均方根从第一个隐藏层到最后一个升高六个数量级以上，在对数坐标上是一条直线。梯度范数达到约 10⁸，训练在两步之内发散：页面会停下训练，并指出是哪一步、哪个数溢出。',
  },
  products: {
    label: '多层的乘积',
    caption:
      '三十个线性层，权重 N(0, 0.15²) 把 64 个输入的信号每层放大 0.15·√64 = 1.2 倍：按“单步”，读“随深度的增长”。h 的均方根每层增大 1.2 倍，在对数坐标上是一条直线，而 ∂J/∂z 朝输出方向以同样的倍数缩小：输出是 30 个矩阵的乘积，每个梯度也是。‖∂J/∂W_l‖ 保持平稳，因为它是这两者的乘积。把 σ 设为 0.1（每层 0.8 倍），两条线就朝另一个方向倾斜。',
  },
  xavier: {
    label: 'Xavier初始化',
    caption:
      '梯度消失的那个网络改用 tanh 和 Xavier 的 U(±√(6/(n_in + n_out)))：十一层的梯度范数都落在十倍之内，损失下降。如果激活函数在 0 附近近似线性且以零为中心，Xavier 让信号的方差逐层保持不变：tanh 是这样，sigmoid 不是（它的均值是 1/2，斜率是 1/4），所以单靠 Xavier 救不了 sigmoid 网络。学习率为 0.1：在 0.5 时这个深的 tanh 网络不稳定。',
  },
  symmetry: {
    label: '对称性',
    caption:
      '每个权重都从同一个常数 c 开始。于是 16 个隐藏单元计算同一个函数、得到同一个梯度，并一直保持相同：表中的“单元之差”恒为 0，这个网络并不比只有一个隐藏单元的网络更好。打破这种对称性的正是随机初始化；试试 Xavier 均匀分布。',
  },
  'weight-decay': {
    label: '权重衰减',
    caption:
      '只用 100 张训练图像（每类 10 张）的softmax回归有 7,850 个参数去拟合它们：λ = 0 时训练集损失降向 0，而测试损失居高不下，两者之差就是过拟合。λ = 0.1 时，罚项 λ/2·‖W‖² 让权重保持较小，这个差距缩小三分之一以上。把 λ 设为 0 并按“重置”来比较。',
  },
};

export const zh: Strings = {
  lang: 'zh',
  app: { subtitle: 'softmax回归与多层感知机的实时训练：改变 λ、初始化方法、激活函数和深度，观察每一层的梯度。' },
  language: '语言',
  numbers: { overflowed: '溢出' },
  controls: {
    groups: { model: '模型', initialisation: '初始化', optimisation: '优化', data: '数据与设备' },
    settings,
    choices,
    train: '训练',
    pause: '暂停',
    step: '单步',
    reset: '重置',
    speed: '速度',
    paces: ['尽可能快', '每秒 100 步', '每秒 10 步', '每秒 1 步'],
    logSteps: '步数用对数坐标',
    presentation: '演示模式',
    experiment: '实验',
    form: '设置',
    ownSettings: '自己的设置（选择一个实验来载入）',
    refused: (field, text, allowed) => `${field}“${text}”不可用：${allowed}`,
    allowed: allowedRange,
    oneOf,
  },
  experiments,
  about: {
    region: '关于这个实验',
    title: (label) => `关于这个实验：${label}`,
    book: (section) => `（《动手学深度学习》${section}）`,
  },
  status: {
    starting: '正在启动…',
    step: (n) => `第 ${n} 步`,
    epoch: (n) => `第 ${n} 个迭代周期`,
    loss: (v) => `损失 ${v}`,
    l2: (v) => `L2 项 ${v}`,
    testAccuracy: (v) => `测试准确率 ${v}`,
    testLoss: (v) => `测试损失 ${v}`,
    trainLoss: (v) => `训练集损失 ${v}`,
    speed: (v) => `每秒 ${v} 步`,
    loading: (what, percent) => `正在加载 ${what}（${percent}%）`,
    loadingLabel: (what) => `正在加载 ${what}`,
    diverged: (step) => `训练在第 ${step} 步发散`,
    divergedAdvice: '训练已暂停，权重为那一步之前的值。试试更小的学习率，或换一种初始化方法（用 Xavier 均匀分布或 He 正态分布代替过宽的正态分布）。',
    ignored: (entries) => `链接中被忽略的值（使用默认值）：${entries}`,
    ignoredEntry: (entry, why) => `${entry}（${why}）`,
    unknownSetting: '未知的设置',
    unknownExperiment: '未知的实验',
    started: (step) => `从第 ${step} 步开始训练。`,
    paused: (step) => `在第 ${step} 步暂停。`,
    backendSaid: (label) => `后端：${label}。`,
    activity: {
      build: '正在构建模型（抽取权重）',
      step: (step) => `第 ${step} 步进行中`,
      compiling: (step) => `第 ${step} 步进行中（第一步：正在编译 WebGPU 内核）`,
      evaluation: '正在评估模型',
      inside: '正在查看网络内部',
      ops: (done, total) => `第 ${done} / ${total} 个层运算`,
      elapsed: (seconds) => `已用 ${seconds} 秒`,
    },
    noModel: (reason) => `没有在训练：${reason}`,
    noModelAdvice: '控件显示的是失败的设置。请修改某项设置，或按“重置”再试一次。',
    noModelStatus: '没有在训练',
    refusedNoModel: '“训练”和“单步”需要一个模型，而这些设置无法构建模型。',
    refusedDiverged:
      '拒绝“训练”和“单步”：保留的权重是发散前一步的值，已经很大，无论学习率多小，在其上训练都会再次发散。请按“重置”重新开始，或选择另一种初始化方法重新抽取权重。',
    resetAfresh: '重置：重新开始',
    workerSilent: (seconds) => `${seconds} 秒没有响应`,
    workerFailed: (message) => `出错：${message}`,
    workerUnreadable: '它发来的消息无法读取',
    workerReplaced: (why) => `训练线程停止了（${why}）。已用相同的设置启动了新的线程：权重重新抽取，图表保留。按“训练”继续。`,
    workerGaveUp: (why) => `训练线程停止了（${why}），替换的线程也失败了，页面不再重试。请重新加载页面。`,
    deadUnits: (steps, loss, chance) =>
      `所有梯度已连续 ${steps} 步恰好为 0，而损失（${loss}）高于随机猜测（${chance}）：这些单元已经“死亡”（从不激活的 ReLU 单元，或饱和的单元），训练无法继续。请按“重置”，并使用更小的学习率。`,
    slowStep: (seconds, parameters, backend, rate, measured) =>
      `这个模型（${parameters} 个参数）的一个训练步在${backend}上约需 ${seconds} 秒，速度 ${rate} GFLOP/s（${measured ? '在本机测得' : '测得之前的假定值'}）。它仍会训练：“暂停”、“重置”和修改会在这一步的层运算之间得到响应。`,
    backendNames: { cpu: ' CPU ', webgpu: ' WebGPU ' },
    reason: (english) =>
      english
        .replace(/^the loss is (.+)$/, '损失为 $1')
        .replace(/^the L2 term is (.+)$/, 'L2 项为 $1')
        .replace(/^the gradient norm of layer (\d+) is (.+)$/, '第 $1 层的梯度范数为 $2'),
    backendWords: {
      'chosen in Backend': '在“后端”中选择',
      'WebGPU unavailable': 'WebGPU 不可用',
      'no adapter': '没有适配器',
      'faster here than WebGPU': '在本机比 WebGPU 快',
      'software adapter': '软件适配器',
      'the page is not cross-origin isolated': '页面没有跨源隔离',
      'this engine has no WebAssembly SIMD': '此引擎不支持 WebAssembly SIMD',
      'relaxed SIMD': '宽松 SIMD',
      threads: '个线程',
      thread: '个线程',
    },
  },
  marks: { rebuild: '重建', 're-init': '重新初始化', batch: '批量', 'new worker': '新的训练线程' },
  charts: {
    png: 'PNG',
    pngLabel: (chart) => `把${chart}下载为 PNG`,
    whatIsThis: '这是什么？',
    referencesIn: (chart) => `${chart}中的参照`,
    reference: (n, origin, label) => `参照 ${n}（${origin === 'kept' ? '保留' : '导入'}）：${label}`,
    loss: {
      title: '损失图',
      explain:
        '每个训练批量的交叉熵损失 L（浅色），以及每次评估时在训练集和测试集上的损失和准确率（虚线，右轴）。健康的训练：损失先快后慢地下降，测试损失与训练集损失保持接近。训练集损失下降而测试损失上升，就是过拟合。',
      series: ['批量损失', '训练集损失', '测试损失', '训练集准确率', '测试准确率'],
      axes: ['步', '损失', '准确率（虚线）'],
    },
    weights: {
      title: '权重范数图',
      explain:
        '每一步各层的 ‖W_l‖_F（对数坐标），以及权重衰减项 s = λ/2·Σ‖W‖²（虚线，右轴）。权重衰减把范数往下拉；没有它，范数会随模型拟合训练集而上升。范数一下子升高好几个数量级，说明训练在爆炸。',
      l2: 'λ/2·Σ‖W‖²',
      axes: ['步', '‖W_l‖_F（对数）', 'L2 项（虚线，对数）'],
    },
    gradients: {
      title: '梯度范数图',
      explain:
        '每一步各层的 ‖∂J/∂W_l‖_F，对数坐标，输入层颜色最深。在健康的深层网络中，各层相差在十倍左右之内。曲线展开跨越多个数量级、前几层远低于后几层，是梯度消失；曲线无限攀升，是梯度爆炸。',
      axes: ['步', '‖∂J/∂W‖_F（对数）'],
    },
    profile: {
      title: '随深度的增长',
      explain:
        '最近一次评估时跨各层的 ‖∂J/∂W‖、前向传播中激活 h 的均方根和反向传播中的 ‖∂J/∂z‖，对数坐标。平坦的曲线说明网络初始化得好；一条直的斜线说明每层把信号乘以同样的倍数，于是深度让它消失（向下）或爆炸（向上）。',
      series: ['层', '‖∂J/∂W‖_F', 'h 的均方根（前向）', '‖∂J/∂z‖_F（反向）'],
      axes: ['层（输入 → 输出）', '对数坐标'],
    },
    ratio: {
      title: '更新与数据之比',
      explain:
        '每层每步的 lr·‖∂J/∂W‖/‖W‖（对数坐标）：一步更新改动的权重比例。约 1e-3 时该层稳定地学习；远低于它，该层被冻结（梯度消失了，或学习率太小）；接近 1 时，每一步都重写它，训练不稳定。',
      axes: ['步', 'lr·‖∂J/∂W‖ / ‖W‖（对数）'],
    },
    layer: (n) => `第 ${n} 层`,
    legendHidden: (layers) => `${layers} 层：每层一条线，从第 1 层（颜色最深）到输出层（颜色最浅）。这么深时不显示图例；下方的逐层表格列出每一层的数值。`,
    weightNorm: (n) => `‖W${n}‖`,
  },
  table: {
    label: '各层的梯度范数',
    caption: '各层的梯度范数 ‖∂J/∂W‖_F（最近一步）',
    layer: '层',
    shape: 'W 的形状',
    spread: '单元之差',
    spreadTip: '隐藏层各单元 j 上 |w_ij − w_i1| 的最大值：所有单元都相同时为 0',
    rms: 'h 的均方根',
    rmsTip: '前向传播中该层激活 h 在批量上的均方根',
    backward: '‖∂J/∂z‖_F',
    backwardTip: '反向传播中 ‖∂J/∂z‖ 在批量上的值（输出层为 ∂J/∂o）',
    gradient: '‖∂J/∂W‖_F',
    output: (n) => `${n}（输出层）`,
  },
  mistakes: {
    confusion: '混淆矩阵',
    confusionTitle: (n) => `混淆矩阵 · ${n} 个测试样本`,
    trueClass: '真实类别 ↓ · 预测类别 →',
    cell: (count, truth, predicted) => `${count} 个${truth}的测试样本被预测为${predicted}`,
    region: '分错的样本',
    title: '分错的样本 · 最有把握的错误',
    none: '没有分错的测试样本。',
    explain: (truth, predicted, probability) => `真实为${truth}，预测为${predicted}（概率 ${probability}）`,
    probabilities: '所选样本的各类概率',
    chosen: (index, explanation) => `测试样本 ${index}：${explanation}`,
    className: (c) => `类别 ${c}`,
    fashion: ['T恤', '裤子', '套衫', '连衣裙', '外套', '凉鞋', '衬衫', '运动鞋', '包', '短靴'],
  },
  boundary: {
    title: '决策边界',
    step: (n) => `决策边界 · 第 ${n} 步`,
    caption: (size) =>
      `着色：在 ${size} × ${size} 网格上预测的类别，模型越有把握（softmax 最大概率越大）颜色越深；实心点为训练点，圆环为测试点，按真实类别着色。`,
    notPredicted: '实心点为训练点，圆环为测试点，按真实类别着色。没有画出预测的类别：这个模型太大，无法每秒在哪怕 16 × 16 的网格上运行一遍。',
  },
  tools: {
    region: '带走这次训练',
    keep: '保留为参照',
    clear: '清除参照',
    fixAxes: '固定坐标轴',
    csv: '下载 CSV',
    json: '下载 JSON',
    import: '导入 JSON',
    importInput: '要导入的训练文件',
    copyLink: '复制链接',
    linkLabel: '指向这些设置的链接',
    nothing: '还没有可保留的：先训练几步。',
    kept: (n, most, label) => `已保留为参照（第 ${n} 个，最多 ${most} 个）：${label}`,
    imported: (file, label, steps) => `已将 ${file} 导入为参照：${label}，${steps} 步。`,
    refused: (file, why) => `${file} 未导入：${why}。当前的训练没有改变。`,
    copied: '链接已复制：它打开这些设置（后端由打开它的人的机器决定）。',
    notCopied: '浏览器不允许复制：请选中下面的链接并复制。',
    kinds: { kept: '保留', imported: '导入' },
    problems: {
      notJson: (detail) => `文件不是 JSON（${detail}），可能不完整`,
      notObject: () => '文件是 JSON，但不是 Gradient Lab 的训练记录（顶层不是对象）',
      format: (found, expected) => `format 为 ${found}，不是 "${expected}"：不是 Gradient Lab 的训练记录`,
      version: (found, expected) => `version ${found} 不是本页面读取的版本 ${expected}`,
      missing: (what) => `缺少 ${what}`,
      settingMissing: (path, label) => `缺少 ${path}（${label}）`,
      setting: (name, text) => `settings：${refusalText(zh, name as SettingName, text)}`,
      unknownSettings: (names) => `settings 含有未知的项：${names}`,
      experiment: () => 'experiment 不是实验的名称',
      notNumbers: (path) => `${path} 不是数的列表`,
      length: (path, found, steps) => `${path} 有 ${found} 个值，而步数为 ${steps}`,
      notFinite: (path, found, nullable) => `${path} 为 ${found}，不是有限的数${nullable ? '或 null' : ''}`,
      tooManySteps: (found, most) => `series.step 有 ${found} 步，超过训练记录最多的 ${most} 步`,
      notStep: (path, found) => `${path} 为 ${found}，不是步数（从 1 起的整数，或 n + 0.5 处的间断）`,
      notIncreasing: (at, before, after) => `series.step 在 ${at} 处不递增（${before}, ${after}）`,
      notLayers: (path) => `${path} 不是各层的列表`,
      tooManyLayers: (path, found, most) => `${path} 有 ${found} 层，多于这里任何模型的层数（${most}）`,
      layerCount: (path, found, expected) => `${path} 有 ${found} 层，而 series.gradNorms 有 ${expected} 层`,
      breakWithValues: (path, step) => `${path} 是间断（${step}），却含有值`,
      markers: () => 'markers 不是 { step, label } 的列表',
      tooLarge: (mebibytes, most) => `文件有 ${mebibytes} MiB，超过训练记录最多的 ${most} MiB`,
    },
  },
  inside: {
    section: '网络内部',
    trainFirst: '训练一步后即可看到。',
    graph: {
      region: '计算图',
      title: (step) => `计算图 · 第 ${step} 步`,
      empty: '训练一步后即可看到带数值的计算图。',
      caption: (rows) =>
        `前向传播（实线箭头）由前一个值算出每个值；反向传播（虚线）把 ∂J/∂· 从 J 传回每个权重，也经过 s。每个节点显示它在 ${rows} 个样本的批量上的范数、均值 μ 和标准差 σ，以及 J 对它的梯度的范数；权重节点描述的是 W（偏置 b 是该节点的另一个参数）。把鼠标移到节点上或让它获得焦点，可以看到它的公式。`,
      nodes: '计算图的节点',
      hint: '把鼠标移到节点上或让它获得焦点，可以看到它的公式。',
      examples: (cols, rows) => `${cols} × ${rows} 个样本`,
      scalar: '标量',
      noGradient: '输入：不需要梯度',
      notFinite: (n) => `${n} 个非有限值`,
      x: (rows, cols) => `x：${rows} 个输入的批量，每个 ${cols} 个特征。`,
      weights: (l, z, previous, lambda) => `∂J/∂W${l} = (∂J/∂${z}) ${previous}ᵀ + λW${l}（在批量上求和），λ = ${lambda}。权重衰减项 λW${l} 来自 s。`,
      output: (l, previous) => `o = W${l}${previous} + b${l}，即未规范化的预测（logits）。每个样本的 ∂J/∂o = (softmax(o) − y)/n（y 为独热编码）。`,
      hidden: (l, previous) => `z${l} = W${l}${previous} + b${l}。∂J/∂z${l} = ∂J/∂h${l} ⊙ φ′(z${l})：在 φ 平坦处很小。`,
      activation: (l, phi, next, above) => `h${l} = φ(z${l})，φ = ${phi}。∂J/∂h${l} = W${next}ᵀ ∂J/∂${above}：来自上方、经过下一层权重的梯度。`,
      loss: 'L = (1/n) Σᵢ l(oᵢ, yᵢ)，批量的平均交叉熵：l = −log softmax(oᵢ)[yᵢ]。',
      decay: (lambda) => `s = (λ/2) Σₗ ‖W⁽ˡ⁾‖²_F，权重衰减项，λ = ${lambda}。∂s/∂W⁽ˡ⁾ = λW⁽ˡ⁾。`,
      objective: 'J = L + s，梯度下降要最小化的目标函数。',
      start: '∂J/∂J = 1：反向传播从这里开始',
    },
    histograms: {
      leftOut: (from, to, layers) => `这么深时，这里略去了 ${layers} 层中的第 ${from} 到第 ${to} 层；逐层表格和图表包含每一层。`,
      activations: '激活值直方图',
      weights: '权重直方图',
      gradients: '梯度直方图',
      activationsCaption: (step, phi, flat) => `第 ${step} 步：各隐藏层（以及输出 o）在批量上的预激活 z 和激活 h = ${phi}(z)。${flat}`,
      saturatedCaption: (region) => `饱和：h 落在 φ 平坦区域（${region}，φ′ 不到其峰值的十分之一）中的比例；这样的单元几乎不向回传递梯度。`,
      inactiveCaption: (region) => `不活跃：h 落在 φ 平坦区域（${region}）中的比例；这样的单元不向回传递梯度。`,
      weightsCaption: (step) => `第 ${step} 步：每个 W 的元素（不含偏置），即这一步读到的值。`,
      gradientsCaption: (step) => `第 ${step} 步：每个 ∂J/∂W = (∂J/∂z) hᵀ + λW 的元素。梯度消失把前几层的范围压向 0（看每幅图下的范围）；梯度爆炸把它拉宽。`,
      layer: (n) => `第 ${n} 层`,
      outputLayer: (n) => `输出层 ${n}`,
      saturated: (share) => `饱和 ${share}`,
      inactive: (share) => `不活跃 ${share}`,
      summary: (title, count, lo, hi, mean, spread) => `${title}：${count} 个值，范围 [${lo}, ${hi})，均值 ${mean}，标准差 ${spread}`,
      notFinite: (n) => `${n} 个非有限值`,
    },
    images: {
      region: '权重图像',
      none: '权重图像需要图像数据集（Fashion-MNIST）：第一层每个单元的 784 个权重画成一幅 28 × 28 的图。',
      softmax: (step) =>
        `第 ${step} 步之后：每个类别“在找什么”：它那一行 W 画成的图，红色表示亮像素提高得分，蓝色表示降低得分（每幅图按自身最大的 |w| 缩放）。`,
      units: (step, n) =>
        `第 ${step} 步之后：第 1 层前 ${n} 个隐藏单元各自那一行 W⁽¹⁾ 画成的图，红色表示亮像素提高得分，蓝色表示降低得分（每幅图按自身最大的 |w| 缩放）。`,
      unit: (n) => `单元 ${n}`,
      of: (name) => `${name}的权重`,
    },
    checks: {
      region: '自己检查',
      caption: (h, floor, tolerance, compare) =>
        `两者都在当前参数的副本上、在训练步之间运行：训练照常继续。“检查梯度”用 float64 参考实现（朴素循环，即测试每个后端所依据的规格）在这些参数上运行，把每层抽样参数的反向传播梯度与中心差分 (J(θ + h) − J(θ − h))/2h 比较，h = ${h}；相对误差 |a − n| / max(|a|, |n|, ${floor}·max(1, |J|))，低于 ${tolerance} 即通过。“比较后端”在 CPU 和 WebGPU 上运行同样的一次前向和反向传播，以此检查 GPU 的计算核，损失和每个 ‖∂J/∂W‖ 的相对差在 ${compare} 之内即通过。`,
      gradients: '检查梯度',
      checking: '正在检查梯度…',
      backends: '比较后端',
      comparing: '正在比较后端…',
      pass: '通过',
      fail: '未通过',
      gradientFailed: (why) => `梯度检查无法运行：${why}`,
      compareFailed: (why) => `比较无法运行：${why}`,
      gradientResult: (step, error, checked, layers, samples, tolerance) =>
        `第 ${step} 步：在 ${samples} 个训练样本上，${layers} 层的 ${checked} 个参数中最大相对误差为 ${error}，容差为 ${tolerance}：`,
      belowFloor: (floor, below, checked, bound) =>
        `梯度低于下限 ${floor} 的元素（${checked} 个中的 ${below} 个）只要求 |a − n| ≤ ${bound}：float64 差分无法更精细地分辨它们，所以那里的消失梯度只被证明很小，而不是逐位核对。`,
      byLayer: '逐层的梯度检查',
      headers: ['层', '元素数', '低于下限', '最大相对误差', '解析的 ∂J/∂θ', '中心差分'],
      floorTip: (floor, bound) => `梯度低于 ${floor} 的元素：只要求 |a − n| ≤ ${bound}`,
      notResolved: '无法分辨',
      compareResult: (step, samples, loss, gradients, tolerance) =>
        `第 ${step} 步，在 ${samples} 个训练样本上的一次前向和反向传播：损失的相对差为 ${loss}，各层 ‖∂J/∂W‖ 的相对差至多为 ${gradients}，容差为 ${tolerance}：`,
      compared: '后端的比较',
      quantity: '量',
      difference: '相对差',
      lossRow: '损失 L',
      noWebGpu: (label) => `这里没有可用的 WebGPU（${label}），所以没有第二个后端可比较。`,
    },
  },
};
