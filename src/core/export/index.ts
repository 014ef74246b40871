/** Exporters for embeddings: one entry point per `ExportFormat`. */
import type { ExportFormat } from '../../common/exportFormats';
import type { EmbeddingTable } from './embeddings';
import { writeEmbeddingsCsv, writeEmbeddingsJson, writeProjectorTsv } from './embeddings';
import { writeNpy } from './npy';

export { FileExistsError, assertWritable, writeFileAtomic } from './atomicWrite';
export type { EmbeddingTable } from './embeddings';
export { embeddingsToCsv, embeddingsToJson, embeddingsToProjector, formatFloat32, projectorMetadataPath, sourceText } from './embeddings';
export { decodeNpy, encodeNpy, readNpy, writeNpy } from './npy';

/** Writes `table` to `path` in `format`; returns the files written (Projector: vectors and metadata; npy: the latent matrix). */
export function exportEmbeddings(path: string, format: ExportFormat, table: EmbeddingTable, overwrite = false): string[] {
  switch (format) {
    case 'csv':
      return writeEmbeddingsCsv(path, table, overwrite);
    case 'tsv-projector':
      return writeProjectorTsv(path, table, overwrite);
    case 'json':
      return writeEmbeddingsJson(path, table, overwrite);
    case 'npy':
      writeNpy(path, table.latent, table.n, table.latentDim, overwrite);
      return [path];
    default:
      throw new Error(`unknown export format: ${String(format)}`);
  }
}
