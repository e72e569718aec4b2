import { registerTask } from '@alen/core';
import { tasks } from './tasks.js';

export { bibtexTask, bookmarksTask, tasks, createMultilabelTask } from './tasks.js';
export { parseArff, readArff } from './arff.js';
export type { ArffAttribute, ArffAttributeType, ArffData, ReadArffOptions } from './arff.js';
export { parseLabelsXml, readLabelsXml } from './labels-xml.js';
export {
  BIBTEX,
  BOOKMARKS,
  VAL_FRACTION,
  checkFiles,
  expectedFiles,
  loadMultilabel,
  permuteRows,
  validationSplit,
} from './dataset.js';
export type { MultilabelSpec, MultilabelTrainMeta } from './dataset.js';
export { STD_EPSILON, applyStandardization, standardizationOf } from './standardize.js';
export type { Standardization } from './standardize.js';
export { DEFAULT_THRESHOLDS, bestThreshold, evaluate, evaluateAtValThreshold, exampleF1, f1AtThreshold, softF1 } from './metrics.js';
export { createInferenceNet, createValueNet } from './architectures.js';
/** Moved to @alen/core; re-exported for code that imported it from here. */
export { archNumber } from '@alen/core';
export type { MultilabelArchDefaults } from './architectures.js';
export { labelNamesFor, readPredictInput, scoresFileFor, writePredictOutput } from './predict-io.js';
export type { PredictContext } from './predict-io.js';
export {
  BIBTEX_SHAPE,
  BOOKMARKS_SHAPE,
  labelsXmlText,
  syntheticArffText,
  syntheticLabelNames,
  syntheticRows,
  syntheticRule,
  writeSyntheticDataset,
} from './synthetic.js';
export type { SyntheticArffOptions, SyntheticDatasetOptions, SyntheticRowsOptions, SyntheticRule } from './synthetic.js';

for (const task of tasks) registerTask(task);
