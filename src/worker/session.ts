// The training session: owns the backend and the trainer, applies settings between steps, streams metrics; driven by messages, testable without a browser.
import { WebGpuBackend } from '../backends/webgpu/webgpu-backend';
import type { Backend } from '../core/backend';
import { type Grid, gridFor, gridPoints, predict } from '../core/boundary';
import type { Dataset } from '../core/data/dataset';
import { withTrainingExamples } from '../core/data/subset';
import type { Inside } from '../core/inspection';
import { changedSettings, classifyChange } from '../core/run-config';
import { type BackendChoice, checkSettings, HYPER_SETTINGS, INIT_SETTINGS, pick, type RunConfig } from '../core/settings';
import { METRICS_WINDOW, type StepResult, Trainer } from '../core/trainer';
import { runCheck } from './checks';
import { evaluateRun, IMAGE_SIDE } from './evaluation';
import type { BackendInfo, FromWorker, MetricPoint, ModelInfo, ToWorker } from './protocol';

/** Metrics go out at most this often, so the page redraws a few times a second, not per step. */
const POST_EVERY_MS = 150;
/** An evaluation (evaluation.ts) at most every EVAL_EVERY_MS… */
const EVAL_EVERY_MS = 2500;
/** …and no more than this share of the time: on a slow device an evaluation can take seconds. */
const PERIODIC_SHARE = 0.1;
/** The decision boundary (2-D sets): at most this often, and at most a tenth of the time, like the evaluation. */
const BOUNDARY_EVERY_MS = 1000;
/** Training points drawn under the boundary. */
const BOUNDARY_POINTS = 600;

/** What the session needs from where it runs: the page's worker, or a test. */
export interface SessionHost {
  post(message: FromWorker): void;
  /** The backend for a choice; with a fallback reason (the GPU was lost), the CPU. */
  makeBackend(choice: BackendChoice, fallbackReason?: string): Promise<{ backend: Backend; info: BackendInfo }>;
  loadDataset(config: RunConfig, progress: (loaded: number, total: number) => void): Promise<Dataset>;
  /** Milliseconds from any fixed point. */
  now(): number;
  /** Resolves after the host's pending events (messages) have had their turn. */
  yieldToEvents(): Promise<void>;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** A periodic task (evaluation, boundary): due every `everyMs`, and never more than PERIODIC_SHARE of the time. */
class Periodic {
  private last = 0;
  private tookMs = 0;

  constructor(private readonly everyMs: number) {}

  due(now: number): boolean {
    return now - this.last > Math.max(this.everyMs, this.tookMs / PERIODIC_SHARE);
  }

  /** The task ran from `started` to `ended`. */
  ran(started: number, ended: number): void {
    this.last = ended;
    this.tookMs = ended - started;
  }

  /** Not due before `everyMs` from now (new settings get a moment before they are measured). */
  postpone(now: number): void {
    this.last = now;
  }
}

export class TrainingSession {
  private config: RunConfig | null = null;
  private backend: Backend | null = null;
  private backendChoice: BackendChoice | null = null;
  private trainer: Trainer | null = null;
  private running = false;
  /** Steps taken by models before the last rebuild: the charts' step axis goes on across rebuilds. */
  private stepOffset = 0;
  /** Steps per read-back while running: about POST_EVERY_MS of work, so slow devices stay responsive. */
  private window = 1;
  private readonly metricsOut = { pending: [] as MetricPoint[], lastPost: 0, stepsSincePost: 0 };
  private readonly evaluation = new Periodic(EVAL_EVERY_MS);
  private readonly boundaryTimer = new Periodic(BOUNDARY_EVERY_MS);
  private boundary: { grid: Grid; cells: Float64Array } | null = null;
  private readonly queue: ToWorker[] = [];
  private pumping: Promise<void> | null = null;
  /** Steps a second while running (null: as fast as possible), and when the next paced step is due. */
  private pace: number | null = null;
  private nextStepAt = 0;
  /** Inside the network at the last training step, and whether steps have run since it was read. */
  private inside: Inside | null = null;
  private insideStale = false;

  constructor(private readonly host: SessionHost) {}

