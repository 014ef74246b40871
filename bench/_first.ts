import { initBackend } from '../src/core/backend/backend';
import { runTrainingPipeline } from '../src/core/pipeline';
import { createLiveEmbedding } from '../src/core/analysis/liveEmbedding';
import { FASHION_TRAIN_IMAGES } from './util';
async function main(): Promise<void> {
  const t0 = performance.now();
  const at = (m: string): void => console.log(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${m}`);
  await initBackend('auto');
  at('backend ready');
  const abort = new AbortController();
  let live: ReturnType<typeof createLiveEmbedding> | undefined;
  let ctxModel: any;
  let batches = 0;
  await runTrainingPipeline({
    datasetPath: FASHION_TRAIN_IMAGES, loadOptions: {}, model: { kind: 'dense' }, train: { epochs: 20, seed: 42 }, outDir: '/tmp/speed/first',
    log: (m) => at(m),
    onModelReady: (ctx) => { at('model ready'); live = createLiveEmbedding(ctx.normalized, ctx.n, ctx.model.config.inputDim, { seed: 42 }); ctxModel = ctx.model; at('live sample gathered'); },
    onProgress: (p) => {
      batches++;
      if (batches === 1) { at(`first batch done (batch ${p.batch}/${p.batches})`); const t = performance.now(); live!.frame(ctxModel); at(`first frame computed (${(performance.now() - t).toFixed(0)} ms)`); }
      if (batches === 200) { at('200 batches'); abort.abort(); }
    },
    signal: abort.signal,
  });
  at('pipeline returned (cancelled)');
}
void main();
