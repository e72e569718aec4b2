import type { tf } from '../tf.js';
import { ParamStore, conv2d, type Init } from '../params.js';
import type { Rng } from '../rng.js';
import { AlenError } from '../errors.js';

/** Where a builder puts its variables: an existing store, or a fresh one seeded from a context's RNG. */
export type StoreOrContext = ParamStore | { readonly rng: Rng };

export function storeFor(target: StoreOrContext, scope: string): ParamStore {
  return target instanceof ParamStore ? target : new ParamStore(scope, target.rng);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

export function positiveInt(label: string, key: string, v: unknown): number {
  if (!isPositiveInt(v)) throw new AlenError('BAD_CONFIG', `${label}: option ${key} must be an integer ≥ 1, got ${String(v)}`);
  return v;
}

export function positiveInts(label: string, key: string, v: readonly unknown[], minLength: number): number[] {
  if (!Array.isArray(v) || v.length < minLength || !v.every(isPositiveInt)) {
    throw new AlenError('BAD_CONFIG', `${label}: option ${key} must list at least ${minLength} integer(s) ≥ 1, got [${String(v)}]`);
  }
  return [...v];
}

export function dropoutRate(label: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new AlenError('BAD_CONFIG', `${label}: option ${key} must be a rate in [0, 1), got ${String(v)}`);
  }
  return v;
}

/** Per-layer strides, one per conv width. */
export function stridesFor(label: string, strides: readonly unknown[], conv: readonly number[]): number[] {
  const s = positiveInts(label, 'strides', strides, conv.length);
  if (s.length !== conv.length) {
    throw new AlenError('BAD_CONFIG', `${label}: ${conv.length} conv widths but ${s.length} strides; give one stride per conv layer`);
  }
  return s;
}

/** Options both image nets share: channels, the conv stack, dropout, the last layer's init, a label. */
export interface ConvStackOptions {
  /** Channels of the image x (3 for RGB). */
  readonly inChannels: number;
  /** Channels of the output y per pixel (1 for a binary mask, K for K classes). */
  readonly outChannels: number;
  /** Conv widths, ReLU after each (default 64, 128, 128). */
  readonly conv?: readonly number[];
  /** One stride per conv layer (default 1, 2, 2); 'same' padding. */
  readonly strides?: readonly number[];
  /** Square kernel side of every layer (default 5). */
  readonly kernel?: number;
  /** Dropout rate while training; where it applies is the net's choice. */
  readonly dropout?: number;
  /** Initializer of the last layer's kernel (default 'glorot'; the others are He-normal). */
  readonly outInit?: Init;
  /** Names the net in error messages. */
  readonly label?: string;
}

/** Validates the shared options (BAD_CONFIG on nonsense) and fills in the defaults. */
export function resolveConvStack(o: ConvStackOptions, defaults: { label: string; dropout: number }) {
  const label = o.label ?? defaults.label;
  const widths = positiveInts(label, 'conv', o.conv ?? [64, 128, 128], 1);
  return {
    label,
    inChannels: positiveInt(label, 'inChannels', o.inChannels),
    outChannels: positiveInt(label, 'outChannels', o.outChannels),
    widths,
    strides: stridesFor(label, o.strides ?? [1, 2, 2], widths),
    kernel: positiveInt(label, 'kernel', o.kernel ?? 5),
    dropout: dropoutRate(label, 'dropout', o.dropout ?? defaults.dropout),
    outInit: o.outInit ?? 'glorot',
  };
}

export type ConvStack = ReturnType<typeof resolveConvStack>;

/** The conv layers `conv1..convN` of a stack taking `inChannels` channels in. */
export function convLayers(params: ParamStore, s: ConvStack, inChannels: number): Array<(x: tf.Tensor4D) => tf.Tensor4D> {
  return s.widths.map((c, i) => conv2d(params, `conv${i + 1}`, s.kernel, i === 0 ? inChannels : s.widths[i - 1]!, c, { stride: s.strides[i] }));
}
