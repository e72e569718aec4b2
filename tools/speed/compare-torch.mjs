#!/usr/bin/env node
// Speed against PyTorch on this machine, in one run: the project's workloads (tools/speed/
// workloads.mjs) and the PyTorch CPU peers of ../shared/peers, both on one thread, medians after
// warm-up. Writes docs/results/speed/torch.json and torch.md (tools/results-report.mjs puts them
// into docs/results.md). Usage:
//   node tools/speed/compare-torch.mjs [--backend wasm] [--out docs/results/speed] [--only a,b] [--rounds 3]
// --rounds N alternates the two sides N times per workload and reports the median of the N ratios
// (with their range): on a noisy machine one round can be off by a third.
// Without Debian's python3-torch the PyTorch side is skipped with the command that installs it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useBackend } from '@alen/core';
import { WORKLOADS, defaultDataDir, median } from './workloads.mjs';
import { flag, root } from './cli-args.mjs';
const outDir = path.resolve(root, flag('--out', 'docs/results/speed'));
const only = flag('--only')?.split(',');
const rounds = Math.max(1, Number(flag('--rounds', '1')) || 1);
const peersDir = path.resolve(root, '..', 'shared', 'peers');
const python = process.env.ALEN_TORCH_PYTHON ?? '/usr/bin/python3';
const THREADS = 1;

/** Each comparison: our workload, the peer command, how to read the peer's milliseconds. */
const GEMM_PEER = [
  '-c',
  "import os,time,statistics,json,torch; torch.set_num_threads(1); a=torch.rand(512,512); b=torch.rand(512,512)\n" +
    "def f():\n  c=(b+0); return a@c\n" +
    "[f() for _ in range(3)]\nts=[]\nfor _ in range(20):\n  t=time.perf_counter(); f(); ts.append(1000*(time.perf_counter()-t))\n" +
    "print(json.dumps(dict(gemm_ms=statistics.median(ts))))",
];

const COMPARISONS = [
  {
    id: 'gemm-512',
    what: 'one 512³ matrix product (the backends\' compute ceiling)',
    ours: 'gemm-512',
    peer: GEMM_PEER,
    inline: true,
    reference: true,
    peerMs: (lines) => lines.at(-1).gemm_ms,
  },
  {
    id: 'bibtex-dvn-epoch',
    what: 'DVN Bibtex training epoch (batch 20, tuple generation + SGD)',
    ours: 'bibtex-dvn-epoch',
    peer: ['dvn_bibtex_torch.py', '--epochs-scale', '0.02', '--val-every', '1000', '--threads', String(THREADS)],
    // Per-epoch times after the first epoch; the peer's epochs are full passes like ours.
    peerMs: (lines) => median(lines.filter((l) => l.event === 'epoch' && l.data === 'split95').slice(1).map((l) => l.wall_s * 1000)),
  },
  {
    id: 'bibtex-alen-epoch',
    what: 'ALEN Bibtex training epoch (batch 32, T = 3, g and v updates)',
    ours: 'bibtex-alen-epoch',
    peer: ['alen_bibtex_torch.py', '--epochs', '4', '--T', '3', '--eta', '0.5', '--v-out', 'sigmoid', '--g-dropout', '0.5', '--threads', String(THREADS)],
    peerMs: (lines) => median(lines.filter((l) => l.event === 'epoch').slice(1).map((l) => l.train_s * 1000)),
  },
  {
    id: 'weizmann-value-train-step',
    what: 'Weizmann value net train step, batch 32 (forward, backward, Adam)',
    ours: 'weizmann-value-train-step',
    peer: ['seg_step_torch.py', '--threads', String(THREADS), '--reps', '20'],
    peerMs: (lines) => lines.at(-1).train_step_ms_median_min_max[0],
  },
  {
    id: 'weizmann-value-input-grad',
    what: 'Weizmann value net d sigmoid(v)/d mask, batch 32',
    ours: 'weizmann-value-input-grad',
    peer: ['seg_step_torch.py', '--threads', String(THREADS), '--reps', '20'],
    peerMs: (lines) => lines.at(-1).input_grad_ms_median_min_max[0],
  },
];

