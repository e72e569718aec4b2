/** Class order of every target, prediction and metric in this package. */
export const CLASS_NAMES = ['hair', 'face', 'background'] as const;
export type ClassName = (typeof CLASS_NAMES)[number];
export const NUM_CLASSES = CLASS_NAMES.length;

/** Label-image colours, in class order: red hair, green face (skin), blue background. */
export const CLASS_COLORS: ReadonlyArray<readonly [number, number, number]> = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
];

/** Side of the LFW-funneled images and label maps. */
export const FULL_SIZE = 250;
/** Side of the network inputs and outputs. */
export const SIZE = 32;
export const X_SHAPE: readonly number[] = [SIZE, SIZE, 3];
export const Y_SHAPE: readonly number[] = [SIZE, SIZE, NUM_CLASSES];
export const X_LEN = SIZE * SIZE * 3;
export const Y_LEN = SIZE * SIZE * NUM_CLASSES;
export const FULL_PIXELS = FULL_SIZE * FULL_SIZE;

/** Layout of the LFW part-labels release under `<dataDir>/lfw`. */
export const LFW_DIR = 'lfw';
export const SPLIT_FILES = { train: 'parts_train.txt', val: 'parts_validation.txt', test: 'parts_test.txt' } as const;
export const IMAGE_DIR = 'lfw_funneled';
export const LABEL_DIR = 'parts_lfw_funneled_gt_images';
export const SUPERPIXEL_MAP_DIR = 'parts_lfw_funneled_superpixels_mat';
export const SUPERPIXEL_LABEL_DIR = 'parts_lfw_funneled_gt';
