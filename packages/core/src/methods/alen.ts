import { tf } from '../tf.js';
import { dropout } from '../params.js';
import type { Batch, EnergyNet, HyperParams, InferenceNet, MethodName, Mode } from '../types.js';
import { AlenError } from '../errors.js';
import type { Method, StepContext } from './method.js';
import { dvnEnergyUpdate, dvnTuples } from './dvn.js';
import { createReplayBuffer, type ReplayBuffer } from './dvn-replay.js';
import { createCrossFit, type CrossFit } from './cross-fit.js';
import { EVAL, disposeEncoding, energyOutput, energyStepWithOutputs, halfSquared, refine, repeatBatch, rollBatch, requireNet, sigmoidCrossEntropy, taskLossOf } from './shared.js';

/**
 * Eq. 6: y' from g (in `proposalMode`: train mode by default, as in the v step of the reference;
 * with `energyProposals: 'crossfit'` from the cross-fitted nets, cross-fit.ts),
 * y'' by refinement (AEN fits no y''); v fits 1 on the ground truth (weighted by `truthV`) and
 * h(·, y*) on y' and y'' (and, with `otherTruthV`, on another example's ground truth; with
 * `mixTruthV`, on a random point between y' and y*; with `mixOtherV`, between y' and another
 * example's y*), all scored in one pass; targets are raised to `energyTargetPower`. With `energyFit:
 * 'map'` every term fits the energy's per-element scores to the task's per-element oracle.
 */
