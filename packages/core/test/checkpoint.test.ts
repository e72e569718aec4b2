import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  tf, useBackend, train, resolveHyperParams, saveCheckpoint, loadCheckpoint, predictDataset, evaluateModel,
  registerTask, unregisterTask, AlenError, CHECKPOINT_LAST, FINAL_MODEL, withInferenceSettings,
} from '../src/index.js';
import { syntheticData, syntheticTask, hooks } from './fixtures/synthetic-task.js';

const task = syntheticTask('synthetic-ckpt');
const data = syntheticData({ train: 300, val: 100, test: 100 });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'alen-ckpt-'));

function snapshotFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  await useBackend('wasm');
  registerTask(task);
  return () => unregisterTask(task.name);
});

describe('checkpoints', () => {
  it('save → load gives identical predictions (ALEN and DVN)', async () => {
    for (const method of ['alen', 'dvn'] as const) {
      const hp = resolveHyperParams(task, method, { epochs: 2 });
      const res = await train({ task, method, hp, data, seed: 5 });
      const dir = path.join(tmp(), 'ck');
      await saveCheckpoint(dir, res.model);
      expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(true);
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      const loaded = await loadCheckpoint(dir);
      const a = await predictDataset(res.model, data.test);
      const b = await predictDataset(loaded.model, data.test);
      expect(Buffer.from(b.pred.buffer).equals(Buffer.from(a.pred.buffer))).toBe(true);
    }
  });

  it('a trained model predicts with other inference settings, and refuses training ones', async () => {
    const hp = resolveHyperParams(task, 'dvn', { epochs: 2 });
    const { model } = await train({ task, method: 'dvn', hp, data, seed: 5 });
    const base = await predictDataset(model, data.test);
    const again = await predictDataset(withInferenceSettings(model, { dvnSteps: hp.dvnSteps }), data.test);
    expect(Buffer.from(again.pred.buffer).equals(Buffer.from(base.pred.buffer))).toBe(true);
    const fewer = withInferenceSettings(model, { dvnSteps: 1, ascentNorm: 'feasible' });
    expect(fewer.hp.dvnSteps).toBe(1);
    expect(fewer.energy).toBe(model.energy);
    const other = await predictDataset(fewer, data.test);
    expect(Buffer.from(other.pred.buffer).equals(Buffer.from(base.pred.buffer))).toBe(false);
    expect(model.hp.dvnSteps).toBe(hp.dvnSteps);
    expect(() => withInferenceSettings(model, { lr: 0.1 })).toThrow(/lr: not an inference setting/);
    expect(() => withInferenceSettings(model, { dvnEta: -1 })).toThrow(/dvnEta must be a finite number/);
  });

  it('a format-1 checkpoint (dense kernels stored [in, out]) loads into the [out, in] layout', async () => {
    const hp = resolveHyperParams(task, 'alen', { epochs: 1 });
    const res = await train({ task, method: 'alen', hp, data, seed: 3 });
    const dir = path.join(tmp(), 'ck');
    await saveCheckpoint(dir, res.model);
    const dense = new Set(['energy', 'inference'].flatMap((role) => (res.model[role as 'energy' | 'inference']?.params.params ?? []).filter((p) => p.denseKernel).map((p) => `${role}/${p.name}`)));
    expect(dense.size).toBeGreaterThan(0);
    // Rewrite the folder as format 1 wrote it: those kernels transposed, in the manifest and the data.
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
    const floats = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4).slice();
    let offset = 0;
    for (const w of json.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (dense.has(w.name)) {
        const [rows, cols] = w.shape as [number, number];
        const src = floats.slice(offset, offset + n);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) floats[offset + c * rows + r] = src[r * cols + c]!;
        w.shape = [cols, rows];
      }
      offset += n;
    }
    json.formatVersion = 1;
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(floats.buffer));
    const loaded = await loadCheckpoint(dir);
    const a = await predictDataset(res.model, data.test);
    const b = await predictDataset(loaded.model, data.test);
    expect(Buffer.from(b.pred.buffer).equals(Buffer.from(a.pred.buffer))).toBe(true);
  });

  it('an interrupted run resumed from its last checkpoint ends at the same metrics as an uninterrupted run', async () => {
    // dvnReplay: the replay buffer travels in the checkpoint, so the resumed run replays what the whole one did.
    // energyProposals crossfit: the cross-fitted nets and their optimizers travel in the checkpoint too.
    const cases = [['alen', {}], ['dvn', {}], ['alen', { emaDecay: 0.9 }], ['dvn', { dvnReplay: 6 }], ['alen-dvn', { dvnReplay: 6 }], ['alen', { energyProposals: 'crossfit' }]] as const;
    for (const [method, extra] of cases) {
      const hp = resolveHyperParams(task, method, { epochs: 4, arch: { dropout: 0.3 }, ...extra });
      const full = await train({ task, method, hp, data, seed: 11, runDir: tmp() });
      const dir = tmp();
      const cut = await train({ task, method, hp, data, seed: 11, runDir: dir, stopAfterEpoch: 2 });
      expect(cut.interrupted).toBe(true);
      expect(cut.history.length).toBe(2);
      const resumed = await train({ task, method, hp, data, seed: 11, runDir: dir, resume: true });
      expect(resumed.history.length).toBe(4);
      expect(resumed.history.map((h) => h.losses)).toEqual(full.history.map((h) => h.losses));
      expect(resumed.best).toEqual(full.best);
      expect(await evaluateModel(resumed.model, data.test)).toEqual(await evaluateModel(full.model, data.test));
      expect(fs.existsSync(path.join(dir, FINAL_MODEL, 'model.json'))).toBe(true);
    }
  });

  it('with emaDecay the averaged weights are validated and become the model, in memory and from checkpoints/best', async () => {
    const flat = (m: Awaited<ReturnType<typeof train>>['model']) => [...(m.energy?.params.variables ?? []), ...(m.inference?.params.variables ?? [])].map((v) => Array.from(v.dataSync()));
    const base = { epochs: 3, testStepsCandidates: undefined };
    const live = await train({ task, method: 'alen', hp: resolveHyperParams(task, 'alen', base), data, seed: 4 });
    for (const runDir of [undefined, tmp()]) {
      const avg = await train({ task, method: 'alen', hp: resolveHyperParams(task, 'alen', { ...base, emaDecay: 0.9 }), data, seed: 4, runDir });
      // The same training steps (the average does not feed back), other weights kept.
      expect(avg.history.map((h) => h.losses)).toEqual(live.history.map((h) => h.losses));
      expect(flat(avg.model)).not.toEqual(flat(live.model));
      expect(await evaluateModel(avg.model, data.val)).toEqual(avg.best!.metrics);
    }
  });

  it('validate: false trains without validation: the model is the last epoch\'s (its moving average with emaDecay)', async () => {
    const flat = (m: Awaited<ReturnType<typeof train>>['model']) => [...(m.energy?.params.variables ?? []), ...(m.inference?.params.variables ?? [])].map((v) => Array.from(v.dataSync()));
    const base = { epochs: 3, valEvery: 1 };
    const runDir = tmp();
    const last = await train({ task, method: 'alen', hp: resolveHyperParams(task, 'alen', base), data, seed: 6, runDir, validate: false });
    expect(last.best).toBeNull();
    expect(last.testStepsCurve).toBeUndefined();
    expect(last.history.every((h) => h.val === undefined)).toBe(true);
    expect(fs.existsSync(path.join(runDir, 'checkpoints', 'best'))).toBe(false);
    const ck = await loadCheckpoint(path.join(runDir, CHECKPOINT_LAST));
    expect(flat(last.model)).toEqual(flat(ck.model));
    const validated = await train({ task, method: 'alen', hp: resolveHyperParams(task, 'alen', base), data, seed: 6 });
    expect(validated.history.map((h) => h.losses)).toEqual(last.history.map((h) => h.losses));
    const avg = await train({ task, method: 'alen', hp: resolveHyperParams(task, 'alen', { ...base, emaDecay: 0.9 }), data, seed: 6, validate: false });
    expect(avg.history.map((h) => h.losses)).toEqual(last.history.map((h) => h.losses));
    expect(flat(avg.model)).not.toEqual(flat(last.model));
  });

  it('resumes a checkpoint written before a hyper-parameter existed only when the new one is at its default', async () => {
    const hp = resolveHyperParams(task, 'alen', { epochs: 2 });
    const dir = tmp();
    await train({ task, method: 'alen', hp, data, seed: 3, runDir: dir, stopAfterEpoch: 1 });
    const file = path.join(dir, CHECKPOINT_LAST, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete json.modelTopology.hp.hardV;
    fs.writeFileSync(file, JSON.stringify(json));
    await expect(train({ task, method: 'alen', hp: { ...hp, hardV: 0.5 }, data, seed: 3, runDir: dir, resume: true })).rejects.toThrow(/hyper-parameter hardV was undefined, now 0\.5/);
    const resumed = await train({ task, method: 'alen', hp, data, seed: 3, runDir: dir, resume: true });
    expect(resumed.history.length).toBe(2);
  });

  it('a model saved before a hyper-parameter existed loads with its core default and takes other inference settings', async () => {
    const hp = resolveHyperParams(task, 'dvn', { epochs: 1 });
    const res = await train({ task, method: 'dvn', hp, data, seed: 3 });
    const dir = path.join(tmp(), 'ck');
    await saveCheckpoint(dir, res.model);
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete json.modelTopology.hp.dvnContrastEpochs;
    fs.writeFileSync(file, JSON.stringify(json));
    const { model } = await loadCheckpoint(dir);
    expect(model.hp.dvnContrastEpochs).toBe(0);
    expect(withInferenceSettings(model, { dvnSteps: 1 }).hp.dvnSteps).toBe(1);
  });

  it('a checkpoint missing a file or holding a corrupt model.json is a clear error', async () => {
    const hp = resolveHyperParams(task, 'alen', { epochs: 1 });
    const res = await train({ task, method: 'alen', hp, data, seed: 1 });
    const dir = path.join(tmp(), 'ck');
    await saveCheckpoint(dir, res.model);
    fs.rmSync(path.join(dir, 'weights.bin'));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/missing weights\.bin/);
    await saveCheckpoint(dir, res.model);
    fs.writeFileSync(path.join(dir, 'model.json'), '{"format": "alen-model", "modelTo');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.json is not valid JSON/);
    await saveCheckpoint(dir, res.model);
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(10));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/weights\.bin has 10 bytes/);
    await expect(loadCheckpoint(path.join(dir, 'nope'))).rejects.toBeInstanceOf(AlenError);
  });

  it("a truncated method.bin (DVN's replay buffer) stops a resume with an error naming it, and the checkpoint stays", async () => {
    const hp = resolveHyperParams(task, 'dvn', { epochs: 3, dvnReplay: 4 });
    const dir = tmp();
    await train({ task, method: 'dvn', hp, data, seed: 2, runDir: dir, stopAfterEpoch: 1 });
    const file = path.join(dir, CHECKPOINT_LAST, 'method.bin');
    expect(fs.statSync(file).size).toBeGreaterThan(0);
    fs.truncateSync(file, 100);
    const before = snapshotFiles(dir);
    await expect(train({ task, method: 'dvn', hp, data, seed: 2, runDir: dir, resume: true })).rejects.toThrow(/method\.bin has 100 bytes/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it('NaN during training stops with an error naming the loss, and the last good checkpoint survives intact', async () => {
    const dir = tmp();
    const hp = resolveHyperParams(task, 'alen', { epochs: 3 });
    const cb = { onEpochEnd: (r: { epoch: number }) => { if (r.epoch === 1) hooks.corruptOracle = true; } };
    let before: Record<string, string> = {};
    const snap = { onEpochEnd: () => { before = snapshotFiles(path.join(dir, CHECKPOINT_LAST)); } };
    try {
      await expect(train({ task, method: 'alen', hp, data, seed: 2, runDir: dir, callbacks: [snap, cb] })).rejects.toThrow(/diverged in epoch 2: loss lossV is NaN/);
    } finally {
      hooks.corruptOracle = false;
    }
    expect(snapshotFiles(path.join(dir, CHECKPOINT_LAST))).toEqual(before);
    const ck = await loadCheckpoint(path.join(dir, CHECKPOINT_LAST));
    expect(ck.training?.epoch).toBe(1);
  });

  it('tensor count stays flat over many training steps', async () => {
    for (const extra of [{}, { energyProposals: 'crossfit' as const }]) {
      const hp = resolveHyperParams(task, 'alen', { epochs: 6, batchSize: 16, ...extra });
      const start = tf.memory().numTensors;
      const res = await train({ task, method: 'alen', hp, data, seed: 3, runDir: tmp() });
      const counts = res.history.map((h) => h.numTensors);
      expect(new Set(counts).size, JSON.stringify(extra)).toBe(1);
      // only the model's variables remain (the cross-fitted nets go when training ends)
      const vars = res.model.energy!.params.variables.length + res.model.inference!.params.variables.length;
      expect(tf.memory().numTensors - start).toBe(vars);
    }
  });
});
