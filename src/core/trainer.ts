// The trainer: seeded epochs of minibatch SGD over a dataset, one step → {loss, l2, acc, gradNorms}.
import type { Backend, DataTensor, IndexTensor, Tensor } from './backend';
import type { Dataset, Split } from './data/dataset';
import type { Inside } from './inspection';
import { readMetricsRow } from './metrics-row';
import { type Batch, Mlp, type Ops, runOps } from './model';
import { Rng } from './rng';
import { checkSettings, HYPER_SETTINGS, type HyperParams, hiddenWidths, type InitConfig, pick, SETTINGS, type TrainConfig } from './settings';
import { type StepResult, stepResult } from './step-result';

/** Steps whose metrics are read back together (one mapAsync on WebGPU). */
export const METRICS_WINDOW = 16;

/**
 * Awaited between the ops of a long step, evaluation or look inside (with `done` of `total` ops
 * recorded and the device caught up): the place to answer messages. It may throw to give the work
 * up; a step given up changes nothing (no parameter, no count, no data position).
 */
export type Checkpoint = (done: number, total: number) => Promise<void>;

/** Paced work stops at its checkpoint about this often (ms of work)… */
const PAUSE_EVERY_MS = 25;
/** …and after at most this many ops recorded without a stop. */
const MAX_GROUP = 64;

/** A window of steps recorded and submitted: its read-back, begun, and its first metrics row (0 or METRICS_WINDOW). */
interface Window {
  rows: Promise<Float32Array | Float64Array>;
  recorded: { n: number; lambda: number; epoch: number; epochEnd: boolean }[];
  first: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** With evaluate(…, { predictions: true }): every evaluated sample's label and softmax probabilities (count × classes). */
  predictions?: { labels: Uint8Array; probabilities: Float32Array };
}

export class Trainer {
  readonly model: Mlp;
  private hyper: HyperParams;
  private readonly initRng: Rng;
  private readonly shuffleRng: Rng;
  /** Two windows' metrics rows: one being read back while the other is recorded (see steps). */
  private readonly metrics: Tensor;
  /** A window recorded and submitted whose read-back is not yet awaited (steps with `ahead`). */
  private inFlight: Window | null = null;
  /**
   * Shuffled orders on the device: epoch e reads orders[e % 2], and the next epoch's is written
   * ahead, between windows, so an epoch's end inside a window needs no write (and no extra submit).
   */
  private readonly orders: [IndexTensor, IndexTensor];
  /** The host's copies of the orders (for inspect()'s look at the batch). */
  private readonly orderValues: [Uint32Array, Uint32Array];
  /** The last training step's batch: which order, from where, how many rows. */
  private lastBatch: { order: number; start: number; n: number } | null = null;
  /** Set when an epoch has ended: orders[(epoch + 1) % 2] still holds a finished epoch's order. */
  private nextOrderStale = false;
  /** The splits uploaded once (test on first evaluation). */
  private readonly trainData: DataTensor;
  private testData: { data: DataTensor; order: IndexTensor } | null = null;
  private cursor = 0;
  private epochIndex = 0;
  private taken = 0;
  private evalBuffer: Tensor | null = null;
  /** Ops recorded between stops of paced work (see paced). */
  private group = 1;

  constructor(
    readonly backend: Backend,
    readonly dataset: Dataset,
    config: TrainConfig,
  ) {
    checkSettings(config);
    const root = new Rng(config.seed);
    this.initRng = root.fork();
    this.shuffleRng = root.fork();
    this.hyper = pick(config, HYPER_SETTINGS);
    this.model = new Mlp(backend, dataset.inputDim, hiddenWidths(config), dataset.numClasses, config.activation);
    this.model.initialize(config, this.initRng);
    this.metrics = backend.tensor(2 * METRICS_WINDOW, this.model.layout.width);
    this.trainData = upload(backend, dataset.train, dataset.inputDim);
    this.orderValues = [this.newOrder(), this.newOrder()];
    this.orders = [backend.indices(this.orderValues[0]), backend.indices(this.orderValues[1])];
  }

  get stepCount(): number {
    return this.taken;
  }

  get epoch(): number {
    return this.epochIndex;
  }

  get hyperParams(): HyperParams {
    return { ...this.hyper };
  }

  /** Steps in one epoch (the last batch may be short). */
  get stepsPerEpoch(): number {
    return Math.ceil(this.dataset.train.count / this.hyper.batchSize);
  }