function alenEnergyUpdate(name: MethodName, batch: Batch, ctx: StepContext, energy: EnergyNet, inference: InferenceNet, crossFit: CrossFit | null): tf.Scalar {
  const { hp, task, rng } = ctx;
  const optV = ctx.optimizers.energy!;
  const space = task.outputSpace;
  const train = { training: true, rng };
  const { x, y: yStar } = batch;
  // 'crossfit': the cross-fitted proposals replace g's; 'both': they join g's as two more terms (y′ and its y″).
  const cross = crossFit ? crossFit.proposals(batch, ctx) : null;
  const yP = cross && hp.energyProposals === 'crossfit' ? cross : proposal(inference, x, ctx);
  const extra = cross && hp.energyProposals === 'both' ? cross : null;
  const B = x.shape[0]!;
  const otherTruth = hp.otherTruthV > 0 && B > 1 ? rollBatch(yStar, 1 + Math.floor(rng.next() * (B - 1))) : null;
  const mixed = hp.mixTruthV > 0 ? mixWithTruth(yP, yStar, Array.from({ length: B }, () => rng.next())) : null;
  const mixedOther = hp.mixOtherV > 0 && B > 1 ? mixWithOther(yP, yStar, 1 + Math.floor(rng.next() * (B - 1)), Array.from({ length: B }, () => rng.next())) : null;
  // Outputs made from x's encoding: y'' (unless AEN) and, with `dvnTuplesV`, DVN's tuples; B rows each.
  const makers: Array<[(h: tf.Tensor) => tf.Tensor, number]> = [];
  if (hp.betaV > 0) makers.push([(h) => refine(energy, h, yP, space, hp, hp.trainSteps).y, hp.betaV]);
  if (extra && hp.betaV > 0) makers.push([(h) => refine(energy, h, extra, space, hp, hp.trainSteps).y, hp.betaV]);
  if (hp.dvnTuplesV > 0) makers.push([dvnTuples(batch, ctx, energy, hp.dvnTupleStart === 'proposal' ? yP : undefined), hp.dvnTuplesV]);
  if (hp.pathV > 0) {
    const stepsPerRow = Array.from({ length: B }, () => 1 + Math.floor(rng.next() * hp.pathSteps));
    makers.push([(h) => alongPath(energy, h, yP, ctx, stepsPerRow), hp.pathV]);
  }
  const energyLoss = (h: tf.Tensor, made: tf.Tensor | null): tf.Scalar => {
    // [output, weight] pairs; the first is the ground truth (target 1).
    const terms: Array<[tf.Tensor, number]> = [[yStar, 1], [yP, hp.lambdaV]];
    if (extra) terms.push([extra, hp.lambdaV]);
    if (made) tf.split(made, makers.length).forEach((y, i) => terms.push([y, makers[i]![1]]));
    if (hp.hardV > 0) terms.push([space.decode(yP), hp.hardV]);
    if (otherTruth) terms.push([otherTruth, hp.otherTruthV]);
    if (mixed) terms.push([mixed, hp.mixTruthV]);
    if (mixedOther) terms.push([mixedOther, hp.mixOtherV]);
    // 'map': per-element scores against the per-element oracle; each term's fit averages over elements.
    const perElement = hp.energyFit === 'map';
    const scoreOf = perElement ? scoreMapOf(energy, name) : energy.score.bind(energy);
    const oracle = perElement ? task.oracleMap! : task.oracle;
    const raw = scoreOf(repeatBatch(h, terms.length), tf.concat(terms.map(([y]) => y), 0), train);
    const parts = tf.split(hp.energyLoss === 'bce' ? raw : energyOutput(raw, hp), terms.length);
    const fit = hp.energyLoss === 'bce' ? sigmoidCrossEntropy : halfSquared;
    let loss = tf.mul(fit(parts[0]!, 1), hp.truthV) as tf.Scalar;
    const target = (y: tf.Tensor) => {
      const h = oracle(hp.energyTargets === 'hard' ? space.decode(y) : y, yStar);
      return hp.energyTargetPower === 1 ? h : tf.pow(h, hp.energyTargetPower);
    };
    terms.slice(1).forEach(([y, w], i) => (loss = tf.add(loss, tf.mul(fit(parts[i + 1]!, target(y)), w))));
    if (hp.unrollV > 0) loss = tf.add(loss, tf.mul(unrolledTaskLoss(energy, h, yP, yStar, ctx), hp.unrollV));
    return loss as tf.Scalar;
  };
  const make = (h: tf.Tensor) => tf.concat(makers.map(([m]) => m(h)), 0);
  const loss = makers.length === 0 ? optV.step(() => energyLoss(energy.encode(x, train), null)) : energyStepWithOutputs(optV, energy, x, train, make, energyLoss);
  yP.dispose();
  extra?.dispose();
  otherTruth?.dispose();
  mixed?.dispose();
  mixedOther?.dispose();
  return loss;
}

/** The energy's per-element scores, for `energyFit: 'map'`; an energy without them is named. */
function scoreMapOf(energy: EnergyNet, method: MethodName): (h: tf.Tensor, y: tf.Tensor, mode: Mode) => tf.Tensor {
  if (!energy.scoreMap) {
    throw new AlenError('BAD_CONFIG', `${method}: energyFit 'map' needs an energy net with per-element scores (scoreMap), and this task's energy has none; an FCN energy has them (e.g. arch.energyNet=fcn)`);
  }
  return (h, y, mode) => energy.scoreMap!(h, y, mode);
}

/**
 * 1 − h(y″, y*) averaged over the batch, y″ refined from y′ by `trainSteps` steps on the tape, so its
 * gradient reaches v's parameters through the ascent (second order): v learns to make its own
 * refinement raise the task score.
 */
function unrolledTaskLoss(energy: EnergyNet, h: tf.Tensor, yP: tf.Tensor, yStar: tf.Tensor, ctx: StepContext): tf.Scalar {
  const { y } = refine(energy, h, yP, ctx.task.outputSpace, ctx.hp, Math.max(1, ctx.hp.trainSteps));
  return tf.mean(tf.sub(1, ctx.task.oracle(y, yStar))) as tf.Scalar;
}

