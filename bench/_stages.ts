import { initBackend } from '../src/core/backend/backend';
import { runTrainingPipeline } from '../src/core/pipeline';
import { FASHION_TRAIN_IMAGES } from './util';
async function main(): Promise<void> {
  const t0 = performance.now();
  const at = (m: string): void => console.log(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${m}`);
  await initBackend('auto');
  at('backend ready');
  let epochEnd = 0;
  const out = await runTrainingPipeline({
    datasetPath: FASHION_TRAIN_IMAGES, loadOptions: {}, model: { kind: 'dense' }, train: { epochs: 1, seed: 42 }, outDir: '/tmp/speed/stages',
    log: (m) => at(m.slice(0, 80)),
    onModelReady: () => at('model ready'),
    onProgress: (p) => { if (p.phase === 'epoch') { epochEnd = performance.now(); at(`epoch ${p.epoch} done, ${Math.round(p.samplesPerSec)} sps`); } },
  });
  at(`pipeline done (encode+errors+save after epoch: ${(performance.now() - epochEnd).toFixed(0)} ms)`);
  out.model.dispose();
}
void main();
