// Work in the session that takes a while: checkpoints that report it to the page and give it up for a waiting command, and the periodic tasks' timer.
import type { Checkpoint } from '../core/trainer';
import type { Activity, FromWorker, ToWorker } from './protocol';

/** Work under way is reported once it has taken this long, and again this often (ms). */
const ACTIVITY_EVERY_MS = 250;
/** A periodic task takes no more than this share of the time: on a slow device an evaluation can take seconds. */
const PERIODIC_SHARE = 0.1;

/** Commands that give up a long step under way (another Step or a check waits its turn; an evaluation gives way to any). */
export const INTERRUPTING = new Set<ToWorker['type']>(['pause', 'reset', 'configure']);

/** Thrown at a checkpoint when a command is waiting: the work is given up and the command handled. */
export class GivenUp extends Error {
  override name = 'GivenUp';
}

interface Host {
  post(message: FromWorker): void;
  now(): number;
  yieldToEvents(): Promise<void>;
}

/** Reports long work to the page (as `activity` messages) and makes the checkpoints it pauses at. */
export class LongWork {
  /** Whether an activity is shown on the page (so that its end is posted). */
  private shown = false;

  constructor(private readonly host: Host) {}

  /**
   * A checkpoint for one piece of work: it reports the work (after ACTIVITY_EVERY_MS, then as
   * often), lets messages in, and throws GivenUp when `interrupted()` says a command is waiting.
   */
  checkpoint(what: { kind: Activity['kind']; step: number; compiling?: boolean }, interrupted: () => boolean): Checkpoint {
    const started = this.host.now();
    let posted = started;
    return async (done, total) => {
      const now = this.host.now();
      if (now - posted >= ACTIVITY_EVERY_MS) {
        posted = now;
        this.shown = true;
        const { kind, step, compiling } = what;
        this.host.post({ type: 'activity', activity: { kind, step, done, total, elapsedMs: now - started, ...(compiling ? { compiling } : {}) } });
      }
      await this.host.yieldToEvents();
      if (interrupted()) throw new GivenUp();
    };
  }

  /** Says at once that work has begun which cannot stop to report (drawing a large model's weights). */
  announce(what: { kind: Activity['kind']; step: number }): void {
    this.shown = true;
    this.host.post({ type: 'activity', activity: { ...what, done: 0, total: 0, elapsedMs: 0 } });
  }

  /** The work ended (or was given up): the page is told, if it was told of it. */
  end(): void {
    if (!this.shown) return;
    this.shown = false;
    this.host.post({ type: 'activity', activity: null });
  }

  /** The work ended with a message that ends it on the page too (a model). */
  endedByModel(): void {
    this.shown = false;
  }
}

/** A periodic task (evaluation, boundary): due every `everyMs`, and never more than PERIODIC_SHARE of the time. */
export class Periodic {
  private last = 0;
  private tookMs = 0;

  constructor(private readonly everyMs: number) {}

  /** How long the task took the last time it ran (ms). */
  get lastMs(): number {
    return this.tookMs;
  }

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
