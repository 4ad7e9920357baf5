// The store's initial state, in one place so that reset() reapplies it.

import { DEFAULT_RUN, type RunConfig } from '../core/settings';
import type { BackendInfo, Boundary, CheckKind, CheckReport, FromWorker, MetricPoint, ModelInfo } from '../worker/protocol';

export interface RunState {
  running: boolean;
  backend: BackendInfo | null;
  loading: { what: string; loaded: number; total: number } | null;
  model: ModelInfo | null;
  latest: MetricPoint | null;
  /** The latest evaluation: loss and accuracy on the test set and on the training set. */
  evaluation: Omit<Extract<FromWorker, { type: 'evaluation' }>, 'type'> | null;
  /** 2-D data sets: the latest decision boundary. */
  boundary: Boundary | null;
  stepsPerSecond: number;
  divergence: { step: number; reason: string } | null;
  error: string | null;
  /** The latest report of each check, and the checks asked for and not answered yet. */
  checks: Partial<Record<CheckKind, CheckReport>>;
  checking: readonly CheckKind[];
}

export const initialRun: RunState = {
  running: false,
  backend: null,
  loading: null,
  model: null,
  latest: null,
  evaluation: null,
  boundary: null,
  stepsPerSecond: 0,
  divergence: null,
  error: null,
  checks: {},
  checking: [],
};

export const initialConfig: RunConfig = { ...DEFAULT_RUN };
