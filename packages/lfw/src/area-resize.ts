/**
 * Exact area-averaging resize (the "box filter" / OpenCV INTER_AREA definition, for any ratio):
 * output pixel i along an axis covers the source interval [i·s, (i+1)·s) with s = in/out, and its
 * value is the mean of the source pixels weighted by how much of each lies inside that interval.
 * For 250 → 32, s = 7.8125: each output pixel averages a 7.8125 × 7.8125 window, with fractional
 * weights on the border rows/columns. The filter is separable, so rows and columns are done in turn.
 * Mass is preserved: Σ output × s_y·s_x = Σ input.
 */

export interface AxisWeights {
  /** First source index per output index. */
  readonly start: Int32Array;
  /** Weights per output index (normalised to sum to 1), source indices start, start+1, ... */
  readonly weights: Float64Array[];
}

const axisCache = new Map<string, AxisWeights>();

let scratch = new Float64Array(0);
/** A zeroed temporary buffer reused across calls (resizes run one at a time on the JS thread). */
function zeroed(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  const t = scratch.subarray(0, n);
  t.fill(0);
  return t;
}

export function areaWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}>${outSize}`;
  const hit = axisCache.get(key);
  if (hit) return hit;
  const s = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const lo = i * s;
    const hi = (i + 1) * s;
    const k0 = Math.floor(lo);
    const k1 = Math.min(inSize, Math.ceil(hi));
    const w = new Float64Array(k1 - k0);
    for (let k = k0; k < k1; k++) w[k - k0] = Math.max(0, Math.min(k + 1, hi) - Math.max(k, lo)) / s;
    start[i] = k0;
    weights.push(w);
  }
  const res = { start, weights };
  axisCache.set(key, res);
  return res;
}

/**
 * Area-averages an interleaved [h][w][c] image to [outH][outW][c], multiplying by `scale`
 * (e.g. 1/255). Writes into `out` at `outOffset` when given.
 */
export function areaResize(
  src: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  scale = 1,
  out: Float32Array = new Float32Array(outH * outW * c),
  outOffset = 0,
): Float32Array {
  const wx = areaWeights(w, outW);
  const wy = areaWeights(h, outH);
  // Columns first: tmp[y][j][ch].
  const tmp = zeroed(h * outW * c);
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let j = 0; j < outW; j++) {
      const k0 = wx.start[j]!;
      const ws = wx.weights[j]!;
      const t = (y * outW + j) * c;
      for (let q = 0; q < ws.length; q++) {
        const wt = ws[q]!;
        const s = row + (k0 + q) * c;
        for (let ch = 0; ch < c; ch++) tmp[t + ch] += wt * src[s + ch]!;
      }
    }
  }
  for (let i = 0; i < outH; i++) {
    const k0 = wy.start[i]!;
    const ws = wy.weights[i]!;
    for (let j = 0; j < outW; j++) {
      const o = outOffset + (i * outW + j) * c;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let q = 0; q < ws.length; q++) acc += ws[q]! * tmp[((k0 + q) * outW + j) * c + ch]!;
        out[o + ch] = acc * scale;
      }
    }
  }
  return out;
}

/**
 * Per-pixel class proportions of a class-index map after area averaging: for each output pixel,
 * the area-weighted fraction of each class inside its window. Every output pixel sums to 1.
 */
export function classProportions(
  classes: Uint8Array,
  h: number,
  w: number,
  numClasses: number,
  outH: number,
  outW: number,
  out: Float32Array = new Float32Array(outH * outW * numClasses),
  outOffset = 0,
): Float32Array {
  const K = numClasses;
  const wx = areaWeights(w, outW);
  const wy = areaWeights(h, outH);
  // Columns first, adding each source pixel's weight to its class: tmp[y][j][k].
  const tmp = zeroed(h * outW * K);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let j = 0; j < outW; j++) {
      const k0 = wx.start[j]!;
      const ws = wx.weights[j]!;
      const t = (y * outW + j) * K;
      for (let q = 0; q < ws.length; q++) tmp[t + classes[row + k0 + q]!] += ws[q]!;
    }
  }
  for (let i = 0; i < outH; i++) {
    const k0 = wy.start[i]!;
    const ws = wy.weights[i]!;
    for (let j = 0; j < outW; j++) {
      const o = outOffset + (i * outW + j) * K;
      let s = 0;
      for (let k = 0; k < K; k++) {
        let acc = 0;
        for (let q = 0; q < ws.length; q++) acc += ws[q]! * tmp[((k0 + q) * outW + j) * K + k]!;
        out[o + k] = acc;
        s += acc;
      }
      // Renormalise away float rounding so each pixel sums to 1 up to float32 precision.
      for (let k = 0; k < K; k++) out[o + k] = out[o + k]! / s;
    }
  }
  return out;
}
