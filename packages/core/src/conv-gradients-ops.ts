/**
 * Conv2D backward passes (NHWC, dilation 1) written with forward `tf.conv2d` calls, matMul, pack and
 * reshape only, so they run fast on backends whose backprop kernels are missing (wasm has no
 * Conv2DBackpropFilter) or slow (wasm's Conv2DBackpropInput, cpu's naive loops), and stay
 * differentiable. See STACK.md §2/§7. Every intermediate is disposed (tf.tidy).
 * wasm's reverse, stridedSlice, pad and 4-D transpose are slow (10–16 ms on a 5×5×128×128 filter),
 * hence filter taps picked by a one-hot matMul and padding passed to conv2d.
 */
import { tf } from './tf.js';

export type ConvPad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil';
type Shape4 = [number, number, number, number];

/** One spatial axis of a forward conv: stride, kernel size, leading padding, input and output lengths. */
interface Axis {
  s: number;
  k: number;
  pad: number;
  len: number;
  outLen: number;
}

function convAxes(xShape: Shape4, filterShape: Shape4, strides: number | [number, number], pad: ConvPad, rounding?: Rounding): [Axis, Axis] {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, rounding, false, 'channelsLast');
  return [
    { s: info.strideHeight, k: info.filterHeight, pad: info.padInfo.top, len: info.inHeight, outLen: info.outHeight },
    { s: info.strideWidth, k: info.filterWidth, pad: info.padInfo.left, len: info.inWidth, outLen: info.outWidth },
  ];
}

/**
 * Makes `t` cover rows [h0, h1) and columns [w0, w1) of itself (zeros outside): slices where the
 * range lies inside, and returns the remaining zero padding for conv2d's explicit padding.
 */
function cover(t: tf.Tensor4D, h0: number, h1: number, w0: number, w1: number): { t: tf.Tensor4D; pad: ConvPad } {
  const [n, H, W, c] = t.shape;
  const a0 = Math.min(Math.max(h0, 0), H), a1 = Math.max(Math.min(h1, H), a0);
  const b0 = Math.min(Math.max(w0, 0), W), b1 = Math.max(Math.min(w1, W), b0);
  if (a1 === a0 || b1 === b0) {
    return { t: tf.zeros([n, h1 - h0, w1 - w0, c]) as tf.Tensor4D, pad: 'valid' };
  }
  const inner = a0 === 0 && a1 === H && b0 === 0 && b1 === W ? t : tf.slice(t, [0, a0, b0, 0], [n, a1 - a0, b1 - b0, c]);
  const p: [number, number, number, number] = [a0 - h0, h1 - a1, b0 - w0, w1 - b1];
  if (p.every((v) => v === 0)) return { t: inner, pad: 'valid' };
  return { t: inner, pad: [[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]] };
}

/**
 * d(loss)/d(filter) of `conv2d(x, filter, strides, pad)` given `dy`: one forward conv whose batch is
 * the input channels and whose contraction runs over batch × output positions (dilation = stride).
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: ConvPad,
  rounding?: Rounding,
): tf.Tensor4D {
  const [ah, aw] = convAxes(x.shape, filterShape, strides, pad, rounding);
  return tf.tidy(() => {
    // The padded input rows the forward conv read: -pad .. (outLen - 1) * s + k - pad.
    const end = (a: Axis) => (a.outLen - 1) * a.s + a.k - a.pad;
    const xs = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
    const c = cover(xs, -ah.pad, end(ah), -aw.pad, end(aw));
    const dyf = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, Co] as a filter
    const g = tf.conv2d(c.t, dyf, 1, c.pad, 'NHWC', [ah.s, aw.s]); // [Ci, kh, kw, Co]
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

/**
 * Input residue r (row h = q*s + r of the unpadded input) on one axis: it is padded row
 * h + pad = (q + shift)*s + phase, fed by filter taps phase, phase + s, ... (`taps` of them).
 */
interface Residue {
  phase: number;
  shift: number;
  taps: number;
}

function residue(a: Axis, r: number): Residue {
  const phase = (r + a.pad) % a.s;
  return { phase, shift: Math.floor((r + a.pad) / a.s), taps: Math.max(0, Math.ceil((a.k - phase) / a.s)) };
}

/**
 * d(loss)/d(x) of `conv2d(x, filter, strides, pad)` given `dy`: for each of the stride² residues of
 * the input position, a stride-1 conv of dy with the matching reversed sub-filter (in/out swapped);
 * the residues are interleaved with stack + reshape. Row h = q*s + r gets
 * Σ_m dy[q + shift - m] · W[phase + m*s], a correlation with the taps in reverse order.
 */
export function conv2dInputGrad(
  xShape: Shape4,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: ConvPad,
  rounding?: Rounding,
): tf.Tensor4D {
  const [ah, aw] = convAxes(xShape, filter.shape, strides, pad, rounding);
  const [n, , , ci] = xShape;
  const [kh, kw, , co] = filter.shape;
  const Qh = Math.ceil(ah.len / ah.s), Qw = Math.ceil(aw.len / aw.s);
  return tf.tidy(() => {
    const flat = tf.reshape(filter, [kh * kw, ci * co]) as tf.Tensor2D;
    const rows: tf.Tensor4D[] = [];
    for (let r = 0; r < ah.s; r++) {
      const cols: tf.Tensor4D[] = [];
      for (let c = 0; c < aw.s; c++) {
        const h = residue(ah, r), w = residue(aw, c);
        if (h.taps === 0 || w.taps === 0) {
          cols.push(tf.zeros([n, Qh, Qw, ci]) as tf.Tensor4D);
          continue;
        }
        // Correlation tap (i, j) is filter tap (phase + (taps-1-i)*s, ...): picked by a one-hot matMul.
        const pick = new Float32Array(h.taps * w.taps * kh * kw);
        for (let i = 0; i < h.taps; i++) {
          for (let j = 0; j < w.taps; j++) {
            const src = (h.phase + (h.taps - 1 - i) * ah.s) * kw + (w.phase + (w.taps - 1 - j) * aw.s);
            pick[(i * w.taps + j) * kh * kw + src] = 1;
          }
        }
        const sub = tf.matMul(tf.tensor2d(pick, [h.taps * w.taps, kh * kw]), flat);
        const f = tf.reshape(tf.transpose(tf.reshape(sub, [h.taps * w.taps, ci, co]), [0, 2, 1]), [h.taps, w.taps, co, ci]) as tf.Tensor4D;
        const d = cover(dy, h.shift - (h.taps - 1), h.shift + Qh, w.shift - (w.taps - 1), w.shift + Qw);
        cols.push(tf.conv2d(d.t, f, 1, d.pad));
      }
      rows.push(aw.s === 1 ? cols[0] : (tf.reshape(tf.stack(cols, 3), [n, Qh, Qw * aw.s, ci]) as tf.Tensor4D));
    }
    const full = ah.s === 1 ? rows[0] : (tf.reshape(tf.stack(rows, 2), [n, Qh * ah.s, Qw * aw.s, ci]) as tf.Tensor4D);
    if (Qh * ah.s === ah.len && Qw * aw.s === aw.len) return full;
    return tf.slice(full, [0, 0, 0, 0], [n, ah.len, aw.len, ci]);
  });
}