function torchAvailable() {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const peerCache = new Map();
function runPeer(argv, round) {
  const key = `${round} ${argv.join(' ')}`;
  if (peerCache.has(key)) return peerCache.get(key);
  const script = argv[0] === '-c' ? argv : [path.join(peersDir, argv[0]), ...argv.slice(1)];
  const r = spawnSync(python, script, {
    cwd: peersDir,
    encoding: 'utf8',
    // One BLAS thread, and OpenMP threads that sleep when idle (peers/README.md's thread trap).
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(THREADS), OMP_NUM_THREADS: String(THREADS), OMP_WAIT_POLICY: 'PASSIVE' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`peer ${key} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  peerCache.set(key, lines);
  return lines;
}

const backend = await useBackend(flag('--backend'));
const torch = torchAvailable();
if (!torch) {
  console.error(`PyTorch not found for ${python}: install it with 'apt-get install -y python3-torch python3-sklearn python3-numpy' (see ../shared/peers/README.md); measuring this project's side only.`);
}
const dataDir = defaultDataDir(root);
const rows = [];
for (const c of COMPARISONS) {
  if (only && !only.includes(c.id)) continue;
  const oursRuns = [];
  const peerRuns = [];
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`${c.id}${rounds > 1 ? ` round ${round + 1}/${rounds}` : ''}: ours… `);
    const o = await WORKLOADS[c.ours].run(dataDir, { warmup: 3, reps: 20 });
    oursRuns.push(o);
    if (torch) {
      process.stderr.write('PyTorch… ');
      peerRuns.push(c.peerMs(runPeer(c.peer, round)));
    }
    process.stderr.write(`${o.medianMs.toFixed(1)} ms vs ${peerRuns.at(-1)?.toFixed(1) ?? '–'} ms\n`);
  }
  const ours = { ...oursRuns[0], medianMs: median(oursRuns.map((o) => o.medianMs)), minMs: Math.min(...oursRuns.map((o) => o.minMs)) };
  const peerMs = peerRuns.length ? median(peerRuns) : null;
  const ratios = peerRuns.map((p, i) => oursRuns[i].medianMs / p);
  const ratio = ratios.length ? median(ratios) : null;
  rows.push({
    id: c.id, what: c.what, reference: !!c.reference, oursMs: ours.medianMs, oursMinMs: ours.minMs, oursReps: ours.reps, torchMs: peerMs, ratio,
    ...(rounds > 1 ? { rounds, ratioRange: ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : null } : {}),
    peerCommand: c.inline ? 'inline torch.mm (tools/speed/compare-torch.mjs)' : `OPENBLAS_NUM_THREADS=${THREADS} ${python} ../shared/peers/${c.peer.join(' ')}`,
    leakedTensors: ours.leakedTensors,
  });
}

const report = {
  kind: 'torch-comparison',
  generated: new Date().toISOString(),
  backend: backend.name,
  threads: THREADS,
  torch,
  hardware: `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  loadAverage: os.loadavg()[0],
  target: 'ratio ≤ 3 (issue 8)',
  rows,
};
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'torch.json'), JSON.stringify(report, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'torch.md'), markdown(report));
console.log(markdown(report));

function markdown(r) {
  const fmt = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    `Backend ${r.backend}, ${r.threads} thread each side, PyTorch ${r.torch ?? 'not installed'}; ${r.hardware}; load average ${r.loadAverage.toFixed(2)} at the end; ${r.generated}.`,
    '',
    '| workload | this library ms | PyTorch ms | ratio | target ≤ 3× |',
    '| --- | --- | --- | --- | --- |',
    ...r.rows.map((x) => `| ${x.what} | ${fmt(x.oursMs)} | ${fmt(x.torchMs)} | ${x.ratio == null ? '–' : `${x.ratio.toFixed(2)}×${x.ratioRange ? ` (${x.ratioRange.map((v) => v.toFixed(2)).join('–')})` : ''}`} | ${x.ratio == null ? '–' : x.reference ? 'reference' : x.ratio <= 3 ? 'met' : 'not met'} |`),
    '',
    `Medians after warm-up (epochs: of epochs 2–4; steps: of 20 steps after 3)${r.rows[0]?.rounds ? `; ${r.rows[0].rounds} alternating rounds per workload, the ratio is the median of the rounds' ratios (their range in brackets)` : ''}. Reproduce: \`node tools/speed/compare-torch.mjs${r.rows[0]?.rounds ? ` --rounds ${r.rows[0].rounds}` : ''}\`.`,
    '',
  ];
  return lines.join('\n');
}
