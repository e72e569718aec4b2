import type { BuildContext, EnergyNet, InferenceNet } from '@alen/core';
import { archNumber, archString, convEnergyNet, fcnEnergyNet, fcnInference } from '@alen/core';

type Arch = BuildContext['hp']['arch'];

const width = (arch: Arch, key: string, fallback: number) => archNumber(arch, key, fallback, { integer: true, min: 1 });
const rate = (arch: Arch, key: string, fallback: number) => archNumber(arch, key, fallback, { min: 0, max: 0.99 });

/** Architecture options of the value/energy net (`hp.arch` keys) with the DVN sizes as defaults. */
export interface ConvEnergyOptions {
  /**
   * `energyNet`: 'conv' (default) is DVN's value net, convs then FC layers to one score; 'fcn' is
   * ALEN's segmentation energy, an FCN giving a score per pixel, averaged (ALEN §4, "score
   * matrices"), with the same convs and a `vDeconv` (64) transposed conv; it has no FC layers.
   */
  readonly kind: 'conv' | 'fcn';
  readonly deconv: number;
  /** Side of the square inputs the net scores (`crop`; 24 for DVN's crops): fixes the flatten size. */
  readonly inputSize: number;
  /** `vConv1`, `vConv2`, `vConv3`: 64, 128, 128 channels (5×5, strides 1, 2, 2). */
  readonly conv: readonly [number, number, number];
  /** `vFc1`, `vFc2`: 384, 192 units. */
  readonly fc: readonly [number, number];
  /** `vDropout`: dropout rate after FC 1 while training (0.25 = DVN's keep probability 0.75). */
  readonly dropout: number;
}

export function convEnergyOptions(arch: Arch, inputSize: number): ConvEnergyOptions {
  return {
    kind: archString(arch, 'energyNet', 'conv', ['conv', 'fcn']),
    deconv: width(arch, 'vDeconv', 64),
    inputSize,
    conv: [width(arch, 'vConv1', 64), width(arch, 'vConv2', 128), width(arch, 'vConv3', 128)],
    fc: [width(arch, 'vFc1', 384), width(arch, 'vFc2', 192)],
    dropout: rate(arch, 'vDropout', 0.25),
  };
}

/**
 * The DVN value network (../shared/SPEC.md §3) on core's {@link convEnergyNet}: image (3 channels) ⊕ mask (1) →
 * conv 5×5 c1 s1 → c2 s2 → c3 s2 → FC fc1 (dropout) → FC fc2 → FC 1 (`fc3`), raw score [N].
 * `encode(x)` is a clone of x. With `kind: 'fcn'` (arch `energyNet=fcn`) it is ALEN's FCN energy
 * instead (core's {@link fcnEnergyNet}).
 */
export function createConvEnergy(ctx: BuildContext, opts: ConvEnergyOptions): EnergyNet {
  if (opts.kind === 'fcn') {
    return fcnEnergyNet(ctx, { ...fcnLayers(opts), label: 'weizmann FCN energy net' });
  }
  return convEnergyNet(ctx, {
    inChannels: 3,
    outChannels: 1,
    height: opts.inputSize,
    width: opts.inputSize,
    conv: opts.conv,
    strides: [1, 2, 2],
    kernel: 5,
    fc: opts.fc,
    dropout: opts.dropout,
    // The names and initializers this plugin's checkpoints were written with.
    outName: 'fc3',
    outInit: 'he',
    cloneOnEncode: true,
    label: 'weizmann energy net',
    shapeHint: 'the net is built for the arch crop size; crop the images (test views / augment) or set the crop size',
  });
}

/** Architecture options of the FCN inference net (`hp.arch` keys). */
export interface FcnOptions {
  /** `gConv1`, `gConv2`, `gConv3`: 64, 128, 128 channels (5×5, strides 1, 2, 2). */
  readonly conv: readonly [number, number, number];
  /** `gDeconv`: channels of the first transposed conv (64); the second has 1 (the logits). */
  readonly deconv: number;
  /** `gDropout`: dropout rate on the bottleneck (after conv 3) while training (default 0.25, a guess). */
  readonly dropout: number;
}

export function fcnOptions(arch: Arch): FcnOptions {
  return {
    conv: [width(arch, 'gConv1', 64), width(arch, 'gConv2', 128), width(arch, 'gConv3', 128)],
    deconv: width(arch, 'gDeconv', 64),
    dropout: rate(arch, 'gDropout', 0.25),
  };
}

/**
 * The FCN inference network (ALEN §4; DVN's FCN baseline uses the value net's conv layers) on core's
 * {@link fcnInference}: conv 5×5 c1 s1 → c2 s2 → c3 s2 (dropout) → transposed conv 5×5 d s2 →
 * transposed conv 5×5 1 s2, logits [N, H, W, 1] for any H, W that are multiples of 4.
 */
export function createFcnInference(ctx: BuildContext, opts: FcnOptions): InferenceNet {
  return fcnInference(ctx, { ...fcnLayers(opts), outInit: 'he', label: 'weizmann FCN' });
}

/** The layers both FCNs share: RGB in, one mask channel, convs 5×5 at strides 1, 2, 2, one hidden deconv. */
function fcnLayers(opts: Pick<FcnOptions, 'conv' | 'deconv' | 'dropout'>) {
  return { inChannels: 3, outChannels: 1, conv: opts.conv, strides: [1, 2, 2], deconv: [opts.deconv], kernel: 5, dropout: opts.dropout };
}
