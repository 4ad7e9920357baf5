// The one zustand store, composed of slices: the run's configuration (URL-serialisable), the run's state from the worker, and how it is watched.
import { create, type StateCreator } from 'zustand';
import { stepFlops } from '../core/cost';
import { experimentById } from '../core/experiments';
import type { RunConfig } from '../core/settings';
import type { CheckKind, FromWorker } from '../worker/protocol';
import { initialConfig, initialRun, type RunState, type WorkerTrouble } from './initial-state';
import type { RunFile, RunSeries } from './run-file';

export interface ConfigSlice {
  config: RunConfig;
  /** The experiment the settings are, until a control changes one of them. */
  experiment: string | null;
  /** Link values that were invalid or unknown, and so ignored. */
  ignoredFromLink: string[];
  /** Sets fields that the controls have already checked (parseSetting); the settings are no longer an experiment's. */
  setConfig: (change: Partial<RunConfig>) => void;
  /** Replaces the configuration, with the experiment it is and what the link that gave it left out. */
  loadConfig: (config: RunConfig, ignoredFromLink: string[], experiment?: string | null) => void;
  /** Loads an experiment's settings (keeping the backend). */
  chooseExperiment: (id: string) => void;
}

export interface RunSlice {
  run: RunState;
  /** Applies one worker message to the run state (the metrics history is written by the bridge, not here). */
  receive: (message: FromWorker) => void;
  /** The worker was replaced by a new one (it stopped answering, or failed): why, in words. */
  workerReplaced: (trouble: WorkerTrouble) => void;
  /** Marks a check as asked for (the page sends it to the worker). */
  startCheck: (kind: CheckKind) => void;
}

/** How the run is watched: not settings of the run, and not in the link. */
/** The languages of the page (ui/i18n has a string table for each). */
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The language a browser asks for: Chinese for any zh-*, else English. */
export function browserLanguage(languages: readonly string[]): Language {
  return languages.some((l) => /^zh\b/i.test(l)) &&
    !languages
      .slice(
        0,
        languages.findIndex((l) => /^zh\b/i.test(l)),
      )
      .some((l) => /^en\b/i.test(l))
    ? 'zh'
    : 'en';
}

/** A run kept (or imported) to compare with: drawn faded behind the live one, named by its settings. */
export interface Reference {
  id: number;
  /** Its settings (the page names the run by them, in its language). */
  settings: RunFile['settings'];
  origin: 'kept' | 'imported';
  series: RunSeries;
}

/** References shown at once; keeping another drops the oldest. */
export const MAX_REFERENCES = 5;

export interface ViewSlice {
  /** Steps a second while training runs; null: as fast as possible. */
  pace: number | null;
  /** The charts' step axis on a log scale (the first hundred steps of a fast run stay visible). */
  logSteps: boolean;
  references: readonly Reference[];
  /** The charts' axes keep their ranges (runs read against the same axes). */
  fixedAxes: boolean;
  /** Larger type, for a projector. */
  presentation: boolean;
  language: Language;
  setPace: (stepsPerSecond: number | null) => void;
  setLogSteps: (on: boolean) => void;
  addReference: (reference: Omit<Reference, 'id'>) => void;
  clearReferences: () => void;
  setFixedAxes: (on: boolean) => void;
  setPresentation: (on: boolean) => void;
  setLanguage: (language: Language) => void;
}

export type Store = ConfigSlice & RunSlice & ViewSlice;

const createConfigSlice: StateCreator<Store, [], [], ConfigSlice> = (set) => ({
  config: initialConfig,
  ignoredFromLink: [],
  experiment: null,
  // the backend is the machine's choice, not part of an experiment: changing it keeps the name
  setConfig: (change) =>
    set((s) => ({ config: { ...s.config, ...change }, experiment: Object.keys(change).every((k) => k === 'backend') ? s.experiment : null })),
  loadConfig: (config, ignoredFromLink, experiment = null) => set({ config, ignoredFromLink, experiment }),
  chooseExperiment: (id) =>
    set((s) => {
      const experiment = experimentById(id);
      if (!experiment) throw new Error(`unknown experiment ${id}`);
      return { config: { ...experiment.settings, backend: s.config.backend }, experiment: id };
    }),
});

