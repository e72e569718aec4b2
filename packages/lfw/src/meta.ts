import type { Dataset } from '@alen/core';
import type { SuperpixelSource } from './superpixels.js';

/** What an LFW `Dataset.meta` holds for the full-resolution metrics. */
export interface LfwMeta {
  /** size · 250·250 class indices (0 hair, 1 face, 2 background), row-major per image. */
  readonly classMaps: Uint8Array;
  readonly fullSize: number;
  readonly classNames: readonly string[];
  /** Present when the superpixel files of the release were found. */
  readonly superpixels?: SuperpixelSource;
}

export function lfwMeta(data: Dataset): LfwMeta | undefined {
  const m = data.meta as Partial<LfwMeta> | undefined;
  if (!m || !(m.classMaps instanceof Uint8Array) || typeof m.fullSize !== 'number') return undefined;
  return m as LfwMeta;
}
