// The training session: owns the backend and the trainer, applies settings between steps, streams metrics; driven by messages, testable without a browser.
import { WebGpuBackend } from '../backends/webgpu/webgpu-backend';
import type { Backend } from '../core/backend';
import { type Grid, predict } from '../core/boundary';
import { layerShapes, parameterCount } from '../core/cost';
import { withTrainingExamples } from '../core/data/subset';
import type { Inside } from '../core/inspection';
import { changedSettings, classifyChange } from '../core/run-config';
import { type BackendChoice, checkSettings, HYPER_SETTINGS, INIT_SETTINGS, pick, type RunConfig } from '../core/settings';
import type { StepResult } from '../core/step-result';
import { type Checkpoint, METRICS_WINDOW, Trainer } from '../core/trainer';
import { checkReport } from './checks';
import { evaluateRun } from './evaluation';
import { GivenUp, INTERRUPTING, LongWork, Periodic } from './long-work';
import { MetricsOutbox, POST_EVERY_MS } from './metrics-outbox';
import { metricPoint, modelInfo } from './model-info';
import type { Activity, ToWorker } from './protocol';
import type { SessionHost } from './session-host';

/** An evaluation (evaluation.ts) at most every EVAL_EVERY_MS, and no more than a tenth of the time (Periodic). */
const EVAL_EVERY_MS = 2500;
/** The decision boundary (2-D sets): at most this often, and at most a tenth of the time, like the evaluation. */
const BOUNDARY_EVERY_MS = 1000;
/**
 * A step measured slower than this (ms), or not measured yet, is taken op by op with messages read
 * between the ops, and so are evaluations: a command then waits for one layer op, not a whole step.
 */