const createRunSlice: StateCreator<Store, [], [], RunSlice> = (set) => ({
  run: initialRun,
  receive: (message) => set((s) => ({ run: runAfter(s.run, message, performance.now()) })),
  // the new worker builds the same settings: until its model comes, nothing runs
  workerReplaced: (trouble) =>
    set((s) => ({ run: { ...s.run, running: false, activity: null, checking: [], divergence: null, refusal: null, workerReplaced: trouble } })),
  startCheck: (kind) => set((s) => ({ run: { ...s.run, checking: [...s.run.checking.filter((k) => k !== kind), kind] } })),
});

/** The run state after a worker message at `now` (the page's clock, ms): a pure function of the three. */
export function runAfter(run: RunState, message: FromWorker, now = 0): RunState {
  switch (message.type) {
    case 'backend':
      return { ...run, backend: message.info };
    case 'loading':
      // downloads still streaming after one file failed say nothing more
      return { ...run, loading: message.loaded >= message.total || run.noModel !== null ? null : message };
    case 'model':
      // what was measured of the old model (its evaluation, its inside, its checks) is not this one's
      return {
        ...run,
        model: message.info,
        boundary: null,
        loading: null,
        error: null,
        evaluation: null,
        checks: {},
        activity: null,
        noModel: null,
        refusal: null,
        zeroGradientSteps: 0,
      };
    case 'noModel':
      return { ...run, model: null, boundary: null, loading: null, evaluation: null, activity: null, running: false, noModel: message.reason };
    case 'boundary':
      return { ...run, boundary: message.boundary };
    case 'metrics': {
      let zero = run.zeroGradientSteps;
      for (const p of message.points) zero = p.gradNorms.every((g) => g === 0) ? zero + 1 : 0;
      const latest = message.points.at(-1) ?? run.latest;
      const flops = run.model && latest ? stepFlops(run.model.shapes, latest.batchSize) : 0;
      const measured = run.backend && message.stepsPerSecond > 0 && flops > 0 ? { rate: message.stepsPerSecond * flops, flops } : null;
      const measuredRate = measured && run.backend ? { ...run.measuredRate, [run.backend.name]: measured } : run.measuredRate;
      return { ...run, latest, stepsPerSecond: message.stepsPerSecond, divergence: null, zeroGradientSteps: zero, measuredRate };
    }
    case 'evaluation':
      return { ...run, evaluation: (({ type: _type, ...evaluation }) => evaluation)(message) };
    case 'running':
      return { ...run, running: message.running, ...(message.running ? { divergence: null, refusal: null, workerReplaced: null } : { activity: null }) };
    case 'diverged':
      return { ...run, divergence: { step: message.step, reason: message.reason } };
    case 'reset':
      return { ...initialRun, backend: run.backend, model: run.model, measuredRate: run.measuredRate };
    case 'newWeights':
      // the charts keep their history (marked there); what described the old weights goes
      return { ...run, evaluation: null, checks: {}, divergence: null, refusal: null, zeroGradientSteps: 0 };
    case 'activity':
      return { ...run, activity: message.activity && { ...message.activity, since: now - message.activity.elapsedMs } };
    case 'refused':
      return { ...run, refusal: { command: message.command, reason: message.reason } };
    case 'pong':
      return run;
    case 'check':
      return { ...run, checks: { ...run.checks, [message.report.kind]: message.report }, checking: run.checking.filter((k) => k !== message.report.kind) };
    case 'error':
      return { ...run, error: message.message, loading: null, checking: [], activity: null };
  }
}

let nextReferenceId = 1;

const createViewSlice: StateCreator<Store, [], [], ViewSlice> = (set) => ({
  pace: null,
  logSteps: false,
  references: [],
  fixedAxes: false,
  presentation: false,
  language: 'en',
  setPace: (pace) => set({ pace }),
  setLogSteps: (logSteps) => set({ logSteps }),
  addReference: (reference) => set((s) => ({ references: [...s.references, { ...reference, id: nextReferenceId++ }].slice(-MAX_REFERENCES) })),
  clearReferences: () => set({ references: [] }),
  setFixedAxes: (fixedAxes) => set({ fixedAxes }),
  setPresentation: (presentation) => set({ presentation }),
  setLanguage: (language) => set({ language }),
});

export const useStore = create<Store>()((...args) => ({ ...createConfigSlice(...args), ...createRunSlice(...args), ...createViewSlice(...args) }));

// selectors, declared once
export const selectRun = (s: Store) => s.run;
export const selectSetConfig = (s: Store) => s.setConfig;
