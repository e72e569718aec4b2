import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from './tf.js';
import type { HyperParams, MethodName } from './types.js';
import { createModel, type Model } from './model.js';
import { getTask } from './registry.js';
import { CORE_DEFAULTS, assertMethod } from './hyperparams.js';
import { AlenError } from './errors.js';
import { Rng, type RngState } from './rng.js';
import { resolveAtomicDir, writeDirAtomic } from './fs-atomic.js';
import type { NamedTensor, NetOptimizer } from './optim.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const TRAINING_FILE = 'training.json';
export const OPTIMIZER_FILE = 'optimizer.bin';
export const METHOD_STATE_FILE = 'method.bin';
const FORMAT = 'alen-model';
/** 2: dense kernels stored [out, in]; format-1 files ([in, out]) are converted on load. */
const FORMAT_VERSION = 2;

/** The `modelTopology` of model.json: everything needed to rebuild the networks. */
export interface ModelTopology {
  readonly task: string;
  readonly method: MethodName;
  readonly xShape: readonly number[];
  readonly yShape: readonly number[];
  readonly hp: HyperParams;
  /** Task-specific data needed at predict time (e.g. feature standardization statistics). */
  readonly taskState?: Record<string, unknown>;
}

/** Trainer state saved beside the weights so a run can resume exactly. */
export interface TrainingState {
  /** Last completed epoch (1-based). */
  readonly epoch: number;
  readonly seed: number;
  readonly rng: RngState;
  readonly best: { epoch: number; metrics: Record<string, number> } | null;
  readonly history: readonly Record<string, unknown>[];
  readonly trainSeconds: number;
  readonly steps: number;
  readonly backend: string;
  readonly optimizer?: Record<string, tf.io.WeightsManifestEntry[]>;
  /** The method's own state in method.bin (DVN's replay buffer); absent when it keeps none. */
  readonly methodState?: tf.io.WeightsManifestEntry[];
}

function roleParams(model: Model) {
  return [
    ['energy', model.energy?.params],
    ['inference', model.inference?.params],
  ] as const;
}

async function encodeNamed(tensors: NamedTensor[]) {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { data: new Uint8Array(data), specs };
}

/**
 * Saves a model (and, when given, the trainer and optimizer state) in TensorFlow.js's artifact
 * layout: model.json (topology + weightsManifest) and weights.bin; written atomically.
 */
export async function saveCheckpoint(
  dir: string,
  model: Model,
  extra?: {
    training?: TrainingState;
    optimizers?: Record<string, NetOptimizer | undefined>;
    methodState?: NamedTensor[];
    taskState?: Record<string, unknown>;
  },
): Promise<void> {
  const named: NamedTensor[] = [];
  for (const [role, store] of roleParams(model)) {
    if (store) for (const p of store.params) named.push({ name: `${role}/${p.name}`, tensor: p.variable });
  }
  const weights = await encodeNamed(named);
  let optimizer: { data: Uint8Array; manifest: Record<string, tf.io.WeightsManifestEntry[]> } | undefined;
  if (extra?.optimizers) {
    const all: NamedTensor[] = [];
    const counts: Record<string, number> = {};
    for (const [role, opt] of Object.entries(extra.optimizers)) {
      if (!opt) continue;
      const w = opt.getState();
      counts[role] = w.length;
      all.push(...w.map((t, i) => ({ name: `${role}/${i}/${t.name}`, tensor: t.tensor })));
    }
    const enc = await encodeNamed(all);
    tf.dispose(all.filter((t) => t.name.endsWith('/step')).map((t) => t.tensor));
    const manifest: Record<string, tf.io.WeightsManifestEntry[]> = {};
    let k = 0;
    for (const [role, n] of Object.entries(counts)) {
      manifest[role] = enc.specs.slice(k, k + n);
      k += n;
    }
    optimizer = { data: enc.data, manifest };
  }
  const methodState = extra?.methodState?.length ? await encodeNamed(extra.methodState) : undefined;
  const topology: ModelTopology = {
    task: model.task.name,
    method: model.method,
    xShape: model.xShape,
    yShape: model.yShape,
    hp: model.hp,
    taskState: extra?.taskState,
  };
  const modelJson = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    generatedBy: '@alen/core',
    modelTopology: topology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weights.specs }],
  };
  await writeDirAtomic(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, WEIGHTS_FILE), weights.data);
    fs.writeFileSync(path.join(tmp, MODEL_FILE), JSON.stringify(modelJson, null, 1));
    if (extra?.training) {
      if (optimizer) fs.writeFileSync(path.join(tmp, OPTIMIZER_FILE), optimizer.data);
      if (methodState) fs.writeFileSync(path.join(tmp, METHOD_STATE_FILE), methodState.data);
      const training = { ...extra.training, optimizer: optimizer?.manifest, methodState: methodState?.specs };
      fs.writeFileSync(path.join(tmp, TRAINING_FILE), JSON.stringify(training, null, 1));
    }
  });
}

