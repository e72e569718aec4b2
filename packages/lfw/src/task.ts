import path from 'node:path';
import { AlenError, archBoolean, createCropViews, cropFlipAugment, evenOffsets, defineTask, simplexSpace, type BuildContext, type Task } from '@alen/core';
import { createEnergyNet, createFcn } from './architectures.js';
import { IMAGE_DIR, LABEL_DIR, LFW_DIR, SIZE, SPLIT_FILES, SUPERPIXEL_LABEL_DIR, SUPERPIXEL_MAP_DIR } from './constants.js';
import { loadLfw, optionsFromContext } from './load.js';
import { evaluateLfw } from './metrics.js';
import { softPixelAccuracy, softPixelAccuracyMap } from './oracle.js';
import { readLfwInput, writeLfwOutput } from './predict-io.js';

const rel = (...p: string[]) => path.join(LFW_DIR, ...p);

/**
 * DVN's inference from the simplex centre, also the source of alen-dvn's energy tuples. A one-hot
 * labelling lies ≈ 26 from the centre: 30 steps of η 0.5 never reach one. On validation at epoch
 * 10, η 8 scored 65.32 against 55.07 for η 4 (41.91 for η 0.5 at epoch 5; docs/sweeps/lfw.md).
 */
const DVN_TUPLES = { dvnSteps: 30, dvnNormalized: true, dvnInit: 'center', dvnEta: 8 } as const;

/** Options of {@link createLfwTask}. */
export interface LfwTaskOptions {
  /** Registered name; default `lfw`, or `lfw-crop<crop>` when `crop` is set. */
  readonly name?: string;
  /**
   * Side of the random square crops cut in training (the DVN papers' augmentation, which ALEN's
   * paper says it follows on LFW). Predictions then average the crops at `offsets` of each face.
   * Default: none (whole 32×32 faces).
   */
  readonly crop?: number;
  /** Crop corners along each axis for prediction; default 0, 4, 8 (9 crops of 24 on 32). */
  readonly offsets?: readonly number[];
  /** Default of `arch.flip` (random horizontal flips); default false without crops, true with them. */
  readonly flip?: boolean;
}

/**
 * LFW part labels (Kae et al. 2013): 3-class face segmentation, hair / face / background, at
 * 32×32. Targets are per-pixel class proportions on the 3-simplex.
 *
 * Primary metric: `pixelAcc250`. The papers report superpixel accuracy, but the superpixel files
 * of the release are not on these machines; `superpixelAcc` is added automatically when they are
 * present under `<data>/lfw/`, and the paper numbers are keyed by it.
 *
 * The registered `lfwTask` is `createLfwTask()`; `lfwCropTask` (`lfw-crop`) is
 * `createLfwTask({ crop: 24 })`.
 */
export function createLfwTask(opts: LfwTaskOptions = {}): Task {
  const crop = opts.crop ?? SIZE;
  if (!Number.isInteger(crop) || crop < 8 || crop > SIZE) {
    throw new AlenError('BAD_CONFIG', `lfw: crop=${String(opts.crop)} must be an integer from 8 to ${SIZE} (the energy net's two stride-2 convolutions need 8 pixels)`);
  }
  const cropped = crop < SIZE;
  const flipByDefault = opts.flip ?? cropped;
  const withFlip = cropFlipAugment({ crop, flip: true });
  const withoutFlip = cropFlipAugment({ crop, flip: false });
  const views = cropped ? createCropViews({ size: SIZE, crop, offsets: opts.offsets ?? evenOffsets(SIZE - crop, 3) }) : undefined;
  // The conv energy's FC layer is sized for the crop it scores.
  const cropContext = (ctx: BuildContext): BuildContext =>
    cropped ? { ...ctx, xShape: [crop, crop, ctx.xShape[2]!], yShape: [crop, crop, ctx.yShape[2]!] } : ctx;
  return defineTask({
    ...LFW_BASE,
    name: opts.name ?? (cropped ? `lfw-crop${crop === 24 ? '' : crop}` : 'lfw'),
    description: cropped
      ? `${LFW_BASE.description}; trained on ${crop}×${crop} crops, ${views!.count} test crops averaged`
      : LFW_BASE.description,
    augment: (batch, rng, hp) => {
      const flip = archBoolean(hp.arch, 'flip', flipByDefault);
      if (!cropped && !flip) return batch;
      return (flip ? withFlip : withoutFlip)(batch, rng);
    },
    ...(views ? { testViews: views } : {}),
    createEnergy: (ctx) => createEnergyNet(cropContext(ctx)),
  });
}

/** Everything but the augmentation, test views and energy, which depend on the crop. */
const LFW_BASE = {
  name: 'lfw',
  description: 'LFW part labels: hair / face / background segmentation of 250×250 faces, learnt at 32×32 (1500 / 500 / 927)',
  outputSpace: simplexSpace(),
  oracle: softPixelAccuracy,
  oracleMap: softPixelAccuracyMap,
  primaryMetric: 'pixelAcc250',
  expectedFiles: [
    { path: rel(SPLIT_FILES.train), description: 'train split list, lines "Name N" (1500)' },
    { path: rel(SPLIT_FILES.val), description: 'validation split list (500)' },
    { path: rel(SPLIT_FILES.test), description: 'test split list (927)' },
    { path: rel(IMAGE_DIR), description: 'LFW-funneled images Name/Name_NNNN.jpg, 250×250 RGB JPEG' },
    { path: rel(LABEL_DIR), description: 'label images Name_NNNN.ppm(.gz), binary PPM: red hair, green face, blue background' },
    { path: rel(SUPERPIXEL_MAP_DIR), optional: true, description: 'superpixel maps Name/Name_NNNN.dat: index per pixel (250 lines × 250 integers, 0-based)' },
    { path: rel(SUPERPIXEL_LABEL_DIR), optional: true, description: 'superpixel labels Name/Name_NNNN.dat: K, then K labels (0 hair, 1 face, 2 background)' },
  ],
  load: (ctx) => loadLfw(optionsFromContext(ctx)),
  evaluate: evaluateLfw,
  createInference: createFcn,
  defaults: {
    common: { optimizer: 'adam', lr: 1e-3, beta1: 0.5, batchSize: 32, evalBatchSize: 128, epochs: 30 },
    // Validating ALEN and DVN runs ascent steps on all 500 validation faces: every 5 epochs.
    alen: { eta: 0.5, trainSteps: 3, testSteps: 10, energyOutput: 'sigmoid', taskLossReduction: 'mean', valEvery: 5 },
    dvn: { ...DVN_TUPLES, energyOutput: 'sigmoid', valEvery: 5 },
    // ALEN's loop, its energy trained by DVN's objective on DVN's tuples.
    'alen-dvn': { ...DVN_TUPLES },
    infnet: { lr: 1e-3 },
  },
  readInput: readLfwInput,
  writeOutput: writeLfwOutput,
  bench: {
    quick: {
      limit: { train: 64, val: 32, test: 64 },
      methods: ['infnet', 'alen'],
      seeds: [0],
      overrides: { common: { epochs: 2, batchSize: 16 } },
    },
    paper: {
      methods: ['infnet', 'alen', 'dvn'],
      seeds: [0, 1, 2],
    },
  },
  paper: {
    alen: { superpixelAcc: 96.47 },
    dvn: { superpixelAcc: 92.44 },
    'infnet(alen)': { superpixelAcc: 95.87 },
    infnet: { superpixelAcc: 95.36 },
  },
} satisfies Omit<Task, 'createEnergy'>;

export const lfwTask: Task = createLfwTask();
export const lfwCropTask: Task = createLfwTask({ crop: 24 });
