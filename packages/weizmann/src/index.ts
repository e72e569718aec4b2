import { registerTask, type Task } from '@alen/core';
import { weizmannTask } from './task.js';

export { weizmannTask, createWeizmannTask, LOAD_OPTIONS } from './task.js';
export type { WeizmannTaskOptions } from './task.js';
export { loadChopps } from './load-chopps.js';
export type { ChoppsOptions } from './load-chopps.js';
export { loadWeizmannDb, MASK_THRESHOLD, ALMOST_BLACK_MAX, ASPECT_TOLERANCE } from './load-weizmann-db.js';
export type { WeizmannDbOptions } from './load-weizmann-db.js';
export { parseSplitFile } from './split-file.js';
export type { SplitEntry, SplitEntries } from './split-file.js';
export type { HorseRecord, Limit } from './dataset.js';
/** Moved to @alen/core (`cropFlipAugment`); re-exported under their old names for compatibility. */
export { cropFlipAugment as createAugment, drawCrops, cropBatch } from '@alen/core';
export type { CropFlipOptions as AugmentOptions, CropSpec } from '@alen/core';
export { createCropViews, DVN_OFFSETS, evenOffsets } from '@alen/core';
export type { CropViews, CropViewsOptions } from '@alen/core';
export { softIou, pixelAgreement, iouCounts, evaluateMasks } from './metrics.js';
export type { IouCounts } from './metrics.js';
export { createConvEnergy, convEnergyOptions, createFcnInference, fcnOptions } from './architectures.js';
export type { ConvEnergyOptions, FcnOptions } from './architectures.js';
export { readImages, writeMasks } from './predict-io.js';
/** Moved to @alen/core; re-exported for compatibility. */
export { IMAGE_EXTENSIONS } from '@alen/core';
export * from './paths.js';

/** Every task this plugin provides (for plugin loaders that register tasks themselves). */
export const tasks: Task[] = [weizmannTask];

registerTask(weizmannTask);