/** y′ = g(x) for the energy's update, with g in `proposalMode`. */
function proposal(inference: InferenceNet, x: tf.Tensor, ctx: StepContext): tf.Tensor {
  const mode = ctx.hp.proposalMode === 'eval' ? EVAL : { training: true, rng: ctx.rng };
  const rate = ctx.hp.proposalInputDropout;
  return tf.tidy(() => ctx.task.outputSpace.activate(inference.logits(rate > 0 ? dropout(x, rate, { training: true, rng: ctx.rng }) : x, mode)));
}

/**
 * Row i of the refinement from y′ after `stepsPerRow[i]` normalized steps: the points a test-time
 * ascent passes through, up to `pathSteps` (more than the `trainSteps` of y″).
 */
function alongPath(energy: EnergyNet, h: tf.Tensor, yP: tf.Tensor, ctx: StepContext, stepsPerRow: number[]): tf.Tensor {
  const { hp, task } = ctx;
  const counts = [...new Set(stepsPerRow)].sort((a, b) => a - b);
  const { y, recorded } = refine(energy, h, yP, task.outputSpace, hp, 0, counts);
  y.dispose();
  return tf.tidy(() => {
    const shape = [stepsPerRow.length, ...yP.shape.slice(1).map(() => 1)];
    let out = tf.zerosLike(yP);
    counts.forEach((k, j) => {
      const pick = tf.reshape(tf.tensor1d(stepsPerRow.map((s) => (s === k ? 1 : 0))), shape);
      out = tf.add(out, tf.mul(pick, recorded[j]!));
    });
    tf.dispose(recorded);
    return out;
  });
}

/** Row i of α_i·y* + (1 − α_i)·y′: points on the segment a refinement from y′ should climb. */
function mixWithTruth(yP: tf.Tensor, yStar: tf.Tensor, alphas: number[]): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.reshape(tf.tensor1d(alphas), [alphas.length, ...yStar.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(a, yStar), tf.mul(tf.sub(1, a), yP));
  });
}

/** Row i of α_i·y*_{i+shift} + (1 − α_i)·y′_i: g's proposal with another example's labels mixed in. */
function mixWithOther(yP: tf.Tensor, yStar: tf.Tensor, shift: number, alphas: number[]): tf.Tensor {
  return tf.tidy(() => {
    const other = rollBatch(yStar, shift);
    return mixWithTruth(yP, other, alphas);
  });
}

/** alen-dvn's energy step: DVN's objective; with `dvnTupleStart: 'proposal'` its tuples start from y' = g(x) (train mode, as in Eq. 6). */
function alenDvnEnergyUpdate(batch: Batch, ctx: StepContext, energy: EnergyNet, inference: InferenceNet, replay: ReplayBuffer, crossFit: CrossFit | null): tf.Scalar {
  if (ctx.hp.dvnTupleStart !== 'proposal') return dvnEnergyUpdate(batch, ctx, energy, { replay });
  const yP = crossFit ? crossFit.proposals(batch, ctx) : proposal(inference, batch.x, ctx);
  try {
    return dvnEnergyUpdate(batch, ctx, energy, { proposal: yP, replay });
  } finally {
    yP.dispose();
  }
}

/**
 * ALEN (Algorithm 1). Per minibatch: y' = g(x); y'' = a few normalized ascent steps on v from y';
 * v minimizes ½(v(x,y*) − 1)² + λv/2 (v(x,y') − h(y',y*))² + βv/2 (v(x,y'') − h(y'',y*))² (Eq. 6);
 * g minimizes L_task(g(x), y*) + λg/2 (v(x, g(x)) − 1)² (Eq. 7, 11). The ablations are switches:
 * AEN has βv = 0, ALEN-no-task has `useTaskLoss` off; ALEN-DVN (not in the papers) trains v by
 * DVN's objective instead of Eq. 6 and keeps the rest.
 */
/** ALEN's prediction refines g(x) by `testSteps` normalized ascent steps. */
const defaultSteps = (hp: HyperParams): number => hp.testSteps;

