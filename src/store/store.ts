// The one zustand store, in slices: config (URL-serialisable), run state, and the notice about ignored link values.
import { create } from 'zustand';
import type { RunConfig } from '../core/settings';
import type { FromWorker } from '../worker/protocol';
import { initialConfig, initialRun, type RunState } from './initial-state';
import { metrics } from './metrics-buffer';

interface ConfigSlice {
  config: RunConfig;
  /** Sets fields that the controls have already checked (parseField). */
  setConfig: (change: Partial<RunConfig>) => void;
  /** Link values that were invalid or unknown, and so ignored. */
  ignoredFromLink: string[];
}

interface RunSlice {
  run: RunState;
  /** Applies one worker message to the run state (and the metrics buffer). */
  receive: (message: FromWorker) => void;
  clearRun: () => void;
}

export type Store = ConfigSlice & RunSlice;

export const useStore = create<Store>()((set) => ({
  config: initialConfig,
  ignoredFromLink: [],
  setConfig: (change) => set((s) => ({ config: { ...s.config, ...change } })),

  run: initialRun,
  clearRun: () => set({ run: initialRun }),
  receive: (message) =>
    set((s) => {
      const run = s.run;
      switch (message.type) {
        case 'backend':
          return { run: { ...run, backend: message.info } };
        case 'loading':
          return { run: { ...run, loading: message.loaded >= message.total ? null : message } };
        case 'model':
          return { run: { ...run, model: message.info, boundary: null, loading: null, error: null } };
        case 'boundary':
          return { run: { ...run, boundary: message.boundary } };
        case 'metrics': {
          metrics.append(message.points);
          const latest = message.points[message.points.length - 1] ?? run.latest;
          return { run: { ...run, latest, stepsPerSecond: message.stepsPerSecond, divergence: null } };
        }
        case 'evaluation':
          metrics.setTestAccuracy(message.step, message.testAcc);
          return { run: { ...run, testAcc: message.testAcc } };
        case 'running':
          return { run: { ...run, running: message.running, ...(message.running ? { divergence: null } : {}) } };
        case 'diverged':
          return { run: { ...run, divergence: { step: message.step, reason: message.reason } } };
        case 'reset':
          metrics.clear();
          return { run: { ...initialRun, backend: run.backend, model: run.model } };
        case 'error':
          return { run: { ...run, error: message.message, loading: null } };
      }
    }),
}));

// selectors, declared once
export const selectConfig = (s: Store) => s.config;
export const selectRun = (s: Store) => s.run;
export const selectSetConfig = (s: Store) => s.setConfig;