  /** λ, learning rate and batch size take effect from the next step; nothing is rebuilt. */
  setHyperParams(change: Partial<HyperParams>): void {
    this.quiet('setHyperParams');
    this.hyper = checkSettings({ ...this.hyper, ...change });
  }

  /** Re-draws every weight (and zeroes every bias) in place; training goes on from there. */
  reinitialize(init: InitConfig): void {
    this.quiet('reinitialize');
    checkSettings(init);
    this.model.initialize(init, this.initRng);
  }

  /** One step; its numbers are read back at once. */
  async step(): Promise<StepResult> {
    this.quiet('step');
    const [result] = await this.steps(1);
    return result;
  }

  /**
   * Up to `count` steps (at most METRICS_WINDOW, and never past the end of an epoch), each its own
   * submit, with one read-back of all their metrics at the end. Returns the steps up to and
   * including the first that diverged; the parameters are then those from before it (its update
   * went to the spare storage, and the later steps computed but did not update).
   * The data cursor is not rolled back. With a checkpoint, one step whose ops are recorded one at
   * a time with the checkpoint awaited between them (for steps that take seconds).
   *
   * With `ahead`, the next window (the same size, the same hyper-parameters) is recorded and
   * submitted before this one's read-back is awaited, so that a GPU has work while the host reads
   * and reports: its first step is guarded by this window's last row, so nothing moves after a
   * divergence. It stays in flight: the next call with `ahead` returns it (and sends another), a
   * call without returns it alone, and so does drain(). Nothing else may use the trainer meanwhile.
   */
  async steps(count: number, checkpoint?: Checkpoint, options: { ahead?: boolean } = {}): Promise<StepResult[]> {
    if (this.inFlight && (checkpoint || !options.ahead)) return this.drain();
    const size = checkpoint ? 1 : Math.max(1, Math.min(count, METRICS_WINDOW));
    const current = this.inFlight ?? (await this.record(size, null, checkpoint));
    this.inFlight = options.ahead && !checkpoint ? await this.record(size, current) : null;
    try {
      return await this.collect(current);
    } catch (error) {
      this.inFlight = null; // its steps follow ones never reported: nor are they
      throw error;
    }
  }

  /** The window in flight (steps(…, { ahead: true })), its results; none when there is none. */
  async drain(): Promise<StepResult[]> {
    const sent = this.inFlight;
    this.inFlight = null;
    return sent ? this.collect(sent) : [];
  }

  /** Throws while a window is in flight: its steps are not yet reported, so nothing may act as if they were or were not taken. */
  private quiet(what: string): void {
    if (this.inFlight) throw new Error(`${what}: a window of steps is in flight; drain() it first`);
  }

  /** Whether a window is in flight (see steps). */
  get pending(): boolean {
    return this.inFlight !== null;
  }

  /**
   * Records `size` steps into half of the metrics rows and begins their read-back: the first half,
   * or after `previous` (in flight) the other half, its first step guarded by previous's last row.
   */
  private async record(size: number, previous: Window | null, checkpoint?: Checkpoint): Promise<Window> {
    const train = this.dataset.train;
    const first = previous && previous.first === 0 ? METRICS_WINDOW : 0;
    const recorded: Window['recorded'] = [];
    if (this.nextOrderStale) {
      // any window in flight reads the other order, and the device runs this write after it
      const next = (this.epochIndex + 1) % 2;
      this.orderValues[next] = this.newOrder();
      this.backend.writeIndices(this.orders[next], this.orderValues[next]);
      this.nextOrderStale = false;
    }
    for (let s = 0; s < size; s++) {
      const { batchSize, lambda, lr } = this.hyper;
      const n = Math.min(batchSize, train.count - this.cursor);
      const batch = gathered(this.trainData, this.orders[this.epochIndex % 2], this.cursor, n);
      this.lastBatch = { order: this.epochIndex % 2, start: this.cursor, n };
      const row = first + s;
      const forward = this.model.forwardOps(batch, this.metrics, row);
      // guarded by the previous step's row (each row carries its guard's non-finite value on)
      const guard = s > 0 ? row - 1 : previous ? previous.first + previous.recorded.length - 1 : null;
      const training = this.model.trainingStepOps(batch, lambda, lr, this.metrics, row, guard);
      if (checkpoint) {
        const { forward: f, training: t } = this.model.opsPerPass;
        await this.paced([forward, training], f + t, checkpoint);
      } else {
        runOps(forward);
        runOps(training);
      }
      const epoch = this.epochIndex;
      this.cursor += n;
      const epochEnd = this.cursor >= train.count;
      // one submit per step; the last step's goes with the read-back's copy
      if (s + 1 < size && !epochEnd) this.backend.flush();
      if (epochEnd) {
        this.cursor = 0;
        this.epochIndex += 1;
        this.nextOrderStale = true; // the window ends here: the next writes the order after this one's
      }
      recorded.push({ n, lambda, epoch, epochEnd });
      if (epochEnd) break;
    }
    // the whole metrics tensor: one staging size; a window dropped (see collect) leaves its read unheard
    const rows = this.backend.read(this.metrics);
    rows.catch(() => {});
    return { rows, recorded, first };
  }

