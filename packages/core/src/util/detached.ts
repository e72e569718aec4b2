import { tf } from '../tf.js';

/**
 * Runs `fn` with gradient recording paused and returns its result as a constant for any enclosing
 * tf.grad / variableGrads (PyTorch's `no_grad` + `detach`): nothing flows back into what `fn`
 * read, and its ops cost no tape bookkeeping. `fn` must not itself call tf.grad (there is no tape
 * to record on); its intermediates are disposed, its result belongs to the caller.
 */
export function detached<T extends tf.Tensor>(fn: () => T): T {
  // A custom-gradient op without inputs: TF.js runs its forward function with the tape paused
  // (as it does inside any kernel), and the output has no input to send a gradient to.
  return tf.customGrad(() => ({ value: fn(), gradFunc: () => [] }))() as T;
}
