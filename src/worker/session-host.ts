// What the training session needs from where it runs (the page's worker, or a test): posting, backends, data, a clock and yields.
import type { Backend } from '../core/backend';
import type { Dataset } from '../core/data/dataset';
import type { BackendChoice, RunConfig } from '../core/settings';
import type { BackendInfo, FromWorker } from './protocol';

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