  /** A window's results, read back; after a divergence the parameters are put back (see steps). */
  private async collect(sent: Window): Promise<StepResult[]> {
    const rows = await sent.rows;
    const width = this.model.layout.width;
    const results: StepResult[] = [];
    for (let s = 0; s < sent.recorded.length; s++) {
      const { n, lambda, epoch, epochEnd } = sent.recorded[s];
      const row = sent.first + s;
      this.taken += 1;
      const sums = readMetricsRow(rows.subarray(row * width, (row + 1) * width), this.model.layout, n);
      const result = stepResult(sums, { step: this.taken, n, lambda, epoch, epochEnd });
      results.push(result);
      if (result.diverged) {
        // its input parameters are intact in one storage: rewind over every later exchange (a window in flight's too)
        this.model.rewind(sent.recorded.length - s + (this.inFlight?.recorded.length ?? 0));
        this.inFlight = null;
        break;
      }
    }
    return results;
  }

  /**
   * Mean loss and accuracy over a split (or its first `limit` samples, which the class-interleaved
   * Fashion-MNIST files keep balanced), in chunks of the current batch size.
   */
  async evaluate(which: 'train' | 'test' = 'test', limit = Infinity, options: { predictions?: boolean; checkpoint?: Checkpoint } = {}): Promise<Evaluation> {
    this.quiet('evaluate');
    const full = which === 'test' ? this.dataset.test : this.dataset.train;
    const split = limit < full.count ? { ...full, count: Math.max(1, Math.floor(limit)) } : full;
    const chunk = Math.min(Math.max(this.hyper.batchSize, 256), SETTINGS.batchSize.max);
    const chunks = Math.ceil(split.count / chunk);
    const width = this.model.layout.width;
    const sums = this.evalSums(chunks, width);
    const { data, order } = this.evalSplit(which);
    const q = this.dataset.numClasses;
    const predictions = options.predictions ? { labels: split.labels.slice(0, split.count), probabilities: new Float32Array(split.count * q) } : undefined;
    for (let c = 0; c < chunks; c++) {
      const n = Math.min(chunk, split.count - c * chunk);
      const ops = this.model.forwardOps(gathered(data, order, c * chunk, n), sums, c);
      if (options.checkpoint) {
        const perChunk = this.model.opsPerPass.forward;
        const checkpoint = options.checkpoint;
        await this.paced([ops], perChunk, (done) => checkpoint(c * perChunk + done, chunks * perChunk));
      } else {
        runOps(ops);
      }
      if (predictions) {
        // the chunk's probabilities before the next chunk overwrites them (one read a chunk)
        predictions.probabilities.set(await this.model.readProbabilities(predictions.labels.subarray(c * chunk, c * chunk + n)), c * chunk * q);
      } else {
        this.backend.flush();
      }
    }
    const values = await this.backend.read(sums);
    let lossSum = 0;
    let correct = 0;
    for (let c = 0; c < chunks; c++) {
      const n = Math.min(chunk, split.count - c * chunk);
      const row = readMetricsRow(values.subarray(c * width, (c + 1) * width), this.model.layout, n);
      lossSum += row.loss * n; // the row holds the chunk's mean loss
      correct += row.correct;
    }
    return { loss: lossSum / split.count, accuracy: correct / split.count, count: split.count, ...(predictions ? { predictions } : {}) };
  }