function bad(dir: string, what: string): AlenError {
  return new AlenError('BAD_CHECKPOINT', `checkpoint ${dir}: ${what}`);
}

function readJson(dir: string, file: string): Record<string, unknown> {
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) throw bad(dir, `missing ${file}`);
  try {
    const v = JSON.parse(fs.readFileSync(p, 'utf8'));
    if (v === null || typeof v !== 'object') throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw bad(dir, `${file} is not valid JSON (${(e as Error).message})`);
  }
}

function readWeights(dir: string, file: string, specs: tf.io.WeightsManifestEntry[]): tf.NamedTensorMap {
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) throw bad(dir, `missing ${file}`);
  const buf = fs.readFileSync(p);
  const expected = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (buf.byteLength !== expected) throw bad(dir, `${file} has ${buf.byteLength} bytes, the manifest describes ${expected}`);
  try {
    return tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  } catch (e) {
    throw bad(dir, `${file} cannot be decoded (${(e as Error).message})`);
  }
}

export interface LoadedCheckpoint {
  readonly model: Model;
  readonly topology: ModelTopology;
  readonly training?: TrainingState;
  readonly dir: string;
}

function formatVersionOf(json: Record<string, unknown>): number {
  return typeof json.formatVersion === 'number' ? json.formatVersion : 1;
}

/** Replaces a 2-D entry of `values` by its transpose (format 1 stored dense kernels [in, out]). */
function transposeEntry(values: tf.NamedTensorMap, key: string): void {
  const t = values[key];
  if (!t || t.rank !== 2) return;
  values[key] = tf.transpose(t);
  t.dispose();
}

/** Format-1 weights into the current layout: every dense kernel turned to [out, in]. */
function transposeDenseKernels(values: tf.NamedTensorMap, model: Model): void {
  for (const [role, store] of roleParams(model)) {
    for (const p of store?.params ?? []) if (p.denseKernel) transposeEntry(values, `${role}/${p.name}`);
  }
}

/** Reads a checkpoint folder's model.json and checks its form, without touching weights. */
export function readTopology(dirIn: string): ModelTopology {
  const dir = resolveAtomicDir(dirIn);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw bad(dirIn, 'no such folder');
  if (!fs.existsSync(path.join(dir, MODEL_FILE))) {
    // A run folder (what `alen train --out` names) holds its models one level down.
    const inside = ['model', 'checkpoints/best', 'checkpoints/last'].find((d) => fs.existsSync(path.join(dir, d, MODEL_FILE)));
    if (inside) throw bad(dirIn, `missing ${MODEL_FILE}: it is a run folder; load ${path.join(dirIn, inside)}`);
  }
  const json = readJson(dir, MODEL_FILE);
  if (json.format !== FORMAT) throw bad(dir, `${MODEL_FILE} is not an alen model (format '${String(json.format)}')`);
  const t = json.modelTopology as ModelTopology | undefined;
  if (!t || typeof t.task !== 'string' || typeof t.method !== 'string' || !Array.isArray(t.xShape) || !Array.isArray(t.yShape) || !t.hp) {
    throw bad(dir, `${MODEL_FILE} lacks modelTopology.{task, method, xShape, yShape, hp}`);
  }
  return t;
}

