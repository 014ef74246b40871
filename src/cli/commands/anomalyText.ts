/** The plain-text summary of an anomaly report that `embed` prints (threshold, flagged samples, and the evaluation). */
import type { AnomalyReport } from '../../core/explorer';

/** ROC points printed (evenly spaced along the curve). */
const PRINTED_ROC_POINTS = 11;

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function describeAnomalies(r: AnomalyReport): string {
  const lines: string[] = [];
  const others = r.methods.filter((m) => m !== r.method).join(', ');
  lines.push(`Anomaly score ${r.method}${r.method === r.defaultMethod ? ' (default)' : ''}; others: ${others || 'none'}`);
  const rows = `${r.calibrationRows} ${r.heldOut ? 'held-out validation' : 'training'} rows`;
  lines.push(`Threshold ${r.threshold.toPrecision(5)}: set for ${pct(r.targetFpr)} false positives, ${pct(r.expectedFpr)} on ${rows}; flags ${r.flagged} of ${r.scores.length} samples`);
  const ev = r.evaluation;
  if (ev) {
    lines.push(`Labels ${ev.anomalyLabels.join(', ')} as anomalies (${ev.positives} of ${ev.positives + ev.negatives}): precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, false-positive rate ${ev.falsePositiveRate.toFixed(3)}, AUROC ${ev.auroc.toFixed(4)}`);
    const k = ev.roc.fpr.length;
    const picks = [...new Set(Array.from({ length: Math.min(PRINTED_ROC_POINTS, k) }, (_, q) => Math.round((q * (k - 1)) / Math.max(1, Math.min(PRINTED_ROC_POINTS, k) - 1))))];
    lines.push(`ROC (FPR -> TPR): ${picks.map((p) => `${ev.roc.fpr[p].toFixed(2)}->${ev.roc.tpr[p].toFixed(2)}`).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
