/**
 * Networks for 32×32 LFW (NHWC, 'same' padding, ReLU), after the DVN segmentation value net and
 * ALEN's FCN inference net (../shared/SPEC.md §3).
 */
import {
  AlenError, archNumber, archString, convEnergyNet, fcnEnergyNet, fcnInference,
  type BuildContext, type EnergyNet, type InferenceNet,
} from '@alen/core';

/** Architecture options (`hp.arch`), with their defaults. */
export const ARCH_DEFAULTS = {
  /** Energy net: conv 5×5 channels (strides 1, 2, 2), FC sizes, dropout rate after FC1 (keep 0.75). */
  energyKernel: 5,
  energyConv1: 64,
  energyConv2: 128,
  energyConv3: 128,
  energyFc1: 384,
  energyFc2: 192,
  energyDropout: 0.25,
  /** FCN inference net: conv 5×5 (strides 1, 2, 2) then two 5×5 stride-2 deconvolutions to 3 logits. */
  fcnKernel: 5,
  fcnConv1: 64,
  fcnConv2: 128,
  fcnConv3: 128,
  fcnDeconv1: 64,
  fcnDropout: 0,
} as const;

export type LfwArch = { -readonly [K in keyof typeof ARCH_DEFAULTS]: number };

const RATES = new Set<keyof LfwArch>(['energyDropout', 'fcnDropout']);

/** Resolves `hp.arch` against the defaults: sizes are positive integers, dropouts rates in [0, 1). Other keys are ignored. */
export function resolveArch(arch: Record<string, number | string | boolean> | undefined): LfwArch {
  const out = { ...ARCH_DEFAULTS } as LfwArch;
  for (const k of Object.keys(ARCH_DEFAULTS) as (keyof LfwArch)[]) {
    out[k] = archNumber(arch, k, ARCH_DEFAULTS[k], RATES.has(k) ? { min: 0 } : { min: 1, integer: true });
    if (RATES.has(k) && out[k] >= 1) throw new AlenError('BAD_CONFIG', `lfw arch option ${k}=${out[k]} must be a rate in [0, 1)`);
  }
  return out;
}

function checkShapes(ctx: BuildContext): { h: number; w: number; cx: number; cy: number } {
  const [h, w, cx] = ctx.xShape;
  const [hy, wy, cy] = ctx.yShape;
  if (ctx.xShape.length !== 3 || ctx.yShape.length !== 3 || h !== hy || w !== wy || h! % 4 !== 0 || w! % 4 !== 0) {
    throw new AlenError('SHAPE_MISMATCH', `lfw networks need x [H,W,C] and y [H,W,K] with equal H, W divisible by 4; got [${ctx.xShape}] and [${ctx.yShape}]`);
  }
  return { h: h!, w: w!, cx: cx!, cy: cy! };
}

/**
 * Energy net v(x, y) on core's {@link convEnergyNet}: image and soft mask concatenated on channels →
 * conv 5×5 64 s1 → 128 s2 → 128 s2 (ReLU) → FC 384 (ReLU, dropout) → FC 192 (ReLU) → FC 1 (`out`),
 * the raw score. `encode` is the identity; it returns a copy so callers may dispose it.
 * `arch.energyNet=fcn` builds ALEN's FCN energy instead (core's {@link fcnEnergyNet}: the same convs,
 * a transposed conv of `energyDeconv1` (64) channels, one score per pixel, averaged), whose
 * per-pixel scores `energyFit: 'map'` can fit.
 */
export function createEnergyNet(ctx: BuildContext): EnergyNet {
  const a = resolveArch(ctx.hp.arch);
  const { h, w, cx, cy } = checkShapes(ctx);
  // Not in ARCH_DEFAULTS: defaults there would enter every run's config and stale the finished ones.
  if (archString(ctx.hp.arch, 'energyNet', 'conv', ['conv', 'fcn']) === 'fcn') {
    const deconv = archNumber(ctx.hp.arch, 'energyDeconv1', 64, { min: 1, integer: true });
    return fcnEnergyNet(ctx, fcnLayers(cx, cy, a.energyKernel, [a.energyConv1, a.energyConv2, a.energyConv3], deconv, 0, 'lfw FCN energy net'));
  }
  return convEnergyNet(ctx, {
    inChannels: cx,
    outChannels: cy,
    height: h,
    width: w,
    kernel: a.energyKernel,
    conv: [a.energyConv1, a.energyConv2, a.energyConv3],
    strides: [1, 2, 2],
    fc: [a.energyFc1, a.energyFc2],
    dropout: a.energyDropout,
    outName: 'out',
    outInit: 'glorot',
    cloneOnEncode: true,
    label: 'lfw energy net',
  });
}

/**
 * FCN inference net g(x) on core's {@link fcnInference}: conv 5×5 64 s1 → 128 s2 → 128 s2 (ReLU),
 * deconv 5×5 s2 → 64 (ReLU), deconv 5×5 s2 → 3 logits at the input resolution (softmax is the output
 * space's `activate`).
 */
export function createFcn(ctx: BuildContext): InferenceNet {
  const a = resolveArch(ctx.hp.arch);
  const { cx, cy } = checkShapes(ctx);
  return fcnInference(ctx, fcnLayers(cx, cy, a.fcnKernel, [a.fcnConv1, a.fcnConv2, a.fcnConv3], a.fcnDeconv1, a.fcnDropout, 'lfw FCN'));
}

/** Three k×k convs (strides 1, 2, 2) and two stride-2 transposed convs, `deconv` channels between them. */
function fcnLayers(inChannels: number, outChannels: number, kernel: number, conv: number[], deconv: number, dropout: number, label: string) {
  return { inChannels, outChannels, kernel, conv, strides: [1, 2, 2], deconv: [deconv], dropout, outInit: 'glorot' as const, label };
}
