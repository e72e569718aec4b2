import { tf } from '../tf.js';
import type { Method } from './method.js';
import { EVAL, requireNet, taskLossOf } from './shared.js';

/** The inference-network baseline (and FCN baseline): g trained on the task loss alone. */
export function infnetMethod(): Method {
  return {
    name: 'infnet',
    trainStep(batch, ctx) {
      const g = requireNet(ctx.model.inference, 'an inference', 'infnet');
      const space = ctx.task.outputSpace;
      const train = { training: true, rng: ctx.rng };
      const lossG = ctx.optimizers.inference!.step(() => taskLossOf(space, g.logits(batch.x, train), batch.y, ctx.hp));
      return { lossG, lossTask: tf.clone(lossG) };
    },
    defaultSteps: () => 0,
    predict(x, model, opts) {
      const g = requireNet(model.inference, 'an inference', 'infnet');
      const y = tf.tidy(() => model.task.outputSpace.activate(g.logits(x, EVAL)));
      return { y, recorded: (opts.record ?? []).map(() => tf.clone(y)) };
    },
  };
}
