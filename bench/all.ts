/**
 * `npm run bench`: every benchmark in turn (each prints its ratio against the reference measured in the same run).
 * BENCH_ONLY=train,kmeans runs a subset. A failing bench is reported and the others still run; the exit code is 1
 * when any failed.
 */
import { spawnSync } from 'node:child_process';

const BENCHES = ['train', 'liveFrame', 'kmeans', 'umap', 'cluster', 'models', 'render', 'anomaly'];

function main(): void {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = only ? BENCHES.filter((b) => only.includes(b)) : BENCHES;
  const results: { bench: string; status: number | null; seconds: number }[] = [];
  for (const bench of chosen) {
    console.log(`\n=== bench:${bench} ===`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}.ts`], { stdio: 'inherit' });
    results.push({ bench, status: r.status, seconds: (performance.now() - t0) / 1000 });
  }
  console.log('\n=== summary ===');
  for (const r of results) console.log(`bench:${r.bench.padEnd(8)} ${r.status === 0 ? 'ok    ' : `FAILED (${r.status})`} ${r.seconds.toFixed(0)} s`);
  if (results.some((r) => r.status !== 0)) process.exitCode = 1;
}

main();
