import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from './tf.js';
import type { Batch, HyperParams, MethodName, Task, TaskData } from './types.js';
import { disposeModel, type Model } from './model.js';
import { getMethod } from './methods/index.js';
import type { StepContext } from './methods/method.js';
import { NetOptimizer } from './optim.js';
import { Rng } from './rng.js';
import { batchOf, checkTaskData } from './dataset.js';
import { createCheckedModel } from './check-networks.js';
import { evaluateModel, selectTestSteps, type CurvePoint, type Metrics } from './evaluate.js';
import { CORE_DEFAULTS, dvnTupleSteps, lrMultiplier } from './hyperparams.js';
import { loadCheckpoint, loadMethodState, loadOptimizerState, saveCheckpoint, type TrainingState } from './checkpoint.js';
import { AlenError } from './errors.js';
import type { Callback, EpochRecord } from './callbacks/callback.js';

export interface TrainOptions {
  readonly task: Task;
  readonly method: MethodName;
  readonly hp: HyperParams;
  readonly data: TaskData;
  readonly seed: number;
  /** Run folder: checkpoints/last (every epoch), checkpoints/best, model/ (the final model). */
  readonly runDir?: string;
  /** Continue from `runDir/checkpoints/last` when it exists. */
  readonly resume?: boolean;
  readonly callbacks?: readonly Callback[];
  /** Name of the active backend, recorded in checkpoints and logs. */
  readonly backend?: string;
  /** Stop after this epoch as if interrupted (the run can be resumed). */
  readonly stopAfterEpoch?: number;
  /**
   * false: no validation, no best-epoch or test-step selection; the model is the last epoch's
   * with hp's test steps (a refit on train + validation, whose choices were made beforehand).
   */
  readonly validate?: boolean;
}

export interface TrainResult {
  /** The model with the best validation weights and the selected number of test steps. */
  readonly model: Model;
  readonly best: { epoch: number; metrics: Metrics } | null;
  readonly history: readonly EpochRecord[];
  readonly trainSeconds: number;
  readonly stepsPerSecond: number;
  readonly interrupted: boolean;
  /** The epoch after which early stopping (`patience`) ended training; undefined when it did not. */
  readonly stoppedEarlyAt?: number;
  /** Validation metric against test-time steps, when the steps were selected on validation. */
  readonly testStepsCurve?: readonly CurvePoint[];
}

export const CHECKPOINT_LAST = 'checkpoints/last';
export const CHECKPOINT_BEST = 'checkpoints/best';
export const FINAL_MODEL = 'model';

/** Hyper-parameters that may differ when resuming (they do not change what was trained so far). */
const RESUME_FREE: ReadonlyArray<keyof HyperParams> = ['epochs', 'evalBatchSize', 'testSteps', 'testStepsCandidates', 'valEvery', 'patience'];

/**
 * A hyper-parameter missing from a checkpoint's config was added to the library after the
 * checkpoint was written; its default reproduces the older behaviour, so resuming is safe at that value.
 */
function checkResumable(saved: HyperParams, now: HyperParams, dir: string): void {
  for (const k of Object.keys({ ...saved, ...now }) as Array<keyof HyperParams>) {
    if (RESUME_FREE.includes(k)) continue;
    if (!(k in saved) && k in CORE_DEFAULTS && JSON.stringify(now[k]) === JSON.stringify(CORE_DEFAULTS[k as keyof typeof CORE_DEFAULTS])) continue;
    if (JSON.stringify(saved[k]) !== JSON.stringify(now[k])) {
      throw new AlenError('BAD_CONFIG', `cannot resume ${dir}: hyper-parameter ${k} was ${JSON.stringify(saved[k])}, now ${JSON.stringify(now[k])}`);
    }
  }
}

function firstNonFinite(model: Model): string | null {
  for (const [role, net] of [['energy', model.energy], ['inference', model.inference]] as const) {
    if (!net) continue;
    for (const p of net.params.params) {
      const ok = tf.tidy(() => tf.all(tf.isFinite(p.variable)).dataSync()[0]);
      if (!ok) return `${role}/${p.name}`;
    }
  }
  return null;
}

function swapAverages(optimizers: Record<string, NetOptimizer | undefined>): void {
  for (const o of Object.values(optimizers)) if (o?.averaging) o.swapAverage();
}

