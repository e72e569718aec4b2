/**
 * Bilinear upsampling of soft class maps followed by a per-pixel argmax. Sampling uses half-pixel
 * centres (as `tf.image.resizeBilinear(..., halfPixelCenters=true)`, OpenCV INTER_LINEAR, PIL):
 * output pixel o maps to source coordinate (o + 0.5)·in/out − 0.5, clamped to the image, and the
 * four neighbouring soft vectors are blended. Ties go to the lower class index.
 */

interface Axis {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly f: Float64Array;
}

function axis(inSize: number, outSize: number): Axis {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  const s = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const c = Math.min(Math.max((o + 0.5) * s - 0.5, 0), inSize - 1);
    const a = Math.floor(c);
    i0[o] = a;
    i1[o] = Math.min(a + 1, inSize - 1);
    f[o] = c - a;
  }
  return { i0, i1, f };
}

/**
 * Upsamples the soft map `soft[offset ..]` ([inH][inW][C]) to [outH][outW] class indices.
 */
export function upsampleArgmax(
  soft: Float32Array,
  offset: number,
  inH: number,
  inW: number,
  C: number,
  outH: number,
  outW: number,
  out: Uint8Array = new Uint8Array(outH * outW),
): Uint8Array {
  const ay = axis(inH, outH);
  const ax = axis(inW, outW);
  const v = new Float64Array(C);
  for (let y = 0; y < outH; y++) {
    const r0 = offset + ay.i0[y]! * inW * C;
    const r1 = offset + ay.i1[y]! * inW * C;
    const fy = ay.f[y]!;
    for (let x = 0; x < outW; x++) {
      const c0 = ax.i0[x]! * C;
      const c1 = ax.i1[x]! * C;
      const fx = ax.f[x]!;
      const w00 = (1 - fy) * (1 - fx);
      const w01 = (1 - fy) * fx;
      const w10 = fy * (1 - fx);
      const w11 = fy * fx;
      let best = 0;
      for (let k = 0; k < C; k++) {
        v[k] = w00 * soft[r0 + c0 + k]! + w01 * soft[r0 + c1 + k]! + w10 * soft[r1 + c0 + k]! + w11 * soft[r1 + c1 + k]!;
        if (v[k]! > v[best]!) best = k;
      }
      out[y * outW + x] = best;
    }
  }
  return out;
}

/** Argmax over the last axis of each [C] vector (ties → lower index). */
export function argmaxMap(soft: Float32Array, offset: number, pixels: number, C: number, out = new Uint8Array(pixels)): Uint8Array {
  for (let p = 0; p < pixels; p++) {
    const o = offset + p * C;
    let best = 0;
    for (let k = 1; k < C; k++) if (soft[o + k]! > soft[o + best]!) best = k;
    out[p] = best;
  }
  return out;
}
