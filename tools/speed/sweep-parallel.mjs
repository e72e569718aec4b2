#!/usr/bin/env node
// Do sweeps use both cores? Runs a 4-run `alen sweep` (2 configurations × 2 seeds of a short
// Bibtex DVN training) with --jobs 2 and compares its wall time with the sum of its runs' times.
// Target (issue 8): wall ≤ 0.6 × sum. Writes docs/results/speed/sweep.json and sweep.md. Usage:
//   node tools/speed/sweep-parallel.mjs [--jobs 2] [--out docs/results/speed]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flag, root } from './cli-args.mjs';
const jobs = Number(flag('--jobs', String(Math.min(2, os.cpus().length))));
const outDir = path.resolve(root, flag('--out', 'docs/results/speed'));
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alen-sweep-speed-'));
const cli = path.join(root, 'packages', 'cli', 'dist', 'cli.js');
const sweepArgs = ['sweep', '--task', 'bibtex', '--method', 'dvn', '--grid', 'lr=0.1,0.05', '--seeds', '0', '1', '--epochs', '3', '--jobs', String(jobs), '--out', runDir, '--quiet'];

const r = spawnSync(process.execPath, [cli, ...sweepArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (r.status !== 0) {
  console.error(`sweep failed (exit ${r.status})`);
  process.exit(1);
}
const sweep = JSON.parse(fs.readFileSync(path.join(runDir, 'sweep.json'), 'utf8'));
fs.rmSync(runDir, { recursive: true, force: true });
const ratio = sweep.wallSeconds / sweep.sumRunSeconds;
const report = {
  kind: 'sweep-parallel',
  generated: new Date().toISOString(),
  runs: 4,
  jobs,
  cores: os.cpus().length,
  wallSeconds: sweep.wallSeconds,
  sumRunSeconds: sweep.sumRunSeconds,
  ratio,
  target: 'wall ≤ 0.6 × sum of runs (issue 8)',
  met: ratio <= 0.6,
  command: `alen ${sweepArgs.filter((a) => a !== runDir && a !== '--out').join(' ')}`,
};
const md = [
  `A 4-run sweep (\`${report.command}\`) on ${report.cores} cores with --jobs ${jobs}: wall ${report.wallSeconds.toFixed(1)} s for ${report.sumRunSeconds.toFixed(1)} s of runs, ratio **${ratio.toFixed(2)}** (target ≤ 0.6: ${report.met ? 'met' : 'not met'}). ${report.generated}.`,
  '',
].join('\n');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'sweep.json'), JSON.stringify(report, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'sweep.md'), md);
console.log(md);
