// The store's initial state, in one place so that reset() reapplies it.

import { DEFAULT_RUN, type RunConfig } from '../core/settings';
import type { Activity, BackendInfo, Boundary, CheckKind, CheckReport, FromWorker, MetricPoint, ModelInfo, Refusal } from '../worker/protocol';

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
  /** Work under way in the worker, with when it began on the page's clock (performance.now()). */
  activity: (Activity & { since: number }) | null;
  /** Why no model is built for the current settings (nothing is trained), or null. */
  noModel: string | null;
  /** The last Train or Step the worker refused, and why (until training runs or new weights come). */
  refusal: { command: 'play' | 'step'; reason: Refusal } | null;
  /** Steps in a row, up to the latest, whose every gradient norm was exactly 0. */
  zeroGradientSteps: number;
  /** Training rate measured here, FLOP/s, per backend (the steps per second of the model trained), with that model's FLOP a step. */
  measuredRate: Partial<Record<BackendInfo['name'], { rate: number; flops: number }>>;
  /** The training worker stopped answering or failed and was replaced: why (until training runs again). */
  workerReplaced: WorkerTrouble | null;
}

/** Why the page replaced its training worker; `gaveUp`: it failed too often, and the page stopped trying. */
export type WorkerTrouble = ({ why: 'silent'; seconds: number } | { why: 'failed'; message: string } | { why: 'unreadable' }) & { gaveUp?: boolean };

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
  activity: null,
  noModel: null,
  refusal: null,
  zeroGradientSteps: 0,
  measuredRate: {},
  workerReplaced: null,
};

export const initialConfig: RunConfig = { ...DEFAULT_RUN };
