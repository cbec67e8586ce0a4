import { performance } from 'node:perf_hooks';

/** Alternates the contenders run by run, so a busy machine slows both alike. */
export async function medians(runs: number, contenders: Record<string, () => Promise<void>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const [label, once] of Object.entries(contenders)) {
    await once(); // warm-up: page cache, image layers, daemon code paths
    samples[label] = [];
  }
  for (let i = 0; i < runs; i++) {
    for (const [label, once] of Object.entries(contenders)) {
      const start = performance.now();
      await once();
      samples[label]!.push(performance.now() - start);
    }
  }
  const result: Record<string, number> = {};
  for (const [label, times] of Object.entries(samples)) {
    times.sort((a, b) => a - b);
    const mid = times[Math.floor(times.length / 2)]!;
    result[label] = mid;
    console.log(
      `${label.padEnd(44)} median ${mid.toFixed(0).padStart(4)} ms  (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}, n=${runs})`,
    );
  }
  return result;
}