export function alenMethod(name: MethodName = 'alen'): Method {
  const replay = createReplayBuffer();
  const crossFit = createCrossFit();
  return {
    name,
    state: () => [...replay.state(), ...crossFit.state()],
    restore: (st, source) => {
      replay.restore(st.filter((t) => t.name.startsWith('replay/')), source);
      crossFit.restore(st, source);
    },
    dispose: () => {
      replay.dispose();
      crossFit.dispose();
    },
    trainStep(batch: Batch, ctx: StepContext) {
      const { hp, task, rng } = ctx;
      const energy = requireNet(ctx.model.energy, 'an energy', name);
      const inference = requireNet(ctx.model.inference, 'an inference', name);
      const optG = ctx.optimizers.inference!;
      const space = task.outputSpace;
      const train = { training: true, rng };
      const { x, y: yStar } = batch;

      // During `pretrainG` epochs g learns from the task loss alone and v waits.
      const pretraining = ctx.epoch !== undefined && ctx.epoch <= hp.pretrainG;
      if (pretraining && !hp.useTaskLoss) throw new Error(`${name}: pretrainG trains g on its task loss, which useTaskLoss turns off`);
      // 1–2. Energy update: Eq. 6, or DVN's objective (method alen-dvn).
      const fit = hp.energyProposals === 'own' ? null : crossFit;
      const lossV = pretraining ? null : hp.energyObjective === 'dvn' ? alenDvnEnergyUpdate(batch, ctx, energy, inference, replay, fit) : alenEnergyUpdate(name, batch, ctx, energy, inference, fit);
      fit?.update(batch, ctx);

      // 3. Inference-network update: task loss plus the adversarial term through the frozen v.
      const kept: { lossTask?: tf.Scalar } = {};
      const lossG = optG.step(() => {
        const z = inference.logits(x, train);
        const terms: tf.Scalar[] = [];
        if (hp.useTaskLoss) {
          const scaled = taskLossOf(space, z, yStar, hp);
          kept.lossTask = tf.keep(tf.clone(scaled));
          terms.push(scaled);
        }
        if (hp.lambdaG > 0 && !pretraining) {
          const raw = energy.score(energy.encode(x, EVAL), space.activate(z), EVAL);
          // −log σ(raw) = softplus(−raw), the non-saturating form; else Eq. 11's square.
          const adv = hp.gAdversarialLoss === 'log' ? (tf.mean(tf.softplus(tf.neg(raw))) as tf.Scalar) : halfSquared(energyOutput(raw, hp), 1);
          terms.push(tf.mul(adv, hp.lambdaG) as tf.Scalar);
        }
        if (!terms.length) throw new Error(`${name}: the inference network has no loss (useTaskLoss off and lambdaG = 0)`);
        return terms.reduce((a, b) => tf.add(a, b) as tf.Scalar);
      });
      const out: Record<string, tf.Scalar> = lossV ? { lossV, lossG } : { lossG };
      if (kept.lossTask) out.lossTask = kept.lossTask;
      return out;
    },

    defaultSteps,
    predict(x, model, opts) {
      const inference = requireNet(model.inference, 'an inference', name);
      const space = model.task.outputSpace;
      const y0 = tf.tidy(() => space.activate(inference.logits(x, EVAL)));
      const steps = opts.inferenceOnly ? 0 : (opts.steps ?? defaultSteps(model.hp));
      const record = opts.inferenceOnly ? opts.record?.map(() => 0) : opts.record;
      if (!model.energy || (steps === 0 && !record?.some((t) => t > 0))) {
        return { y: y0, recorded: (record ?? []).map(() => tf.clone(y0)) };
      }
      const h = tf.tidy(() => model.energy!.encode(x, EVAL));
      const res = refine(model.energy, h, y0, space, model.hp, steps, record);
      disposeEncoding(h, x);
      y0.dispose();
      return res;
    },
  };
}