  /** Queues a message; the session handles messages in order, between training windows. */
  receive(message: ToWorker): void {
    this.queue.push(message);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Resolves when every queued message is handled and training is paused (for tests). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const message = this.queue.shift();
        if (message) {
          await this.handle(message);
          continue;
        }
        if (this.running && this.trainer) {
          if (this.pace === null) {
            await this.trainSome(this.window);
          } else {
            // one step at a time; wait in short slices so messages are still answered at once
            const wait = this.nextStepAt - this.host.now();
            if (wait > 0) {
              await this.host.sleep(Math.min(wait, 100));
              continue;
            }
            this.nextStepAt = Math.max(this.nextStepAt, this.host.now() - 1000 / this.pace) + 1000 / this.pace;
            await this.trainSome(1);
          }
          await this.host.yieldToEvents();
          continue;
        }
        break;
      }
    } catch (error) {
      this.running = false;
      this.host.post({ type: 'running', running: false });
      this.host.post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'configure':
        if (message.fresh) {
          checkSettings(message.config);
          await this.restart(message.config);
          break;
        }
        await this.configure(message.config);
        if (this.running) this.evaluation.postpone(this.host.now());
        break;
      case 'play':
        if (!this.trainer) break;
        this.running = true;
        this.metricsOut.lastPost = this.host.now();
        this.metricsOut.stepsSincePost = 0;
        this.host.post({ type: 'running', running: true });
        break;
      case 'pause':
        if (this.running) {
          this.running = false;
          this.postMetrics(true);
          this.host.post({ type: 'running', running: false });
          await this.evaluate();
          await this.drawBoundary();
        }
        break;
      case 'step':
        if (!this.running) await this.trainSome(1);
        break;
      case 'pace':
        this.pace = message.stepsPerSecond;
        this.nextStepAt = 0;
        break;
      case 'reset':
        if (this.config) await this.restart(this.config);
        break;
      case 'check': {
        const step = this.stepOffset + (this.trainer?.stepCount ?? 0);
        if (!this.trainer || !this.backend) {
          this.host.post({ type: 'check', report: { kind: message.kind, step, failed: 'there is no model yet' } });
          break;
        }
        try {
          this.host.post({ type: 'check', report: await runCheck(message.kind, this.trainer, this.backend, this.host, step) });
        } catch (error) {
          this.host.post({ type: 'check', report: { kind: message.kind, step, failed: error instanceof Error ? error.message : String(error) } });
        }
        break;
      }
    }
  }

  /** Starts the run afresh (paused, step 0, the history cleared) from `config`: one build. */
  private async restart(config: RunConfig): Promise<void> {
    this.running = false;
    this.trainer?.destroy();
    this.trainer = null;
    this.stepOffset = 0;
    this.metricsOut.pending = [];
    this.host.post({ type: 'running', running: false });
    this.host.post({ type: 'reset' });
    await this.build(config);
  }

  /** Applies new settings: the next step's hyper-parameters, new weights, or a rebuilt model. */
  private async configure(next: RunConfig): Promise<void> {
    checkSettings(next); // the one check of a configuration that comes from outside
    const before = this.config;
    const change = before ? classifyChange(before, next) : 'rebuild';
    if (change === 'none') return;
    if (before && this.trainer && (change === 'rebuild' || change === 're-initialise')) {
      // the old weights' steps go out first, then the mark: the charts break exactly between the two
      this.postMetrics(true);
      const fields = changedSettings(before, next);
      const label = change === 'rebuild' ? `rebuild: ${fields.map((f) => `${f} ${next[f]}`).join(', ')}` : `re-init ${next.init}`;
      this.host.post({ type: 'newWeights', step: this.stepOffset + this.trainer.stepCount + 1, label });
    }
    if (change === 'rebuild' || !this.trainer) return this.build(next);
    this.trainer.setHyperParams(pick(next, HYPER_SETTINGS));
    if (change === 're-initialise') this.trainer.reinitialize(pick(next, INIT_SETTINGS));
    this.config = next;
  }

  private async build(next: RunConfig, fallbackReason?: string): Promise<void> {
    if (this.trainer) {
      this.stepOffset += this.trainer.stepCount;
      this.trainer.destroy();
      this.trainer = null;
    }
    if (!this.backend || this.backendChoice !== next.backend || fallbackReason) {
      this.backend?.destroy();
      const made = await this.host.makeBackend(next.backend, fallbackReason);
      this.backend = made.backend;
      this.backendChoice = next.backend;
      this.host.post({ type: 'backend', info: made.info });
    }
    const loaded = await this.host.loadDataset(next, (bytes, total) => this.host.post({ type: 'loading', what: 'Fashion-MNIST', loaded: bytes, total }));
    const dataset = withTrainingExamples(loaded, next.trainExamples, next.seed);
    const trainer = new Trainer(this.backend, dataset, next);
    this.trainer = trainer;
    this.inside = null;
    this.insideStale = false;
    this.config = next;
    const shapes = trainer.model.layers.map((l) => [l.fanIn, l.fanOut] as [number, number]);
    let points: ModelInfo['points'];
    this.boundary = null;
    if (dataset.inputDim === 2) {
      const sample = (split: Dataset['train'], most: number) => {
        const every = Math.max(1, Math.floor(split.count / most));
        const picked = Array.from({ length: Math.ceil(split.count / every) }, (_, i) => i * every);
        const xy = Float32Array.from(picked.flatMap((i) => [split.features[2 * i] * split.featureScale, split.features[2 * i + 1] * split.featureScale]));
        return { xy, labels: Uint8Array.from(picked, (i) => split.labels[i]) };
      };
      const train = sample(dataset.train, BOUNDARY_POINTS);
      const test = sample(dataset.test, BOUNDARY_POINTS / 2);
      points = { xy: train.xy, labels: train.labels, testXy: test.xy, testLabels: test.labels, numClasses: dataset.numClasses };
      const xy = Float32Array.from([...train.xy, ...test.xy]);
      const grid = gridFor(xy, trainer.model.layers);
      this.boundary = { grid, cells: gridPoints(grid) };
    }
    const imageSide = dataset.inputDim === IMAGE_SIDE * IMAGE_SIDE ? IMAGE_SIDE : null;
    this.host.post({
      type: 'model',
      info: { shapes, stepsPerEpoch: trainer.stepsPerEpoch, datasetName: dataset.name, classNames: [...dataset.classNames], imageSide, points },
    });
    await this.drawBoundary();
  }

  private toPoint(r: StepResult): MetricPoint {
    const h = this.trainer!.hyperParams;
    return {
      step: this.stepOffset + r.step,
      epoch: r.epoch,
      loss: r.loss,
      l2: r.l2,
      trainAcc: r.trainAcc,
      gradNorms: r.gradNorms,
      weightNorms: r.weightNorms,
      lambda: h.lambda,
      lr: h.lr,
      batchSize: r.batchSize,
    };
  }

  /** Posts the pending points, at most every POST_EVERY_MS unless forced. */
  private postMetrics(force: boolean): void {
    const now = this.host.now();
    const out = this.metricsOut;
    if (!force && now - out.lastPost < POST_EVERY_MS) return;
    if (out.pending.length > 0) {
      const seconds = Math.max(1e-3, (now - out.lastPost) / 1000);
      this.host.post({ type: 'metrics', points: out.pending, stepsPerSecond: out.lastPost > 0 ? out.stepsSincePost / seconds : 0 });
    }
    out.pending = [];
    out.stepsSincePost = 0;
    out.lastPost = now;
  }

  private async evaluate(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const started = this.host.now();
    // first, while the workspace still holds the last training step (evaluating overwrites it);
    // an evaluation with no training since the last one (a pause after it) reports the same
    if (this.insideStale) {
      this.inside = await trainer.inspect();
      this.insideStale = false;
    }
    const message = await evaluateRun(trainer, this.stepOffset + trainer.stepCount, this.inside);
    this.evaluation.ran(started, this.host.now());
    this.host.post(message);
  }

  /** Posts the class predicted over the 2-D grid, from the current parameters (read back once). */
  private async drawBoundary(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer || !this.boundary) return;
    const started = this.host.now();
    const params = await trainer.backend.read(trainer.model.params);
    const { classes, confidence } = predict(params, trainer.model.layers, trainer.model.activation, this.boundary.cells);
    this.boundaryTimer.ran(started, this.host.now());
    this.host.post({ type: 'boundary', boundary: { step: this.stepOffset + trainer.stepCount, grid: this.boundary.grid, classes, confidence } });
  }

  private async trainSome(count: number): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    let results: StepResult[];
    const started = this.host.now();
    try {
      results = await trainer.steps(count);
    } catch (error) {
      if (await this.gpuLost()) {
        // a lost device: carry on on the CPU from a rebuilt model, the charts stay
        await this.build(this.config!, `WebGPU ${(this.backend as WebGpuBackend).lostReason}`);
        return;
      }
      throw error;
    }
    this.insideStale = true;
    const msPerStep = (this.host.now() - started) / results.length;
    this.window = Math.max(1, Math.min(METRICS_WINDOW, Math.round(POST_EVERY_MS / Math.max(msPerStep, 1e-3))));
    for (const result of results) {
      if (result.diverged) {
        this.running = false;
        this.postMetrics(true);
        this.host.post({ type: 'diverged', step: this.stepOffset + result.diverged.step, reason: result.diverged.reason });
        this.host.post({ type: 'running', running: false });
        return;
      }
      this.metricsOut.pending.push(this.toPoint(result));
      this.metricsOut.stepsSincePost += 1;
    }
    this.postMetrics(!this.running);
    const now = this.host.now();
    if (!this.running || this.evaluation.due(now)) {
      this.postMetrics(true);
      await this.evaluate();
    }
    if (this.boundary && (!this.running || this.boundaryTimer.due(this.host.now()))) await this.drawBoundary();
  }

  /** Whether the WebGPU device is lost; a failed read-back can come before the lost promise settles, so it waits a moment. */
  private async gpuLost(): Promise<boolean> {
    const backend = this.backend;
    if (!(backend instanceof WebGpuBackend)) return false;
    if (!backend.lostReason) await Promise.race([backend.device.lost, new Promise((r) => setTimeout(r, 1000))]);
    return backend.lostReason !== null;
  }
}
