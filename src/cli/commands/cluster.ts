/**
 * `latent-explorer cluster <modelDir> [--method M] [--k N | --suggest 2..30] [--seed N] [--out FILE]`: clusters the
 * latent codes of a saved model's dataset, by default with the recommended pipeline (UMAP clustering space +
 * Gaussian mixture). Progress goes to stderr; Ctrl-C cancels. With labels in the dataset it prints the accuracy
 * (Hungarian), NMI and ARI against them and the cluster x label confusion matrix.
 */
import { exportFormatFromPath } from '../../common/exportFormats';
import { MAX_K } from '../../common/limits';
import * as path from 'node:path';
import type { CliCommand, CliIo } from '../command';
import { UsageError, intOption, valueOptions } from '../command';
import type { AnalysisProgress, ClusterResult } from '../../core/explorer';
import { CLUSTER_METHODS, DEFAULT_CLUSTER_METHOD, isClusterMethod, methodNeedsK } from '../../core/analysis/clusterPipeline';
import type { ClusterMethod } from '../../core/analysis/clusterPipeline';
import { COMMON_USAGE, parseModelArgs, withExplorer } from '../modelOptions';

const DEFAULT_SUGGEST: [number, number] = [2, 30];

const USAGE = `Usage: latent-explorer cluster <modelDir> [options]

Clusters the latent codes of the model's dataset. Prints cluster sizes and, per cluster, the samples nearest its
mean; with labels in the dataset, the accuracy (Hungarian matching), NMI and ARI and a cluster x label confusion
matrix. Without --k (and for methods that need one), suggests k in ${DEFAULT_SUGGEST.join('..')} by silhouette.

Options:
  --method M         ${CLUSTER_METHODS.join('|')} (default ${DEFAULT_CLUSTER_METHOD}):
                     umap-*: UMAP clustering space (10 dims, min_dist 0) then GMM / k-means; kmeans, gmm: on the codes;
                     dbscan, hdbscan: density clustering in the UMAP space, noise = -1
  --k N              number of clusters (k-means / GMM methods)
  --suggest A..B     try k = A..B, print inertia, silhouette and the elbow, cluster with the best silhouette
  --eps X            DBSCAN radius (default: knee of the k-distance curve)
  --min-pts N        DBSCAN core size (default 10)
  --min-cluster N    HDBSCAN smallest cluster (default 1% of the samples, at least 5)
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
  if (lo < 2 || hi < lo || hi > MAX_K) throw new UsageError(`--suggest needs 2 <= A <= B <= ${MAX_K}, got ${lo}..${hi}`);
  return [lo, hi];
}

/** One stderr line per stage change and at most ~2 per second within a stage. */
function progressWriter(io: CliIo, quiet: boolean): (p: AnalysisProgress) => void {
  let stage = '';
  let last = 0;
  return (p) => {
    if (quiet) return;
    const now = Date.now();
    if (p.stage === stage && now - last < 500 && p.done < p.total) return;
    stage = p.stage;
    last = now;
    const label = p.stage === 'knn' ? 'UMAP nearest neighbours' : p.stage === 'graph' ? 'UMAP graph' : p.stage === 'layout' ? 'UMAP layout (epochs)' : 'clustering';
    io.stderr.write(`${label}: ${p.done}/${p.total}\n`);
  };
}

/** The confusion matrix as aligned text: one row per cluster (noise as "noise"), one column per label. */
export function formatConfusion(c: ClusterResult): string {
  const s = c.scores;
  if (!s) return '';
  const { clusters, classes, counts } = s.confusion;
  const head = ['cluster', ...classes];
  const rows = clusters.map((cl, i) => [cl === -1 ? 'noise' : String(cl), ...counts[i].map(String)]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]): string => r.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, modelDir } = parseModelArgs(args, valueOptions('method', 'k', 'suggest', 'eps', 'min-pts', 'min-cluster', 'seed', 'out'));
  const method: ClusterMethod = values.method === undefined ? DEFAULT_CLUSTER_METHOD : isClusterMethod(values.method) ? values.method : (() => {
    throw new UsageError(`--method must be one of ${CLUSTER_METHODS.join(', ')}, got "${values.method}"`);
  })();
  if (values.k !== undefined && values.suggest !== undefined) throw new UsageError('give either --k or --suggest, not both');
  let k = intOption('k', values.k, 1, MAX_K);
  const needsK = methodNeedsK(method);
  const range = values.suggest !== undefined ? parseRange(values.suggest) : k === undefined && needsK ? DEFAULT_SUGGEST : undefined;
  const seed = intOption('seed', values.seed, 0) ?? 0;
  const eps = values.eps === undefined ? undefined : Number(values.eps);
  if (eps !== undefined && !(eps > 0)) throw new UsageError(`--eps must be a positive number, got "${values.eps}"`);
  const minPts = intOption('min-pts', values['min-pts'], 1);
  const minClusterSize = intOption('min-cluster', values['min-cluster'], 2);
  const out = typeof values.out === 'string' ? path.resolve(values.out) : undefined;
  const quiet = values.quiet === true;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort(Object.assign(new Error('Clustering cancelled'), { name: 'AbortError' }));
  process.once('SIGINT', onSigint);
  const control = { onProgress: progressWriter(io, quiet), signal: abort.signal };
  try {
    return await withExplorer(modelDir, values, io, async (explorer) => {
      if (range) {
        const s = await explorer.suggestK(range[0], range[1], seed, method, control);
        if (!quiet) {
          io.stdout.write(`k curve in the ${s.space === 'umap' ? 'UMAP clustering space' : 'latent space'} (k-means; silhouette on a seeded sample)\n`);
          io.stdout.write('k   inertia        silhouette\n');
          s.ks.forEach((kk, i) => io.stdout.write(`${String(kk).padEnd(3)} ${s.inertias[i].toExponential(4).padEnd(14)} ${s.silhouettes[i].toFixed(4)}${kk === s.best ? '  <- best silhouette' : ''}${kk === s.elbow ? '  <- elbow' : ''}\n`));
        }
        if (k === undefined) k = s.best;
      }
      const c = await explorer.cluster(k ?? 0, seed, { method, eps, minPts, minClusterSize }, control);
      const e = await explorer.embed();
      io.stdout.write(`method ${method}: ${c.k} clusters${c.noise ? `, ${c.noise} noise points` : ''}\n`);
      if (!quiet) {
        c.sizes.forEach((size, j) => {
          const labels = c.nearest[j].map((i) => e.labels?.[i] ?? String(i));
          io.stdout.write(`cluster ${j}: ${size} samples; nearest: ${labels.join(', ')}\n`);
        });
      }
      if (c.scores) {
        const s = c.scores;
        io.stdout.write(`against the labels (${s.classes} classes): accuracy ${s.accuracy.toFixed(4)}  NMI ${s.nmi.toFixed(4)}  ARI ${s.ari.toFixed(4)}\n`);
        if (!quiet) io.stdout.write(formatConfusion(c));
      }
      if (out) {
        const files = await explorer.exportEmbeddings(out, exportFormatFromPath(out), values.force === true);
        io.stdout.write(`${files.join('\n')}\n`);
      }
      return 0;
    });
  } catch (e) {
    if (abort.signal.aborted) {
      io.stderr.write('Clustering cancelled.\n');
      return 130;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export const clusterCommand: CliCommand = {
  summary: 'cluster the latent codes of a saved model (UMAP + Gaussian mixture by default; k-means, GMM, DBSCAN, HDBSCAN)',
  usage: USAGE,
  run,
};
