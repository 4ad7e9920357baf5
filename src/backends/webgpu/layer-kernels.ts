// What each op means on WebGPU: the matmul variant (epilogue, loaders, transposes) it runs as, its Params and its bindings.
import { type Gathered, inputShape, isGathered, type LabelTensor, type LayerInput, MAX_FUSED_CLASSES, type SgdStep, type Tensor } from '../../core/backend';
import { PARTIAL_TILE, tilesAcross } from '../../core/metrics-row';
import type { Activation } from '../../core/settings';
import { checkGuardSlots, checkLinear, checkSameShape, type MatmulOptions, matmulInnerDim } from '../shape-checks';
import { checkAgrees, type MatmulNames, type MatmulVariant } from './kernels';
import { type GpuData, type GpuIndices, type GpuLabels, type GpuMemory, type GpuTensor, whole } from './memory';
import type { BoundRange, Recorder } from './recorder';

/** The Params of one dispatch; what an op does not set keeps these values. */
const PARAM_DEFAULTS = { lda: 0, ldb: 0, slot: 0, tilesX: 1, lambda: 0, scale: 1, lr: 0, guardStart: 0, guardCount: 0, start: 0, dataCols: 0, dataScale: 1 };
/** A product of the 32×32-tiled kernel with fewer k than this (not transposed) takes k one at a time. */
const SINGLE_K_BELOW = 32;
type Shape = Partial<typeof PARAM_DEFAULTS> & { M: number; N: number; K: number };

/** What an op binds besides out, a and b. */
interface Extra {
  aux?: Tensor;
  metrics?: Tensor;
  labels?: LabelTensor | Gathered;
}

export class LayerKernels {
  constructor(
    private readonly recorder: Recorder,
    private readonly memory: GpuMemory,
    private readonly names: MatmulNames,
  ) {
    // the tiles that own a partial sum, and the narrow path's width, are the shader's
    checkAgrees(names, 'TILE', 'PARTIAL_TILE', PARTIAL_TILE);
    checkAgrees(names, 'NARROW_N', 'MAX_FUSED_CLASSES', MAX_FUSED_CLASSES);
  }

