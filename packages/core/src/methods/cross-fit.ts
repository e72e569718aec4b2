import { tf } from '../tf.js';
import type { Batch, InferenceNet } from '../types.js';
import { NetOptimizer, type NamedTensor } from '../optim.js';
import { AlenError } from '../errors.js';
import { lrMultiplier } from '../hyperparams.js';
import type { StepContext } from './method.js';
import { EVAL, taskLossOf } from './shared.js';

/**
 * Cross-fitted proposals for the energy's update (`energyProposals: 'crossfit'`). On its training
 * examples g proposes outputs close to their labels, far better than it does on new inputs, so an
 * energy fitted to g's own proposals learns to rate outputs it never meets at test time. Two more
 * inference nets of g's architecture each learn (task loss alone, g's optimizer settings and rate
 * schedule) from one
 * half of the training examples (fold = example index mod 2), and each example's proposal comes from
 * the net of the other half, which never trained on it.
 */
export interface CrossFit {
  /** Each row's proposal from the net that did not train on it (caller disposes). */
  proposals(batch: Batch, ctx: StepContext): tf.Tensor;
  /** One task-loss step of each net on its own half of the batch's rows. */
  update(batch: Batch, ctx: StepContext): void;
  /** The nets' weights and optimizer state, for checkpoints (tensors still owned here). */
  state(): NamedTensor[];
  /** Takes back a {@link state}'s tensors (copied); applied when the nets are built at the next step. */
  restore(state: NamedTensor[], source: string): void;
  dispose(): void;
}

const PREFIX = 'crossfit/';

export function createCrossFit(): CrossFit {
  let nets: Array<{ net: InferenceNet; opt: NetOptimizer }> | null = null;
  let pending: { state: Map<string, tf.Tensor>; source: string } | null = null;
  /** The step-count scalars of the last state() (one per net), which the checkpoint reads after it returns. */
  let made: tf.Tensor[] = [];

  const build = (ctx: StepContext) => {
    if (nets) return nets;
    const { model, hp } = ctx;
    nets = [0, 1].map((k) => {
      const net = ctx.task.createInference({ xShape: model.xShape, yShape: model.yShape, hp, rng: ctx.rng.fork(`crossfit-${k}`) });
      return { net, opt: new NetOptimizer(net.params, hp, hp.lrG ?? hp.lr, hp.weightDecayG ?? hp.weightDecay, hp.optimizerG ?? hp.optimizer) };
    });
    // Placeholders for the step-count scalars state() makes, so the tensor count is the same before and after checkpoints.
    made = nets.map(() => tf.scalar(0));
    if (pending) {
      const { state, source } = pending;
      nets.forEach(({ net, opt }, k) => {
        net.params.assign(state, source, `${PREFIX}${k}/w/`);
        const slots = [...state.keys()].filter((n) => n.startsWith(`${PREFIX}${k}/opt/`)).map((n) => ({ name: n.slice(`${PREFIX}${k}/opt/`.length), tensor: state.get(n)! }));
        opt.setState(slots, source);
      });
      tf.dispose([...state.values()]);
      pending = null;
    }
    return nets;
  };

  const requireIndex = (batch: Batch): Int32Array => {
    if (!batch.index) throw new AlenError('BAD_CONFIG', "energyProposals 'crossfit' needs each batch's example indices (the trainer sets them)");
    return batch.index;
  };

  return {
    proposals(batch, ctx) {
      const [a, b] = build(ctx);
      const fold = requireIndex(batch);
      const mode = ctx.hp.proposalMode === 'eval' ? EVAL : { training: true, rng: ctx.rng };
      const space = ctx.task.outputSpace;
      return tf.tidy(() => {
        const fromA = space.activate(a!.net.logits(batch.x, mode));
        const fromB = space.activate(b!.net.logits(batch.x, mode));
        // Rows of fold 0 trained net a, so their proposal is b's, and the other way round.
        const shape = [fold.length, ...batch.y.shape.slice(1).map(() => 1)];
        const inFold0 = tf.reshape(tf.tensor1d(Array.from(fold, (i) => (i % 2 === 0 ? 1 : 0))), shape);
        return tf.add(tf.mul(inFold0, fromB), tf.mul(tf.sub(1, inFold0), fromA));
      });
    },
    update(batch, ctx) {
      const fold = requireIndex(batch);
      const train = { training: true, rng: ctx.rng };
      build(ctx).forEach(({ net, opt }, k) => {
        if (ctx.epoch !== undefined) opt.setLrMultiplier(lrMultiplier(ctx.hp, ctx.epoch - 1));
        const rows = Array.from(fold.keys()).filter((r) => fold[r]! % 2 === k);
        if (!rows.length) return;
        const idx = tf.tensor1d(rows, 'int32');
        const x = tf.gather(batch.x, idx);
        const y = tf.gather(batch.y, idx);
        opt.step(() => taskLossOf(ctx.task.outputSpace, net.logits(x, train), y, ctx.hp)).dispose();
        tf.dispose([idx, x, y]);
      });
    },
    state() {
      tf.dispose(made);
      made = [];
      if (!nets) return [];
      return nets.flatMap(({ net, opt }, k) => {
        const weights = net.params.params.map((p) => ({ name: `${PREFIX}${k}/w/${p.name}`, tensor: p.variable as tf.Tensor }));
        const slots = opt.getState().map((s) => ({ name: `${PREFIX}${k}/opt/${s.name}`, tensor: s.tensor }));
        made.push(slots[0]!.tensor); // the step count is a new scalar; the rest are the optimizer's own
        return [...weights, ...slots];
      });
    },
    restore(state, source) {
      const mine = state.filter((s) => s.name.startsWith(PREFIX));
      if (!mine.length) return;
      pending = { state: new Map(mine.map((s) => [s.name, tf.clone(s.tensor)])), source };
    },
    dispose() {
      tf.dispose(made);
      made = [];
      if (pending) tf.dispose([...pending.state.values()]);
      pending = null;
      for (const n of nets ?? []) {
        n.opt.dispose();
        n.net.params.dispose();
      }
      nets = null;
    },
  };
}
