/**
 * `latent-explorer embed <modelDir> [--data PATH] [--out FILE]`: encodes a dataset with a saved model and writes the
 * codes, reconstruction errors, labels and sources as CSV.
 */
import * as path from 'node:path';
import { exportFormatFromPath } from '../../common/exportFormats';
import type { CliCommand, CliIo } from '../command';
import { UsageError, valueOptions } from '../command';
import { COMMON_USAGE, parseModelArgs, withExplorer } from '../modelOptions';
import { ANOMALY_SCORE_METHODS, isAnomalyScoreMethod } from '../../core/analysis/anomalyScores';
import { describeAnomalies } from './anomalyText';

const USAGE = `Usage: latent-explorer embed <modelDir> [options]

Encodes every sample of the dataset with a saved model and writes one CSV row per sample: the latent code
(z0..), the reconstruction error (mean squared error, normalised units), the label, the id and the source line
(or index, or image file), in the same layout as train's embeddings.csv; with --score or --anomaly-label also the
score and whether it is above the model's saved threshold (score_<method>, anomalous).

Options:
  --out FILE         output file (default <modelDir>/embeddings.csv); .json/.npy/.tsv pick that format
  --score S          anomaly score: ${ANOMALY_SCORE_METHODS.join('|')} (default: the model's calibrated default;
                     elbo needs a vae/cvae). Prints its threshold (calibrated on the validation split at the
                     false-positive rate chosen in training) and how many samples it flags
  --anomaly-label L  label value(s), comma-separated, that mark anomalies: also prints precision, recall,
                     false-positive rate, AUROC and the ROC curve of the score
${COMMON_USAGE}
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, modelDir } = parseModelArgs(args, valueOptions('out', 'score', 'anomaly-label'));
  const score = values.score;
  if (score !== undefined && !isAnomalyScoreMethod(score)) throw new UsageError(`--score must be one of ${ANOMALY_SCORE_METHODS.join(', ')}, got "${score}"`);
  const anomalyLabels = typeof values['anomaly-label'] === 'string' ? values['anomaly-label'].split(',').map((s) => s.trim()).filter((s) => s.length > 0) : undefined;
  const out = path.resolve(typeof values.out === 'string' ? values.out : path.join(modelDir, 'embeddings.csv'));
  return withExplorer(modelDir, values, io, async (explorer) => {
    const e = await explorer.embed();
    // Asked for a score: computed before writing, so the output carries it and the flags at the saved threshold
    // (`score_<method>`, `anomalous`); otherwise the output keeps train's embeddings.csv layout.
    const asked = score !== undefined || anomalyLabels !== undefined;
    const scored = asked ? await explorer.anomalies(score, anomalyLabels) : undefined;
    const files = await explorer.exportEmbeddings(out, exportFormatFromPath(out), values.force === true);
    const report = scored ?? (values.quiet !== true ? await explorer.anomalies() : undefined);
    let mean = 0;
    for (const v of e.errors) mean += v / e.n;
    if (values.quiet !== true) io.stdout.write(`Encoded ${e.n} samples to ${e.latentDim} dimensions; mean reconstruction error ${mean.toPrecision(4)}\n`);
    if (report) io.stdout.write(describeAnomalies(report));
    io.stdout.write(`${files.join('\n')}\n`);
    return 0;
  });
}

export const embedCommand: CliCommand = {
  summary: 'encode a dataset with a saved model and write the codes and reconstruction errors',
  usage: USAGE,
  run,
};