/**
 * The training loop shared by every method: shuffling, augmentation, the method's step,
 * validation and model selection, checkpoints, NaN checks and callbacks.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const { task, hp, data } = o;
  checkTaskData(data);
  if (!o.resume && o.runDir && [CHECKPOINT_LAST, `${CHECKPOINT_LAST}.old`, CHECKPOINT_BEST].some((d) => fs.existsSync(path.join(o.runDir!, d)))) {
    throw new AlenError('BAD_CONFIG', `${o.runDir} already holds a training run; pass resume: true to continue it, or train into another folder`);
  }
  const method = getMethod(o.method);
  const seedRng = new Rng(o.seed);
  const model = createCheckedModel(task, o.method, hp, data.train, seedRng.fork('init'));
  const optimizers = {
    energy: model.energy ? new NetOptimizer(model.energy.params, hp, hp.lr, hp.weightDecayV ?? hp.weightDecay) : undefined,
    inference: model.inference ? new NetOptimizer(model.inference.params, hp, hp.lrG ?? hp.lr, hp.weightDecayG ?? hp.weightDecay, hp.optimizerG ?? hp.optimizer) : undefined,
  };
  let rng = seedRng.fork('train');
  let startEpoch = 0;
  let best: TrainResult['best'] = null;
  let history: EpochRecord[] = [];
  let trainSeconds = 0;
  let steps = 0;
  const backend = o.backend ?? tf.getBackend();
  const runDir = o.runDir;
  const lastDir = runDir && path.join(runDir, CHECKPOINT_LAST);
  const bestDir = runDir && path.join(runDir, CHECKPOINT_BEST);
  const taskState = data.train.meta?.taskState as Record<string, unknown> | undefined;

  if (o.resume && lastDir && (fs.existsSync(lastDir) || fs.existsSync(`${lastDir}.old`))) {
    const ck = await loadCheckpoint(lastDir);
    try {
      if (ck.topology.task !== task.name || ck.topology.method !== o.method) {
        throw new AlenError('BAD_CONFIG', `cannot resume ${runDir}: it trains ${ck.topology.task}/${ck.topology.method}, not ${task.name}/${o.method}`);
      }
      checkResumable(ck.topology.hp, hp, runDir!);
      if (!ck.training) throw new AlenError('BAD_CHECKPOINT', `checkpoint ${ck.dir}: missing training.json, cannot resume`);
      for (const role of ['energy', 'inference'] as const) {
        const snap = ck.model[role]?.params.snapshot(`${role}/`);
        if (snap) {
          model[role]!.params.assign(snap, ck.dir, `${role}/`);
          tf.dispose([...snap.values()]);
        }
      }
      await loadOptimizerState(ck.dir, ck.training, optimizers);
      const methodState = loadMethodState(ck.dir, ck.training);
      if (methodState) {
        try {
          if (!method.restore) throw new AlenError('BAD_CHECKPOINT', `checkpoint ${ck.dir}: holds method state that ${o.method} does not keep`);
          method.restore(methodState, ck.dir);
        } finally {
          tf.dispose(methodState.map((t) => t.tensor));
        }
      }
      rng = Rng.fromState(ck.training.rng);
      startEpoch = ck.training.epoch;
      best = ck.training.best;
      history = [...(ck.training.history as unknown as EpochRecord[])];
      trainSeconds = ck.training.trainSeconds;
      steps = ck.training.steps;
    } finally {
      disposeModel(ck.model);
    }
  }

  const train = data.train;
  const bs = hp.batchSize;
  const stepsPerEpoch = Math.ceil(train.size / bs);
  const ctx: StepContext = { model, task, hp, rng, optimizers };
  let memoryBest: Map<string, tf.Tensor> | null = null;
  const callbacks = o.callbacks ?? [];
  for (const c of callbacks) {
    await c.onTrainStart?.({
      task: task.name, method: o.method, hp, seed: o.seed, backend, startEpoch, stepsPerEpoch, trainSize: train.size, runDir,
    });
  }

  let interrupted = false;
  let stoppedEarlyAt: number | undefined;
  try {
    for (let epoch = startEpoch + 1; epoch <= hp.epochs; epoch++) {
      // Checked before the epoch, so that a run stopped early and resumed with more epochs stops again at once.
      if (o.validate !== false && hp.patience > 0 && best && epoch - 1 - best.epoch >= hp.patience) {
        stoppedEarlyAt = epoch - 1;
        break;
      }
      const mult = lrMultiplier(hp, epoch - 1);
      optimizers.energy?.setLrMultiplier(mult);
      optimizers.inference?.setLrMultiplier(mult);
      const stepCtx: StepContext = { ...ctx, rng, epoch };
      const perm = rng.permutation(train.size);
      const sums: Record<string, number> = {};
      const t0 = performance.now();
      for (let s = 0; s < stepsPerEpoch; s++) {
        const index = Int32Array.from(perm.subarray(s * bs, Math.min(train.size, (s + 1) * bs)));
        let batch: Batch = { ...batchOf(train, index), index };
        if (task.augment) batch = { ...task.augment(batch, rng, hp), index };
        const losses = method.trainStep(batch, stepCtx);
        const values: Record<string, number> = {};
        for (const [k, t] of Object.entries(losses)) {
          values[k] = (await t.data())[0]!;
          sums[k] = (sums[k] ?? 0) + values[k]!;
        }
        tf.dispose([batch.x, batch.y, ...Object.values(losses)]);
        for (const c of callbacks) await c.onBatchEnd?.({ epoch, step: s + 1, stepsPerEpoch, losses: values });
      }
      const epochSeconds = (performance.now() - t0) / 1000;
      trainSeconds += epochSeconds;
      steps += stepsPerEpoch;
      const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / stepsPerEpoch]));
      for (const [k, v] of Object.entries(means)) {
        if (!Number.isFinite(v)) {
          const bad = firstNonFinite(model);
          throw new AlenError('NON_FINITE', `training diverged in epoch ${epoch}: loss ${k} is ${v}${bad ? `, weight ${bad} holds NaN/Inf` : ''}. The last good checkpoint is kept${lastDir ? ` in ${lastDir}` : ''}; lower lr or eta.`);
        }
      }

      let val: Metrics | undefined;
      let isBest = false;
      if (o.validate !== false && (epoch % hp.valEvery === 0 || epoch === hp.epochs)) {
        // With emaDecay, the averaged weights are validated and kept as the best.
        swapAverages(optimizers);
        try {
          val = await evaluateModel(model, data.val);
          const key = task.primaryMetric;
          isBest = !best || val[key]! > best.metrics[key]!;
          if (isBest) {
            best = { epoch, metrics: val };
            if (bestDir) await saveCheckpoint(bestDir, model, { taskState });
            else {
              if (memoryBest) tf.dispose([...memoryBest.values()]);
              memoryBest = new Map([...(model.energy?.params.snapshot('energy/') ?? []), ...(model.inference?.params.snapshot('inference/') ?? [])]);
            }
          }
        } finally {
          swapAverages(optimizers);
        }
      }
      const rec: EpochRecord = {
        epoch, lrMultiplier: mult, losses: means, val, isBest, epochSeconds,
        stepsPerSecond: stepsPerEpoch / epochSeconds, numTensors: tf.memory().numTensors,
      };
      history.push(rec);
      if (lastDir) {
        const training: TrainingState = { epoch, seed: o.seed, rng: rng.state(), best, history: history as unknown as Record<string, unknown>[], trainSeconds, steps, backend };
        await saveCheckpoint(lastDir, model, { training, optimizers, methodState: method.state?.(), taskState });
      }
      for (const c of callbacks) await c.onEpochEnd?.(rec);
      if (o.stopAfterEpoch !== undefined && epoch >= o.stopAfterEpoch && epoch < hp.epochs) {
        interrupted = true;
        break;
      }
    }
    // Without validation the averaged weights (emaDecay) are the model, as the best would have been.
    if (o.validate === false && !interrupted) swapAverages(optimizers);
  } finally {
    optimizers.energy?.dispose();
    optimizers.inference?.dispose();
    method.dispose?.();
  }

  // Best validation weights back into the model.
  if (bestDir && fs.existsSync(bestDir)) {
    const ck = await loadCheckpoint(bestDir);
    for (const role of ['energy', 'inference'] as const) {
      const snap = ck.model[role]?.params.snapshot(`${role}/`);
      if (snap) {
        model[role]!.params.assign(snap, ck.dir, `${role}/`);
        tf.dispose([...snap.values()]);
      }
    }
    disposeModel(ck.model);
  } else if (memoryBest) {
    for (const role of ['energy', 'inference'] as const) model[role]?.params.assign(memoryBest, 'best weights', `${role}/`);
    tf.dispose([...memoryBest.values()]);
  }

  let final: Model = model;
  let testStepsCurve: CurvePoint[] | undefined;
  const candidates = hp.testStepsCandidates;
  if (!interrupted && o.validate !== false && candidates?.length && model.energy && o.method !== 'infnet') {
    const sel = await selectTestSteps(model, data.val, candidates);
    testStepsCurve = sel.curve;
    // DVN's tuple runs keep the length they trained with (dvnSteps set it when dvnTrainSteps was 0).
    const hpFinal = o.method === 'dvn' ? { ...hp, dvnSteps: sel.steps, dvnTrainSteps: dvnTupleSteps(hp) } : { ...hp, testSteps: sel.steps };
    final = { ...model, hp: hpFinal };
  }
  if (runDir && !interrupted) await saveCheckpoint(path.join(runDir, FINAL_MODEL), final, { taskState });

  const result: TrainResult = {
    model: final, best, history, trainSeconds, stepsPerSecond: trainSeconds > 0 ? steps / trainSeconds : 0, interrupted, stoppedEarlyAt, testStepsCurve,
  };
  for (const c of callbacks) await c.onTrainEnd?.(result);
  return result;
}
