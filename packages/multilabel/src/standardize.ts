/**
 * Per-feature z-scoring as the DVN reference does it: mean and population standard deviation
 * (numpy's default `ddof=0`) of the training rows, plus 1e-6 on the deviation.
 * Plain number arrays so the statistics serialize into a checkpoint's JSON unchanged.
 */
export interface Standardization {
  readonly mean: readonly number[];
  /** std + 1e-6: the divisor. */
  readonly scale: readonly number[];
}

export const STD_EPSILON = 1e-6;

/** Statistics of the n × F row-major matrix `x` (accumulated in float64). */
export function standardizationOf(x: Float32Array, n: number, F: number): Standardization {
  const sum = new Float64Array(F);
  for (let r = 0; r < n; r++) {
    const o = r * F;
    for (let c = 0; c < F; c++) sum[c]! += x[o + c]!;
  }
  const mean = Array.from(sum, (s) => (n > 0 ? s / n : 0));
  const sq = new Float64Array(F);
  for (let r = 0; r < n; r++) {
    const o = r * F;
    for (let c = 0; c < F; c++) {
      const d = x[o + c]! - mean[c]!;
      sq[c]! += d * d;
    }
  }
  const scale = Array.from(sq, (s) => (n > 0 ? Math.sqrt(s / n) : 0) + STD_EPSILON);
  return { mean, scale };
}

/** z-scores `x` (n × F, row-major) in place. */
export function applyStandardization(x: Float32Array, F: number, st: Standardization): void {
  if (st.mean.length !== F || st.scale.length !== F) {
    throw new RangeError(`standardization has ${st.mean.length} features, data has ${F}`);
  }
  const mean = Float64Array.from(st.mean);
  const inv = Float64Array.from(st.scale, (s) => 1 / s);
  const n = x.length / F;
  for (let r = 0; r < n; r++) {
    const o = r * F;
    for (let c = 0; c < F; c++) x[o + c] = (x[o + c]! - mean[c]!) * inv[c]!;
  }
}
