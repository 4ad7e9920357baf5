// Messages between the page and the training worker: configuration and commands in, metrics out.
import type { Grid } from '../core/boundary';
import type { BackendComparison, GradientCheck } from '../core/checks';
import type { Confusion, Mistake } from '../core/confusion';
import type { Inside } from '../core/inspection';
import type { RunConfig } from '../core/settings';

export type ToWorker =
  /**
   * New settings; `fresh`: start the run afresh with them (an experiment was chosen), one build.
   * `resumeAt`: a new worker taking over a run whose charts have reached this step (its steps go on from there).
   */
  | { type: 'configure'; config: RunConfig; fresh?: boolean; resumeAt?: number }
  /** Answered at once with a pong, whatever the worker is doing (the page's sign of life). */
  | { type: 'ping' }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' }
  /** Steps a second while training runs; null: as fast as the device goes. */
  | { type: 'pace'; stepsPerSecond: number | null }
  /** Check the current model (on a copy): its gradients against finite differences, or the CPU against WebGPU. */
  | { type: 'check'; kind: CheckKind };

export type CheckKind = 'gradients' | 'backends';

/** Work under way that takes a while: building a large model, a long step, an evaluation, a look inside. */
export interface Activity {
  kind: 'build' | 'step' | 'evaluation' | 'inside';
  /** The step being taken (kind 'step'), or the step the work is about. */
  step: number;
  /** The first step of a WebGPU model: its kernels are compiled as it goes. */
  compiling?: boolean;
  /** Layer ops recorded and done, of `total` (0 of 0 for a build). */
  done: number;
  total: number;
  /** Milliseconds since the work began, when this was posted. */
  elapsedMs: number;
}

/** Why a command was not carried out. */
export type Refusal = 'no-model' | 'diverged';

/** What a check found, on the parameters at `step`. */
export type CheckReport =
  | { kind: 'gradients'; step: number; samples: number; result: GradientCheck }
  | { kind: 'backends'; step: number; samples: number; result: BackendComparison; backends: [string, string] }
  /** No WebGPU here: `unavailable` is the label of the backend offered instead (`CPU · WebGPU unavailable: …`). */
  | { kind: 'backends'; step: number; unavailable: string }
  | { kind: CheckKind; step: number; failed: string };

/** One training step as the charts need it, with the hyper-parameters it ran with. */
export interface MetricPoint {
  step: number;
  epoch: number;
  loss: number;
  l2: number;
  trainAcc: number;
  gradNorms: number[];
  /** ‖W_l‖_F per layer. */
  weightNorms: number[];
  lambda: number;
  lr: number;
  batchSize: number;
}

/** Mean loss and accuracy over `count` samples of a split (the whole set, or a class-balanced part of it). */
export interface EvaluationSummary {
  loss: number;
  accuracy: number;
  count: number;
}

export interface BackendInfo {
  name: 'webgpu' | 'cpu';
  /** Shown in the status line: `WebGPU · google swiftshader`, `CPU · WebGPU unavailable: no adapter`. */
  label: string;
}

export interface ModelInfo {
  /** Per layer: fan-in × fan-out, input layer first. */
  shapes: [number, number][];
  stepsPerEpoch: number;
  datasetName: string;
  classNames: string[];
  /** Side of the square images (28), or null for the 2-D sets. */
  imageSide: number | null;
  /** 2-D data sets: up to 600 training and 300 test points (x, y pairs) and their classes, for the boundary plot. */
  points?: {
    xy: Float32Array;
    labels: Uint8Array;
    testXy: Float32Array;
    testLabels: Uint8Array;
    numClasses: number;
    /** The plane the points are drawn on. */
    grid: Grid;
    /** Whether the boundary is predicted over the grid (false: the model is too large to do it often). */
    predicted: boolean;
  };
}

/** The class the model predicts in each cell of a grid (row 0 at the top), after `step` steps. */
export interface Boundary {
  step: number;
  grid: Grid;
  classes: Uint8Array;
  /** The largest softmax probability in each cell, from 1/q to 1. */
  confidence: Float32Array;
}

export type FromWorker =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'loading'; what: string; loaded: number; total: number }
  | { type: 'model'; info: ModelInfo }
  | { type: 'metrics'; points: MetricPoint[]; stepsPerSecond: number }
  | {
      type: 'evaluation';
      step: number;
      test: EvaluationSummary;
      train: EvaluationSummary;
      unitSpread: number[];
      /** Inside the network at the last training step (null before one). */
      inside: Inside | null;
      /** An image data set's first-layer units (a softmax regression's classes): fanIn weights each. */
      weightImages: Float32Array[] | null;
      /** Over the evaluated test samples. */
      confusion: Confusion;
      /** The most confidently wrong test examples, with their pixels for an image data set. */
      mistakes: (Mistake & { pixels?: Uint8Array })[];
    }
  | { type: 'boundary'; boundary: Boundary }
  | { type: 'running'; running: boolean }
  | { type: 'diverged'; step: number; reason: string }
  | { type: 'reset' }
  /** The weights were re-drawn or the model rebuilt: steps from `step` on belong to the new weights. */
  | { type: 'newWeights'; step: number; label: string }
  | { type: 'check'; report: CheckReport }
  /** Work under way (see Activity), or null when it has ended or was given up for a newer command. */
  | { type: 'activity'; activity: Activity | null }
  /** Building the model for the current settings failed: nothing is trained until a change or Reset builds one. */
  | { type: 'noModel'; reason: string }
  /** Train or Step was not carried out, and why. */
  | { type: 'refused'; command: 'play' | 'step'; reason: Refusal }
  | { type: 'pong' }
  | { type: 'error'; message: string };
