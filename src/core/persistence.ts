/** Save/load of trained models; the implementation lives in training/persistence.ts (re-exported here). */
export { saveModel, loadModel, datasetSchema, writeFileAtomic, MODEL_FILE, WEIGHTS_FILE, SIDECAR_FILE } from './training/persistence';
export type { DatasetSchema, SaveExtra, ModelSidecar } from './training/persistence';
