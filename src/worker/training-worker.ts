// The training worker's entry: keeps the messages that arrive while its modules load, then hands them to the host (training-host.ts).
//
// The CPU backend fetches its SIMD kernels when its module is first evaluated (a top-level await,
// simd-kernels.ts). A module worker dispatches messages during that wait, and a message with no
// handler yet is lost, so this entry sets one first and loads everything else behind it.
/// <reference lib="webworker" />
import type { ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const early: MessageEvent<ToWorker>[] = [];
self.onmessage = (event: MessageEvent<ToWorker>) => early.push(event);
await import('./training-host'); // sets self.onmessage to the session's
for (const event of early) self.onmessage?.(event);