  /** out = op(a) · op(b): the bare product. */
  matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions): void {
    const K = matmulInnerDim(out, a, b, options);
    this.run({ epilogue: 'STORE', transA: options.transA, transB: options.transB }, { M: out.rows, N: out.cols, K, lda: a.cols, ldb: b.cols }, out, a, b);
  }

  // h = φ([input | 1] · p)
  linearForward(h: Tensor, input: LayerInput, p: Tensor, kind: Activation): void {
    const { rows, cols } = inputShape(input);
    checkLinear('linearForward', rows, cols, p, h.rows, h.cols);
    this.run({ epilogue: 'ACTIVATION', activation: kind, augment: true }, { M: h.rows, N: h.cols, K: cols + 1, lda: cols, ldb: p.cols }, h, input, p);
  }

  // dO = (softmax([input | 1] · p) − onehot(y))·scale, with the loss pairs
  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, input: LayerInput, p: Tensor, y: LabelTensor | Gathered, scale: number): void {
    if (p.cols > MAX_FUSED_CLASSES) throw new Error(`linearForwardLoss: ${p.cols} classes is above ${MAX_FUSED_CLASSES}`);
    const { rows, cols } = inputShape(input);
    checkLinear('linearForwardLoss', rows, cols, p, dO.rows, dO.cols);
    if (isGathered(input) && isGathered(y) && (input.start !== y.start || input.order !== y.order)) {
      throw new Error('linearForwardLoss: a gathered input and gathered labels must be the same batch');
    }
    const shape = { M: dO.rows, N: dO.cols, K: cols + 1, lda: cols, ldb: p.cols, slot, scale };
    this.run({ epilogue: 'SOFTMAX_CROSS_ENTROPY', augment: true }, shape, dO, input, p, { metrics, labels: y });
  }

  // dInput = (dOut · Wᵀ) ⊙ φ'(h): W's rows are p's first `in` rows, read transposed
  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: Activation): void {
    checkSameShape('linearBackwardInput', dInput, h);
    checkLinear('linearBackwardInput', h.rows, h.cols, p, dOut.rows, dOut.cols);
    const shape = { M: dInput.rows, N: dInput.cols, K: dOut.cols, lda: dOut.cols, ldb: p.cols };
    this.run({ epilogue: 'ACTIVATION_BACKWARD', activation: kind, transB: true }, shape, dInput, dOut, p, { aux: h });
  }

  // g = [input | 1]ᵀ · dOut + λ·[W; 0]: the augmented line is op(a)'s last row
  linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void {
    checkSameShape('linearBackwardParams', g, p);
    const { rows, cols } = inputShape(input);
    checkLinear('linearBackwardParams', rows, cols, p, dOut.rows, dOut.cols);
    const shape = { M: g.rows, N: g.cols, K: rows, lda: cols, ldb: dOut.cols, slot, tilesX: tilesAcross(g.cols), lambda };
    this.run({ epilogue: 'PARAMETER_GRADIENT', transA: true, augment: true }, shape, g, input, dOut, { aux: p, metrics });
  }

  // next = p − lr·([input | 1]ᵀ · dOut + λ·[W; 0]), guarded
  linearUpdate(next: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void {
    const { lambda, lr, guardStart, guardCount } = step;
    checkSameShape('linearUpdate', next, p);
    const { rows, cols } = inputShape(input);
    checkLinear('linearUpdate', rows, cols, p, dOut.rows, dOut.cols);
    const [to, from] = [next as GpuTensor, p as GpuTensor];
    if (to.buffer === from.buffer && to.byteOffset === from.byteOffset) throw new Error('linearUpdate: next and p share storage');
    checkGuardSlots('linearUpdate', metrics, guardStart, guardCount);
    const shape = { M: next.rows, N: next.cols, K: rows, lda: cols, ldb: dOut.cols, slot, tilesX: tilesAcross(next.cols), lambda, lr, guardStart, guardCount };
    this.run({ epilogue: 'SGD_STEP', transA: true, augment: true }, shape, next, input, dOut, { aux: p, metrics });
  }

  /** One dispatch of the variant: the narrow kernel for outputs up to NARROW_N wide, else the 32×32-tiled one. */
  private run(variant: MatmulVariant, shape: Shape, out: Tensor, a: LayerInput, b: Tensor, extra: Extra = {}): void {
    const { dummyRead, dummyWrite } = this.memory;
    let aBound = dummyRead;
    let features = dummyRead;
    let order = dummyRead;
    let labels = dummyRead;
    let source = {};
    if (isGathered(a)) {
      checkGatheredRows(a);
      const split = a.data as GpuData;
      variant = { ...variant, loadA: split.packed ? 'GATHERED_U8' : 'GATHERED_F32' };
      source = { start: a.start, dataCols: split.stride, dataScale: split.scale };
      features = whole(split.features);
      order = whole((a.order as GpuIndices).buffer);
    } else {
      aBound = (a as GpuTensor).bound;
    }
    if (extra.labels && isGathered(extra.labels)) {
      checkGatheredRows(extra.labels);
      variant = { ...variant, labelsGathered: true };
      source = { ...source, start: extra.labels.start };
      labels = whole((extra.labels.data as GpuData).labels);
      order = whole((extra.labels.order as GpuIndices).buffer);
    } else if (extra.labels) {
      labels = whole((extra.labels as GpuLabels).buffer);
    }
    const params = { ...PARAM_DEFAULTS, ...source, ...shape };
    const bound = (t: Tensor | undefined, dummy: BoundRange) => (t ? (t as GpuTensor).bound : dummy);
    const bindings = [
      (out as GpuTensor).bound,
      aBound,
      (b as GpuTensor).bound,
      bound(extra.aux, dummyRead),
      bound(extra.metrics, dummyWrite),
      labels,
      features,
      order,
    ];
    // the tiled kernel takes k in steps of four where that pays for its time to compile: the large
    // products (a transposed op(a) is a batch of samples), never decided by the batch size; the
    // narrow kernel takes k one at a time
    if (out.cols <= MAX_FUSED_CLASSES) {
      const constants = this.names.overrides({ ...variant, groups: Math.ceil(out.cols / 4) });
      this.recorder.dispatch('matmulNarrow', params, bindings, Math.max(1, tilesAcross(out.rows)), 1, constants);
    } else {
      const constants = this.names.overrides({ ...variant, single: !variant.transA && shape.K < SINGLE_K_BELOW });
      this.recorder.dispatch('matmul', params, bindings, tilesAcross(out.cols), tilesAcross(out.rows), constants);
    }
  }
}

function checkGatheredRows(g: Gathered): void {
  if (g.start + g.rows > g.order.length) throw new Error(`gathered rows ${g.start} … ${g.start + g.rows} exceed the order's ${g.order.length}`);
}
