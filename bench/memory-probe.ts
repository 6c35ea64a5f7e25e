import { writeFileSync } from 'node:fs';

/**
 * Preloaded into the benchmarked server (`node --expose-gc --import bench/memory-probe.ts ...`): on SIGUSR2 it
 * collects garbage and writes `process.memoryUsage()` as JSON to the file named by BENCH_MEMORY_PROBE_FILE, so
 * the load test can tell live memory from heap the collector simply has not returned yet.
 */
const target = process.env.BENCH_MEMORY_PROBE_FILE;
const collect = (globalThis as { gc?: () => void }).gc;
if (target !== undefined && collect !== undefined) {
  process.on('SIGUSR2', () => {
    // Twice: the first collection can leave garbage that only finalizers of the first made unreachable.
    collect();
    collect();
    writeFileSync(target, JSON.stringify({ ...process.memoryUsage(), at: Date.now() }));
  });
}
