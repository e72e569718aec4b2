// Experimental task `lfw-crop`: LFW trained on random 24×24 crops (with flips) and predicted by
// averaging 9 crops (offsets 0, 4, 8 per axis), the DVN papers' augmentation, which ALEN says it
// follows on LFW. Everything else is `lfw`'s. Use: npx alen train --plugin tools/exp/lfw-crop-plugin.mjs --task lfw-crop ...
import { archBoolean, createCropViews, cropFlipAugment, defineTask } from '@alen/core';
import { createEnergyNet, lfwTask } from '@alen/lfw';

const CROP = 24;
const views = createCropViews({ size: 32, crop: CROP, offsets: [0, 4, 8] });
const cropFlip = cropFlipAugment({ crop: CROP, flip: true });
const cropOnly = cropFlipAugment({ crop: CROP, flip: false });

export const lfwCropTask = defineTask({
  ...lfwTask,
  name: 'lfw-crop',
  description: `${lfwTask.description}; trained on ${CROP}×${CROP} crops, 9 test crops averaged`,
  augment: (batch, rng, hp) => (archBoolean(hp.arch, 'flip', true) ? cropFlip : cropOnly)(batch, rng),
  testViews: views,
  // The conv energy's FC layer is sized for the crop it scores.
  createEnergy: (ctx) => createEnergyNet({ ...ctx, xShape: [CROP, CROP, ctx.xShape[2]], yShape: [CROP, CROP, ctx.yShape[2]] }),
});
export const tasks = [lfwCropTask];
