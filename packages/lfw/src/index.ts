import { registerTask } from '@alen/core';
import { lfwCropTask, lfwTask } from './task.js';

export { lfwTask, lfwCropTask, createLfwTask } from './task.js';
export type { LfwTaskOptions } from './task.js';
export {
  CLASS_NAMES, CLASS_COLORS, NUM_CLASSES, FULL_SIZE, SIZE, X_SHAPE, Y_SHAPE,
  LFW_DIR, SPLIT_FILES, IMAGE_DIR, LABEL_DIR, SUPERPIXEL_MAP_DIR, SUPERPIXEL_LABEL_DIR,
} from './constants.js';
export type { ClassName } from './constants.js';
export { parseSplitList, personOf } from './split-list.js';
export type { ListEntry } from './split-list.js';
export { parsePpm } from './ppm.js';
export type { Ppm } from './ppm.js';
export { labelColoursToClasses, readLabelMap, readMaybeGzip } from './label-map.js';
export { areaResize, areaWeights, classProportions } from './area-resize.js';
export { upsampleArgmax, argmaxMap } from './upsample.js';
export { decodeRgb, toInput } from './image.js';
export type { RgbImage } from './image.js';
export { loadLfw, optionsFromContext, requiredPaths, SPLITS } from './load.js';
export type { LfwLoadOptions } from './load.js';
export { cacheRoot, CACHE_ENV, CACHE_VERSION } from './cache.js';
export { lfwMeta } from './meta.js';
export type { LfwMeta } from './meta.js';
export { softPixelAccuracy, softPixelAccuracyMap } from './oracle.js';
export { evaluateLfw } from './metrics.js';
export {
  parseSuperpixelMap, parseSuperpixelLabels, readSuperpixels, superpixelPaths, hasSuperpixelDirs,
  superpixelCounts, SuperpixelSource,
} from './superpixels.js';
export type { SuperpixelData } from './superpixels.js';
export { ARCH_DEFAULTS, resolveArch, createEnergyNet, createFcn } from './architectures.js';
export type { LfwArch } from './architectures.js';
export { readLfwInput, writeLfwOutput, writeLabelPng } from './predict-io.js';

/** The tasks this plugin provides. */
export const tasks = [lfwTask, lfwCropTask];

registerTask(lfwTask);
registerTask(lfwCropTask);
