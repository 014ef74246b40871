/**
 * `latent-explorer cluster <modelDir> [--k N | --suggest 2..12] [--seed N] [--out FILE]`: k-means on the latent codes
 * of a saved model's dataset. `--suggest` scores each k by inertia and silhouette and clusters with the best one.
 */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import type { CliCommand, CliIo } from '../cli';
import { UsageError } from '../cli';
import { COMMON_OPTIONS, COMMON_USAGE, formatFromPath, intOption, modelDirArg, withExplorer, parseOrUsage } from './embed';

const DEFAULT_SUGGEST: [number, number] = [2, 10];

const USAGE = `Usage: latent-explorer cluster <modelDir> [options]

K-means (k-means++ seeding, best of 4 restarts) on the latent codes of the model's dataset. Prints cluster sizes,
inertia and, per cluster, the samples nearest its centroid. Without --k, suggests k in ${DEFAULT_SUGGEST.join('..')} by silhouette.

Options:
  --k N              number of clusters
  --suggest A..B     try k = A..B, print inertia and silhouette per k, cluster with the best
  --seed N           seed (default 0)
  --out FILE         also write the embeddings with cluster ids (.csv, .json, .npy, .tsv for the Projector)
${COMMON_USAGE}
`;

/** Parses `A..B` (or `A-B`) into an inclusive range with 2 <= A <= B. */
export function parseRange(text: string): [number, number] {
  const m = /^(\d+)\s*(?:\.\.|-)\s*(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--suggest must look like 2..12, got "${text}"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 2 || hi < lo) throw new UsageError(`--suggest needs 2 <= A <= B, got ${lo}..${hi}`);
  return [lo, hi];
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, k: { type: 'string' }, suggest: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
    }),
  );
  const modelDir = modelDirArg(positionals);
  if (values.k !== undefined && values.suggest !== undefined) throw new UsageError('give either --k or --suggest, not both');
  let k = intOption('k', values.k, 1);
  const range = values.suggest !== undefined ? parseRange(values.suggest) : k === undefined ? DEFAULT_SUGGEST : undefined;
  const seed = intOption('seed', values.seed, 0) ?? 0;
  const out = typeof values.out === 'string' ? path.resolve(values.out) : undefined;
  const quiet = values.quiet === true;
  return withExplorer(modelDir, values, io, async (explorer) => {
    if (range) {
      const s = await explorer.suggestK(range[0], range[1], seed);
      if (!quiet) {
        io.stdout.write('k   inertia        silhouette\n');
        s.ks.forEach((kk, i) => io.stdout.write(`${String(kk).padEnd(3)} ${s.inertias[i].toExponential(4).padEnd(14)} ${s.silhouettes[i].toFixed(4)}${kk === s.best ? '  <- best' : ''}\n`));
      }
      k = s.best;
    }
    const c = await explorer.cluster(k!, seed);
    const e = await explorer.embed();
    io.stdout.write(`k = ${c.k}, inertia ${c.inertia.toExponential(4)}\n`);
    if (!quiet) {
      c.sizes.forEach((size, j) => {
        const labels = c.nearest[j].map((i) => e.labels?.[i] ?? String(i));
        io.stdout.write(`cluster ${j}: ${size} samples; nearest: ${labels.join(', ')}\n`);
      });
    }
    if (out) {
      const files = await explorer.exportEmbeddings(out, formatFromPath(out), values.force === true);
      io.stdout.write(`${files.join('\n')}\n`);
    }
    return 0;
  });
}

export const clusterCommand: CliCommand = {
  summary: 'k-means on the latent codes of a saved model (or suggest k by silhouette)',
  usage: USAGE,
  run,
};
