// The benchmark's results as a text table: every measurement, the pairs (their time over ours) and the WebGPU counters.
import type { BenchResults } from './suite';

export function formatTable(results: BenchResults): string {
  const lines = ['workload         impl          median ms   samples/s    GFLOP/s   first call ms   GPU ms (timestamps)'];
  for (const m of results.measurements) {
    lines.push(
      `${m.workload.padEnd(16)} ${m.impl.padEnd(12)} ${m.medianMs.toFixed(2).padStart(10)} ${m.samplesPerSecond
        .toFixed(0)
        .padStart(
          11,
        )} ${m.gflops.toFixed(3).padStart(10)} ${m.firstCallMs.toFixed(0).padStart(15)} ${(m.gpuMs === undefined ? '' : m.gpuMs.toFixed(2)).padStart(21)}`,
    );
  }
  lines.push('', 'speed-up = their median ms / our median ms (above 1: we are faster)');
  for (const p of results.pairs) lines.push(`${p.workload.padEnd(16)} ${p.ours.padEnd(7)} vs ${p.theirs.padEnd(12)} ${p.speedup.toFixed(2)}×`);
  for (const [workload, c] of Object.entries(results.counters)) {
    lines.push(
      `${workload}: per step ${c.submits} submit(s), ${c.dispatches} dispatches, ${c.buffersCreated} buffers, ${c.bindGroupsCreated} bind groups, ${c.pipelinesCreated} pipelines, ${c.mapAsync} mapAsync`,
    );
  }
  if (results.gpuMemoryBytes) {
    const g = results.gpuMemoryBytes;
    lines.push(`GPU memory (${g.workload}): ${g.after10} bytes after 10 steps, ${g.after1000} after 1,000`);
  }
  return lines.join('\n');
}
