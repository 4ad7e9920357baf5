// `npm run train`: headless training in Node with the same core, one JSON line per epoch on stdout.
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { createNodeWebGpuBackend } from '../backends/webgpu/node-webgpu';
import { WebGpuUnavailableError } from '../backends/webgpu/webgpu-backend';
import type { Backend } from '../core/backend';
import type { Dataset } from '../core/data/dataset';
import { withTrainingExamples } from '../core/data/subset';
import { makeSynthetic } from '../core/data/synthetic';
import type { StepResult } from '../core/step-result';
import { Trainer } from '../core/trainer';
import { type CliOptions, parseArgs, UsageError, usage } from './args';
import { loadFashionMnist } from './fashion-mnist-files';

/** Exit codes: 0 trained, 1 could not run (no WebGPU adapter, data files, I/O, anything unexpected), 2 bad flag or value, 3 diverged. */
const EXIT = { ok: 0, failed: 1, usage: 2, diverged: 3 } as const;

const log = (line: string) => process.stderr.write(`${line}\n`);

function loadDataset(options: CliOptions): Dataset {
  const full =
    options.dataset === 'fashion-mnist'
      ? loadFashionMnist(undefined, log)
      : makeSynthetic(options.dataset, { seed: options.config.seed, noise: options.noise });
  return withTrainingExamples(full, options.trainExamples, options.config.seed);
}

async function makeBackend(kind: CliOptions['backend']): Promise<Backend> {
  return kind === 'cpu' ? new CpuBackend() : createNodeWebGpuBackend();
}

/** Running means over one epoch's steps, as the book reports them. */
class EpochStats {
  private steps = 0;
  private samples = 0;
  private lossSum = 0;
  private l2Sum = 0;
  private correct = 0;
  last: StepResult | null = null;
  readonly started = performance.now();

  add(r: StepResult): void {
    this.steps += 1;
    this.samples += r.batchSize;
    this.lossSum += r.loss;
    this.l2Sum += r.l2;
    this.correct += r.trainAcc * r.batchSize;
    this.last = r;
  }

  get loss(): number {
    return this.lossSum / this.steps;
  }

  summary(test: { accuracy: number; loss: number }, backend: string) {
    return {
      epoch: this.last!.epoch + 1,
      steps: this.last!.step,
      loss: this.lossSum / this.steps,
      l2: this.l2Sum / this.steps,
      trainAcc: this.correct / this.samples,
      testAcc: test.accuracy,
      testLoss: test.loss,
      gradNorms: this.last!.gradNorms,
      seconds: Number(((performance.now() - this.started) / 1000).toFixed(3)),
      backend,
    };
  }
}

class Progress {
  private lastWrite = 0;
  constructor(private readonly stepsPerEpoch: number) {}

  update(r: StepResult, meanLoss: number, epochs: number): void {
    const now = performance.now();
    if (now - this.lastWrite < 1000) return;
    this.lastWrite = now;
    const inEpoch = ((r.step - 1) % this.stepsPerEpoch) + 1;
    const line = `epoch ${r.epoch + 1}/${epochs}  step ${inEpoch}/${this.stepsPerEpoch}  loss ${meanLoss.toFixed(4)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}  ` : `${line}\n`);
  }

  done(): void {
    if (process.stderr.isTTY && this.lastWrite > 0) process.stderr.write('\n');
    this.lastWrite = 0;
  }
}

async function train(options: CliOptions): Promise<number> {
  const dataset = loadDataset(options);
  const backend = await makeBackend(options.backend);
  const trainer = new Trainer(backend, dataset, options.config);
  const progress = new Progress(trainer.stepsPerEpoch);
  const totalSteps = options.steps ?? options.epochs * trainer.stepsPerEpoch;
  let stats = new EpochStats();
  while (trainer.stepCount < totalSteps) {
    for (const result of await trainer.steps(totalSteps - trainer.stepCount)) {
      const code = await report(result);
      if (code !== null) return code;
    }
  }
  trainer.destroy();
  return EXIT.ok;

  /** Handles one step's numbers; returns an exit code when the run must stop. */
  async function report(result: StepResult): Promise<number | null> {
    if (result.diverged) {
      progress.done();
      const { step, reason } = result.diverged;
      console.log(JSON.stringify({ diverged: { step, reason }, epoch: result.epoch + 1, backend: backend.description }));
      log(`diverged at step ${step}: ${reason}. The update of that step was not applied. Try a smaller --lr or another --init.`);
      return EXIT.diverged;
    }
    stats.add(result);
    progress.update(result, stats.loss, options.epochs);
    if (result.epochEnd || result.step === totalSteps) {
      progress.done();
      const test = await trainer.evaluate('test');
      console.log(JSON.stringify(stats.summary(test, backend.description)));
      stats = new EpochStats();
    }
    return null;
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      log(`error: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (options.help) {
    console.log(usage());
    return EXIT.ok;
  }
  try {
    return await train(options);
  } catch (error) {
    if (error instanceof WebGpuUnavailableError) {
      log(`error: --backend webgpu: ${error.reason}`);
      return EXIT.failed;
    }
    throw error;
  }
}

// anything else (a data file that cannot be rebuilt, I/O, a bug) ends in one line and exit 1: a person running the CLI never sees a stack trace
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`error: ${(error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ')}`);
    process.exit(EXIT.failed);
  },
);