/** Loads a checkpoint: rebuilds the networks from model.json (the task must be registered) and assigns the weights. */
export async function loadCheckpoint(dirIn: string): Promise<LoadedCheckpoint> {
  const dir = resolveAtomicDir(dirIn);
  const topology = readTopology(dir);
  const json = readJson(dir, MODEL_FILE);
  const manifest = json.weightsManifest as Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> | undefined;
  if (!Array.isArray(manifest) || manifest.length !== 1 || !Array.isArray(manifest[0]!.weights)) {
    throw bad(dir, `${MODEL_FILE} has no usable weightsManifest`);
  }
  const task = getTask(topology.task);
  const method = assertMethod(topology.method);
  const values = readWeights(dir, manifest[0]!.paths[0] ?? WEIGHTS_FILE, manifest[0]!.weights);
  // A key missing from an older model.json did not exist when it was trained: the core default
  // reproduces what it did (resuming still compares against the file's own keys).
  const hp = { ...CORE_DEFAULTS, ...topology.hp } as HyperParams;
  const model = createModel(task, method, hp, topology, new Rng('load'));
  if (formatVersionOf(json) < 2) transposeDenseKernels(values, model);
  try {
    const map = new Map(Object.entries(values));
    for (const [role, store] of roleParams(model)) store?.assign(map, dir, `${role}/`);
  } finally {
    tf.dispose(Object.values(values));
  }
  let training: TrainingState | undefined;
  if (fs.existsSync(path.join(dir, TRAINING_FILE))) training = readJson(dir, TRAINING_FILE) as unknown as TrainingState;
  return { model, topology, training, dir };
}

/** Restores optimizer state saved with a checkpoint. */
export async function loadOptimizerState(dir: string, training: TrainingState, optimizers: Record<string, NetOptimizer | undefined>): Promise<void> {
  if (!training.optimizer) return;
  const roles = Object.keys(training.optimizer);
  const specs = roles.flatMap((r) => training.optimizer![r]!);
  const values = readWeights(resolveAtomicDir(dir), OPTIMIZER_FILE, specs);
  if (formatVersionOf(readJson(resolveAtomicDir(dir), MODEL_FILE)) < 2) {
    // Optimizer tensors are named `<role>/<m|v>/<param>`: the moments of a dense kernel turn with it.
    for (const key of Object.keys(values)) {
      const [role, , , ...rest] = key.split('/');
      const param = rest.join('/');
      const net = role === 'energy' || role === 'inference' ? optimizers[role]?.params : undefined;
      if (net?.params.some((p) => p.name === param && p.denseKernel)) transposeEntry(values, key);
    }
  }
  for (const role of roles) {
    const opt = optimizers[role];
    if (!opt) throw bad(dir, `optimizer state for '${role}' but the model has no such network`);
    const list = training.optimizer[role]!.map((s) => {
      const name = s.name.split('/').slice(2).join('/');
      return { name, tensor: values[s.name]! };
    });
    opt.setState(list, dir);
  }
  tf.dispose(Object.values(values));
}

/**
 * The method state saved with a checkpoint (DVN's replay buffer), in the order it was saved, or
 * undefined when the checkpoint has none (written without one, or by a version that did not save it).
 * The caller disposes the tensors.
 */
export function loadMethodState(dirIn: string, training: TrainingState): NamedTensor[] | undefined {
  if (!training.methodState?.length) return undefined;
  const dir = resolveAtomicDir(dirIn);
  const values = readWeights(dir, METHOD_STATE_FILE, training.methodState);
  return training.methodState.map((s) => ({ name: s.name, tensor: values[s.name]! }));
}