const LONG_STEP_MS = 50;
/** A model with more parameters than this is said to be building before its weights are drawn. */
const BUILD_NOTICE_PARAMETERS = 4_000_000;

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
  private readonly metricsOut: MetricsOutbox;
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
  /** Milliseconds per training step, measured over the last window (null before one). */
  private msPerStep: number | null = null;
  /** The last step diverged: the parameters are those before it, already far out; Train and Step are refused until new weights. */
  private diverged = false;
  /** Work under way, as the page is told of it. */
  private readonly work: LongWork;

  constructor(private readonly host: SessionHost) {
    this.work = new LongWork(host);
    this.metricsOut = new MetricsOutbox(host);
  }

  /**
   * Queues a message; the session handles messages in order, between training windows, and a long
   * step or evaluation is given up at its next op for it. A ping is answered at once.
   */
  receive(message: ToWorker): void {
    if (message.type === 'ping') {
      this.host.post({ type: 'pong' });
      return;
    }
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
    for (;;) {
      try {
        if (!(await this.pumpOnce())) return;
      } catch (error) {
        // a lost device, wherever it was noticed (a step, an evaluation, the boundary): on to the CPU
        if (await this.rebuiltAfterLoss()) continue;
        this.running = false;
        this.host.post({ type: 'running', running: false });
        this.host.post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        return;
      }
    }
  }

  /** Handles the next message, or trains a window (or waits for the next paced step); false when there is nothing to do. */
  private async pumpOnce(): Promise<boolean> {
    const message = this.queue.shift();
    if (message) {
      await this.settleWindow(); // the steps in flight are reported before anything changes
      await this.handle(message);
      return true;
    }
    if (!this.running || !this.trainer) return false;
    if (this.pace === null) {
      // on a GPU, the next window goes while this one is read back (not on the CPU: recording is computing)
      await this.trainSome(this.window, this.backend?.name === 'webgpu' && !this.long);
    } else {
      // one step at a time; wait in short slices so messages are still answered at once
      const wait = this.nextStepAt - this.host.now();
      if (wait > 0) {
        await this.host.sleep(Math.min(wait, 100));
        return true;
      }
      this.nextStepAt = Math.max(this.nextStepAt, this.host.now() - 1000 / this.pace) + 1000 / this.pace;
      await this.trainSome(1);
    }
    await this.host.yieldToEvents();
    return true;
  }

  /** After an error: if the WebGPU device is lost, the model rebuilt on the CPU (the charts stay) and true. */
  private async rebuiltAfterLoss(): Promise<boolean> {
    if (!(this.backend instanceof WebGpuBackend) || !(await this.backend.isLost())) return false;
    await this.build(this.config!, `WebGPU ${this.backend.lostReason}`);
    return true;
  }

  private async handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'configure':
        if (message.resumeAt !== undefined && !this.trainer) this.stepOffset = message.resumeAt;
        if (message.fresh) {
          checkSettings(message.config);
          await this.restart(message.config);
          break;
        }
        await this.configure(message.config);
        if (this.running) this.evaluation.postpone(this.host.now());
        break;
      case 'play':
        if (this.refuse('play')) break;
        this.running = true;
        this.metricsOut.restartClock();
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
        if (!this.running && !this.refuse('step') && !(await this.trainSome(1))) {
          // given up for a change: taken again with it, after it (Pause or Reset cancels it)
          if (!this.queue.some((m) => m.type === 'pause' || m.type === 'reset')) this.queue.push({ type: 'step' });
        }
        break;
      case 'pace':
        this.pace = message.stepsPerSecond;
        this.nextStepAt = 0;
        break;
      case 'reset':
        if (this.config) await this.restart(this.config);
        break;
      case 'check':
        this.host.post({
          type: 'check',
          report: await checkReport(message.kind, this.trainer, this.backend, this.host, this.stepOffset + (this.trainer?.stepCount ?? 0)),
        });
        break;
    }
  }

  /** Refuses Train or Step when there is no model, or its parameters diverged (posting why); false when it may go on. */
  private refuse(command: 'play' | 'step'): boolean {
    const reason = !this.trainer ? 'no-model' : this.diverged ? 'diverged' : null;
    if (reason) this.host.post({ type: 'refused', command, reason });
    return reason !== null;
  }

  /** A checkpoint for long work (long-work.ts): a step gives way to a command that changes what is trained (INTERRUPTING), other work to any. */
  private checkpoint(kind: Activity['kind'], step: number): Checkpoint {
    const compiling = kind === 'step' && this.backend?.name === 'webgpu' && this.msPerStep === null;
    const interrupted = kind === 'step' ? () => this.queue.some((m) => INTERRUPTING.has(m.type)) : () => this.queue.length > 0;
    return this.work.checkpoint({ kind, step, compiling }, interrupted);
  }

  /** Whether steps (and evaluations) go op by op: they are slow, or not measured yet. */
  private get long(): boolean {
    return this.msPerStep === null || this.msPerStep > LONG_STEP_MS;
  }

  /** Starts the run afresh (paused, step 0, the history cleared) from `config`: one build. */
  private async restart(config: RunConfig): Promise<void> {
    this.running = false;
    this.trainer?.destroy();
    this.trainer = null;
    this.stepOffset = 0;
    this.metricsOut.clear();
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
    // after a failed build (no trainer, steps before it) the mark goes out too: the next model's steps are not the marked settings'
    const stepsSoFar = this.stepOffset + (this.trainer?.stepCount ?? 0);
    if (before && stepsSoFar > 0 && (change === 'rebuild' || change === 're-initialise' || !this.trainer)) {
      // the old weights' steps go out first, then the mark: the charts break exactly between the two
      this.postMetrics(true);
      const fields = changedSettings(before, next);
      const label = change === 'rebuild' || !this.trainer ? `rebuild: ${fields.map((f) => `${f} ${next[f]}`).join(', ')}` : `re-init ${next.init}`;
      this.host.post({ type: 'newWeights', step: stepsSoFar + 1, label });
    }
    if (change === 'rebuild' || !this.trainer) return this.build(next);
    this.trainer.setHyperParams(pick(next, HYPER_SETTINGS));
    if (change === 're-initialise') {
      this.trainer.reinitialize(pick(next, INIT_SETTINGS));
      this.diverged = false;
      // the last step's activations are not the new weights': nothing to look inside until a step
      this.trainer.model.forgetPass();
      this.inside = null;
      this.insideStale = false;
    }
    // a new batch size changes the step's time in proportion, before it is measured again
    if (before && this.msPerStep !== null && before.batchSize !== next.batchSize) this.msPerStep *= next.batchSize / before.batchSize;
    if (before && before.batchSize !== next.batchSize) this.window = 1;
    this.config = next;
  }

  /**
   * Builds the model for `next`, which becomes the settings of the run whether or not the build
   * succeeds: on failure nothing is trained (the page is told why) until a change or Reset builds.
   */
  private async build(next: RunConfig, fallbackReason?: string): Promise<void> {
    if (this.trainer) {
      this.stepOffset += this.trainer.stepCount;
      this.trainer.destroy();
      this.trainer = null;
    }
    this.config = next;
    this.diverged = false;
    this.msPerStep = null;
    this.inside = null;
    this.insideStale = false;
    this.boundary = null;
    try {
      await this.buildModel(next, fallbackReason);
    } catch (error) {
      (this.trainer as Trainer | null)?.destroy(); // made before the failure, if it was
      this.trainer = null;
      this.running = false;
      this.work.end();
      this.host.post({ type: 'running', running: false });
      this.host.post({ type: 'noModel', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private async buildModel(next: RunConfig, fallbackReason?: string): Promise<void> {
    if (!this.backend || this.backendChoice !== next.backend || fallbackReason) {
      this.backend?.destroy();
      const made = await this.host.makeBackend(next.backend, fallbackReason);
      this.backend = made.backend;
      this.backendChoice = next.backend;
      this.host.post({ type: 'backend', info: made.info });
    }
    const loaded = await this.host.loadDataset(next, (bytes, total) => this.host.post({ type: 'loading', what: 'Fashion-MNIST', loaded: bytes, total }));
    const dataset = withTrainingExamples(loaded, next.trainExamples, next.seed);
    // a large model takes a moment to draw its weights, in one stretch: say so first
    const shapesWanted = layerShapes(next);
    if (parameterCount(shapesWanted) > BUILD_NOTICE_PARAMETERS) this.work.announce({ kind: 'build', step: this.stepOffset });
    const trainer = new Trainer(this.backend, dataset, next);
    this.trainer = trainer;
    this.work.endedByModel();
    const { info, boundary } = modelInfo(trainer);
    this.boundary = boundary;
    this.host.post({ type: 'model', info });
    await this.drawBoundary();
  }

  private postMetrics(force: boolean): void {
    this.metricsOut.post(force);
  }

  /** Evaluates the model (and looks inside it); given up, without a word, when a command comes in. */
  private async evaluate(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const started = this.host.now();
    const step = this.stepOffset + trainer.stepCount;
    try {
      // first, while the workspace still holds the last training step (evaluating overwrites it);
      // an evaluation with no training since the last one (a pause after it) reports the same
      // (a step given up last leaves nothing to look at: the look at the one before stays)
      const long = this.long || this.evaluation.lastMs > LONG_STEP_MS;
      if (this.insideStale) {
        this.inside = (await trainer.inspect(long ? this.checkpoint('inside', step) : undefined)) ?? this.inside;
        this.insideStale = false;
      }
      const message = await evaluateRun(trainer, step, this.inside, long ? this.checkpoint('evaluation', step) : undefined);
      this.evaluation.ran(started, this.host.now());
      this.host.post(message);
    } catch (error) {
      if (!(error instanceof GivenUp)) throw error;
      // given up part way (its time says nothing of its cost): due again in EVAL_EVERY_MS
      this.evaluation.postpone(this.host.now());
    } finally {
      this.work.end();
    }
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

  /** Trains up to `count` steps (with `ahead`, the next window stays in flight: settleWindow); false when a step was given up for a command. */
  private async trainSome(count: number, ahead = false): Promise<boolean> {
    const trainer = this.trainer;
    if (!trainer) return true;
    const started = this.host.now();
    const step = this.stepOffset + trainer.stepCount + 1;
    const results = await this.take(() => trainer.steps(count, this.long ? this.checkpoint('step', step) : undefined, { ahead }));
    if (results === 'given up') return false; // a command came in: it is handled next
    if (results === 'rebuilt' || !this.report(results, started)) return true;
    if (!this.running || this.evaluation.due(this.host.now())) {
      if (!(await this.settleWindow())) return true;
      this.postMetrics(true);
      await this.evaluate();
    }
    if (this.boundary && (!this.running || this.boundaryTimer.due(this.host.now())) && (await this.settleWindow())) await this.drawBoundary();
    return true;
  }

  /** Reports the window in flight, if any: before a message is handled, an evaluation or the boundary. False after a divergence. */
  private async settleWindow(): Promise<boolean> {
    if (!this.trainer?.pending) return true;
    const trainer = this.trainer;
    const results = await this.take(() => trainer.drain());
    return Array.isArray(results) && this.report(results, null);
  }

  /** Steps taken by `run`, or what became of them: given up for a command, or the device lost and the model rebuilt on the CPU. */
  private async take(run: () => Promise<StepResult[]>): Promise<StepResult[] | 'given up' | 'rebuilt'> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof GivenUp) return 'given up';
      if (await this.rebuiltAfterLoss()) return 'rebuilt';
      throw error;
    } finally {
      this.work.end();
    }
  }

  /** Sends steps' metrics, and the divergence if one diverged (false then); times them unless `started` is null. */
  private report(results: StepResult[], started: number | null): boolean {
    this.insideStale = true;
    if (started !== null && results.length > 0) {
      this.msPerStep = (this.host.now() - started) / results.length;
      this.window = Math.max(1, Math.min(METRICS_WINDOW, Math.round(POST_EVERY_MS / Math.max(this.msPerStep, 1e-3))));
    }
    for (const result of results) {
      if (result.diverged) {
        this.diverged = true;
        this.running = false;
        this.postMetrics(true);
        this.host.post({ type: 'diverged', step: this.stepOffset + result.diverged.step, reason: result.diverged.reason });
        this.host.post({ type: 'running', running: false });
        return false;
      }
      this.metricsOut.add(metricPoint(result, this.stepOffset, this.trainer!.hyperParams));
    }
    this.postMetrics(!this.running);
    return true;
  }
}
