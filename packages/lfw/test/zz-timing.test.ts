import { it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLfw } from '../src/load.js';

const dataDir = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

it('full load timing', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lfw-timing-'));
  const log = (m: string) => console.log(m);
  let t = Date.now();
  const a = await loadLfw({ dataDir, cacheDir, log });
  const first = Date.now() - t;
  t = Date.now();
  const b = await loadLfw({ dataDir, cacheDir, log });
  const second = Date.now() - t;
  console.log({ first, second, sizes: fs.readdirSync(cacheDir).map((f) => [f, fs.statSync(path.join(cacheDir, f)).size]) });
  for (const s of ['train', 'val', 'test'] as const) {
    const d = a[s];
    const frac = [0, 0, 0];
    for (let i = 0; i < d.y.length; i++) frac[i % 3] += d.y[i]!;
    console.log(s, d.size, frac.map((f) => (f / (d.y.length / 3)).toFixed(4)));
    expect(Buffer.from(b[s].x.buffer).equals(Buffer.from(d.x.buffer))).toBe(true);
    expect(Buffer.from(b[s].y.buffer).equals(Buffer.from(d.y.buffer))).toBe(true);
  }
  fs.rmSync(cacheDir, { recursive: true });
}, 600_000);
