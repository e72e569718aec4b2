import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { areaResize, areaWeights, classProportions } from '../src/area-resize.js';
import { readLabelMap } from '../src/label-map.js';
import { argmaxMap, upsampleArgmax } from '../src/upsample.js';
import { LFW } from './helpers.js';

describe('area-averaging resize', () => {
  it('250 → 32 windows: 7.8125 source pixels each, weights sum to 1, every source pixel fully used', () => {
    const w = areaWeights(250, 32);
    const used = new Float64Array(250);
    for (let i = 0; i < 32; i++) {
      const ws = w.weights[i]!;
      expect(ws.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      ws.forEach((v, q) => (used[w.start[i]! + q]! += v * 7.8125));
    }
    for (const u of used) expect(u).toBeCloseTo(1, 12);
    // Output 1 covers [7.8125, 15.625): pixel 7 contributes 0.1875, pixels 8..14 one each, 15 contributes 0.625.
    expect(w.start[1]).toBe(7);
    expect(Array.from(w.weights[1]!, (v) => v * 7.8125)).toEqual([0.1875, 1, 1, 1, 1, 1, 1, 1, 0.625]);
  });

  it('hand case 5 → 2 and integer case 4 → 2', () => {
    // Row [0, 10, 20, 30, 40]: output 0 = (0 + 10 + 0.5·20)/2.5 = 8, output 1 = (0.5·20 + 30 + 40)/2.5 = 32.
    expect(Array.from(areaResize([0, 10, 20, 30, 40], 1, 5, 1, 1, 2))).toEqual([8, 32]);
    const img = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    expect(Array.from(areaResize(img, 4, 4, 1, 2, 2))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('constant images stay constant; channels stay separate; mass is preserved', () => {
    const h = 250;
    const src = new Uint8Array(h * h * 3);
    for (let p = 0; p < h * h; p++) {
      src[3 * p] = 200;
      src[3 * p + 1] = p % 256;
      src[3 * p + 2] = 0;
    }
    const out = areaResize(src, h, h, 3, 32, 32, 1 / 255);
    let g = 0;
    for (let p = 0; p < 32 * 32; p++) {
      expect(out[3 * p]).toBeCloseTo(200 / 255, 6);
      expect(out[3 * p + 2]).toBe(0);
      g += out[3 * p + 1]!;
    }
    let gs = 0;
    for (let p = 0; p < h * h; p++) gs += src[3 * p + 1]!;
    expect(g * 7.8125 * 7.8125).toBeCloseTo(gs / 255, 1);
  });

  it('label proportions of a real image sum to 1 per pixel and match the full-resolution counts', async () => {
    const map = await readLabelMap(path.join(LFW, 'parts_lfw_funneled_gt_images', 'Inga_Hall_0001.ppm.gz'));
    const y = classProportions(map, 250, 250, 3, 32, 32);
    const tot = [0, 0, 0];
    for (let p = 0; p < 1024; p++) {
      const s = y[3 * p]! + y[3 * p + 1]! + y[3 * p + 2]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-6);
      for (let k = 0; k < 3; k++) {
        expect(y[3 * p + k]).toBeGreaterThanOrEqual(0);
        tot[k] += y[3 * p + k]!;
      }
    }
    const counts = tot.map((t) => t * 7.8125 * 7.8125);
    expect(counts[0]).toBeCloseTo(16725, 1);
    expect(counts[1]).toBeCloseTo(14485, 1);
    expect(counts[2]).toBeCloseTo(31290, 1);
    // The top-left 32×32 cell (source [0, 7.8125)²) is all background in this image.
    expect(Array.from(y.subarray(0, 3))).toEqual([0, 0, 1]);
  });
});

describe('bilinear upsampling + argmax', () => {
  it('half-pixel centres: 2 → 4 blends 3:1 and ties go to the lower class', () => {
    // 1×2 map: left pixel class 0, right pixel class 1 (one-hot over 2 classes).
    const soft = new Float32Array([1, 0, 0, 1]);
    // Output x=0,1 map to -0.25→0 (clamped), 0.25 → left; x=2,3 → 0.75, 1.25→1 → right.
    expect(Array.from(upsampleArgmax(soft, 0, 1, 2, 2, 1, 4))).toEqual([0, 0, 1, 1]);
    // 1 → 3 output with equal soft values: tie → class 0.
    expect(Array.from(upsampleArgmax(new Float32Array([0.5, 0.5]), 0, 1, 1, 2, 1, 3))).toEqual([0, 0, 0]);
    // A 3-class soft pixel pair where blending decides: 0.6·[0.9,0.1,0] + 0.4·[0,0.2,0.8] → class 0.
    const s3 = new Float32Array([0.9, 0.1, 0, 0, 0.2, 0.8]);
    const up = upsampleArgmax(s3, 0, 1, 2, 3, 1, 5);
    // Output x → source (x + 0.5)·0.4 − 0.5: 0 → -0.3 (0), 1 → 0.1, 2 → 0.5, 3 → 0.9, 4 → 1.3 (1).
    // x=2: 0.5·[0.9,0.1,0] + 0.5·[0,0.2,0.8] = [0.45, 0.15, 0.4] → 0; x=3: [0.09, 0.19, 0.72] → 2.
    expect(Array.from(up)).toEqual([0, 0, 0, 2, 2]);
  });

  it('32 → 250 of a one-hot 32×32 map keeps constant regions', () => {
    const soft = new Float32Array(32 * 32 * 3);
    for (let p = 0; p < 1024; p++) soft[3 * p + (p % 32 < 16 ? 0 : 2)] = 1;
    const up = upsampleArgmax(soft, 0, 32, 32, 3, 250, 250);
    for (let y = 0; y < 250; y += 17) {
      expect(up[y * 250 + 10]).toBe(0);
      expect(up[y * 250 + 240]).toBe(2);
    }
    expect(Array.from(argmaxMap(new Float32Array([0.2, 0.5, 0.3, 0.4, 0.4, 0.2]), 0, 2, 3))).toEqual([1, 0]);
  });
});
