/** Writes the Projector sprite and config beside a TSV export of an image dataset. */
import { basename, dirname, extname, join } from 'node:path';
import { assertWritable, writeFileAtomic } from './atomicWrite';
import { projectorConfig, spriteImage } from './sprite';

/**
 * `emb.tsv` -> `emb.sprite.png` and `emb.projector_config.pbtxt` (load the config in the Projector to see every
 * point as its image). Returns the files written: none when the images do not fit in one sprite.
 */
export function writeProjectorSprite(vectorsPath: string, metadataPath: string | undefined, features: Float32Array, n: number, sampleShape: readonly number[], overwrite: boolean): string[] {
  const sprite = spriteImage(features, n, sampleShape);
  if (!sprite) return [];
  const dir = dirname(vectorsPath), stem = basename(vectorsPath, extname(vectorsPath));
  const pngPath = join(dir, `${stem}.sprite.png`), configPath = join(dir, `${stem}.projector_config.pbtxt`);
  assertWritable([pngPath, configPath], overwrite);
  writeFileAtomic(pngPath, sprite.png, overwrite);
  writeFileAtomic(configPath, projectorConfig(basename(vectorsPath), metadataPath ? basename(metadataPath) : '', basename(pngPath), sprite.tile), overwrite);
  return [pngPath, configPath];
}
