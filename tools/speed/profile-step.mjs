#!/usr/bin/env node
// Where a step's time goes: runs speed workloads (tools/speed/workloads.mjs) and prints each one's
// median step time and, with --profile, its kernels by time per step (tf.profile). Usage:
//   node tools/speed/profile-step.mjs [workload ...] [--profile] [--backend wasm] [--reps 20] [--json]
import { useBackend } from '@alen/core';
import { WORKLOADS, defaultDataDir } from './workloads.mjs';
import { flag, has, positional, root } from './cli-args.mjs';

const names = positional(['--backend', '--reps']);
for (const n of names) {
  if (!WORKLOADS[n]) {
    console.error(`unknown workload '${n}'; choose one of ${Object.keys(WORKLOADS).join(', ')}`);
    process.exit(2);
  }
}
const profile = has('--profile');
const asJson = has('--json');
const backend = await useBackend(flag('--backend'));
const dataDir = defaultDataDir(root);

for (const n of names.length ? names : Object.keys(WORKLOADS)) {
  const w = WORKLOADS[n];
  const r = await w.run(dataDir, { warmup: 3, reps: Number(flag('--reps') ?? (profile ? 5 : 20)), profile });
  if (asJson) {
    console.log(JSON.stringify({ workload: n, backend: backend.name, ...r }));
    continue;
  }
  console.log(`${n} on ${backend.name}: ${r.medianMs.toFixed(2)} ms median step (${w.what})`);
  if (!r.kernels) continue;
  const total = r.kernels.reduce((s, k) => s + k.ms, 0);
  const calls = r.kernels.reduce((s, k) => s + k.calls, 0);
  console.log(`  ${calls.toFixed(0)} kernels per step, ${total.toFixed(2)} ms inside them; the rest is dispatch, tape and JS`);
  console.log('  ' + 'kernel'.padEnd(28) + 'calls/step'.padStart(11) + 'ms/step'.padStart(10));
  for (const k of r.kernels.slice(0, 20)) console.log('  ' + k.name.padEnd(28) + k.calls.toFixed(1).padStart(11) + k.ms.toFixed(2).padStart(10));
}
