import type { tf } from '../tf.js';
import type { Batch, HyperParams, MethodName, Task } from '../types.js';
import type { Model } from '../model.js';
import type { NetOptimizer } from '../optim.js';
import type { Rng } from '../rng.js';
import type { NamedTensor } from '../optim.js';

/** What a method's step sees: the model, its optimizers and the run's random numbers. */
export interface StepContext {
  readonly model: Model;
  readonly task: Task;
  readonly hp: HyperParams;
  readonly rng: Rng;
  readonly optimizers: { readonly energy?: NetOptimizer; readonly inference?: NetOptimizer };
  /** The epoch being trained, from 1 (unset outside the trainer's loop). */
  readonly epoch?: number;
}

export interface PredictOptions {
  /** Ascent steps (ALEN family: test steps; DVN: inference steps). Defaults from the hyper-parameters. */
  readonly steps?: number;
  /** Also return outputs after these step counts. */
  readonly record?: readonly number[];
  /** Predict with the inference network alone (InfNet(ALEN)). */
  readonly inferenceOnly?: boolean;
}

/**
 * A training method, Lightning style: it says what one step is and how to predict; the trainer
 * owns the loop. `trainStep` returns named scalar losses that the caller disposes.
 */
export interface Method {
  readonly name: MethodName;
  trainStep(batch: Batch, ctx: StepContext): Record<string, tf.Scalar>;
  /** The ascent steps a prediction takes when `steps` is not given (0: no ascent). */
  defaultSteps(hp: HyperParams): number;
  /** Predicts a batch: the output after `steps` and the recorded intermediate outputs (caller disposes). */
  predict(x: tf.Tensor, model: Model, opts: PredictOptions): { y: tf.Tensor; recorded: tf.Tensor[] };
  /**
   * What the method keeps across steps (DVN's replay buffer), for the trainer's checkpoints so that a
   * resumed run goes on exactly as an uninterrupted one (tensors still owned by the method).
   */
  state?(): NamedTensor[];
  /** Takes back a {@link state} read from a checkpoint (copies it; `source` names it in errors). */
  restore?(state: NamedTensor[], source: string): void;
  /** Frees what the method keeps across steps (DVN's replay buffer); the trainer calls it when training ends. */
  dispose?(): void;
}
