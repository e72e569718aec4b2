import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/alen.js', import.meta.url));
const run = (file: string, args: string[]) => spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('the alen binary (bin/alen.js, what npm links)', () => {
  it('is the file package.json declares', () => {
    const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(path.resolve(path.dirname(BIN), '..', pkg.bin.alen!)).toBe(BIN);
    expect(pkg.files).toContain('bin');
  });

  it('runs the built CLI', () => {
    const r = run(BIN, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/alen train/);
  });

  it('without a build, says to build and exits non-zero', () => {
    const dir = tmpDir('alen-bin-');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(BIN, path.join(dir, 'bin', 'alen.js'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
    const r = run(path.join(dir, 'bin', 'alen.js'), ['tasks']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\[NOT_BUILT\].*dist.*cli\.js is missing.*npm run build/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