  /**
   * Inside the network at the last training step (Mlp.inspect), with the batch x it read; null when
   * the last pass was not a training step (call it before evaluate(), which overwrites the workspace).
   */
  async inspect(checkpoint?: Checkpoint): Promise<Inside | null> {
    this.quiet('inspect');
    let done = 0;
    const layers = this.model.layers.length;
    const inside = await this.model.inspect(checkpoint && (() => this.backend.settle().then(() => checkpoint(++done, layers))));
    const batch = this.lastBatch;
    if (!inside || !batch) return null;
    const { features, featureScale } = this.dataset.train;
    const d = this.dataset.inputDim;
    let sumSquares = 0;
    for (const i of this.orderValues[batch.order].subarray(batch.start, batch.start + batch.n)) {
      for (let f = i * d; f < (i + 1) * d; f++) sumSquares += (features[f] * featureScale) ** 2;
    }
    return { ...inside, input: { cols: d, norm: Math.sqrt(sumSquares) } };
  }

  /** Runs passes op by op, the device caught up and the checkpoint awaited after each; a throw gives the pass up. */
  /**
   * Runs passes op by op, stopping at the checkpoint once PAUSE_EVERY_MS has passed since the last
   * stop or `group` ops have been recorded since it, the device caught up first. On the CPU an op
   * runs as it is recorded, so the time decides; on WebGPU recording is quick and the group does:
   * it doubles while catching up takes under a tenth of PAUSE_EVERY_MS and halves past twice it, so
   * a stop comes about every PAUSE_EVERY_MS of device work and a fast model pays little for them.
   * A throw from the checkpoint gives the passes up.
   */
  private async paced(passes: Ops[], total: number, checkpoint: Checkpoint): Promise<void> {
    let done = 0;
    let since = 0;
    let last = performance.now();
    try {
      for (const ops of passes) {
        for (let r = ops.next(); !r.done; r = ops.next()) {
          done += 1;
          since += 1;
          if (done < total && since < this.group && performance.now() - last < PAUSE_EVERY_MS) continue;
          const settling = performance.now();
          await this.backend.settle();
          const settled = performance.now() - settling;
          if (settled < PAUSE_EVERY_MS / 10) this.group = Math.min(MAX_GROUP, 2 * this.group);
          else if (settled > 2 * PAUSE_EVERY_MS) this.group = Math.max(1, this.group / 2);
          since = 0;
          await checkpoint(done, total);
          last = performance.now();
        }
      }
    } catch (error) {
      for (const ops of passes) ops.return();
      this.model.forgetPass();
      throw error;
    }
  }

  /** Frees the model and metrics; the trainer is not used again (the backend stays). */
  destroy(): void {
    this.model.destroy();
    this.backend.free(this.metrics);
    if (this.evalBuffer) this.backend.free(this.evalBuffer);
    this.backend.release(this.trainData);
    for (const order of this.orders) this.backend.release(order);
    if (this.testData) {
      this.backend.release(this.testData.data);
      this.backend.release(this.testData.order);
    }
    if (this.trainIdentity) this.backend.release(this.trainIdentity);
  }

  private evalSums(chunks: number, width: number): Tensor {
    if (!this.evalBuffer || this.evalBuffer.rows < chunks) {
      if (this.evalBuffer) this.backend.free(this.evalBuffer);
      this.evalBuffer = this.backend.tensor(chunks, width);
    }
    return this.backend.view(this.evalBuffer, chunks);
  }

  /** The split to evaluate on the device, in its stored order (the test split is uploaded on first use). */
  private evalSplit(which: 'train' | 'test'): { data: DataTensor; order: IndexTensor } {
    if (which === 'train') return { data: this.trainData, order: this.identityTrainOrder() };
    const test = this.dataset.test;
    this.testData ??= { data: upload(this.backend, test, this.dataset.inputDim), order: this.backend.indices(identityOrder(test.count)) };
    return this.testData;
  }

  private trainIdentity: IndexTensor | null = null;

  private identityTrainOrder(): IndexTensor {
    this.trainIdentity ??= this.backend.indices(identityOrder(this.dataset.train.count));
    return this.trainIdentity;
  }

  private newOrder(): Uint32Array {
    return this.shuffleRng.shuffle(identityOrder(this.dataset.train.count));
  }
}

/** Samples order[start, start + n) of a split, read in place by the first layer. */
function gathered(data: DataTensor, order: IndexTensor, start: number, n: number): Batch {
  const source = { data, order, start, rows: n };
  return { n, input: source, labels: source };
}

function upload(backend: Backend, split: Split, inputDim: number): DataTensor {
  return backend.dataset(split.features, split.featureScale, split.labels, inputDim);
}

function identityOrder(count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}
