import type { EnergyNet, HyperParamOverrides, HyperParams, InferenceNet, MethodName, Task } from './types.js';
import type { Rng } from './rng.js';
import { AlenError } from './errors.js';
import { assertSpaceSupports, validateHyperParams } from './hyperparams.js';

/** A trained (or training) model: the task, the method, its hyper-parameters and its networks. */
export interface Model {
  readonly task: Task;
  readonly method: MethodName;
  readonly hp: HyperParams;
  readonly xShape: readonly number[];
  readonly yShape: readonly number[];
  readonly energy?: EnergyNet;
  readonly inference?: InferenceNet;
}

/** Which networks a method trains and predicts with. */
export function networksOf(method: MethodName): { energy: boolean; inference: boolean } {
  switch (method) {
    case 'dvn':
      return { energy: true, inference: false };
    case 'infnet':
      return { energy: false, inference: true };
    default:
      return { energy: true, inference: true };
  }
}

export function createModel(
  task: Task,
  method: MethodName,
  hp: HyperParams,
  shapes: { xShape: readonly number[]; yShape: readonly number[] },
  rng: Rng,
): Model {
  const nets = networksOf(method);
  const ctx = { xShape: shapes.xShape, yShape: shapes.yShape, hp, rng };
  const energy = nets.energy ? task.createEnergy({ ...ctx, rng: rng.fork('energy') }) : undefined;
  const inference = nets.inference ? task.createInference({ ...ctx, rng: rng.fork('inference') }) : undefined;
  const problem = ([['Energy', energy], ['Inference', inference]] as const).map(([what, net]) => {
    if (!net) return null;
    if (!net.params || typeof net.params.variables === 'undefined') return `create${what} returned a network without a ParamStore 'params'`;
    if (net.params.variables.length === 0) {
      return `create${what}'s ParamStore holds no weights; make them with its add() or the layer helpers (dense, conv2d), not tf.variable, so that they are trained and saved`;
    }
    return null;
  }).find((p) => p);
  if (problem) {
    for (const net of [energy, inference]) net?.params?.dispose?.();
    throw new AlenError('BAD_TASK', `task '${task.name}': ${problem}`);
  }
  return { task, method, hp, xShape: shapes.xShape, yShape: shapes.yShape, energy, inference };
}

export function disposeModel(m: Model): void {
  m.energy?.params.dispose();
  m.inference?.params.dispose();
}

/** Per-example output shape for inputs of the given per-example shape (crops differ from full images). */
export function outputShapeFor(model: Model, xShape: readonly number[]): number[] {
  return model.task.outputShape ? [...model.task.outputShape(xShape)] : [...model.yShape];
}

/** Hyper-parameters that only steer prediction, so a trained model can be evaluated with others. */
export const INFERENCE_HYPERPARAMS = ['eta', 'testSteps', 'ascentNorm', 'dvnEta', 'dvnSteps', 'dvnNormalized', 'dvnInit'] as const;

/** The same model (same networks) predicting with other inference settings; anything else is refused. */
export function withInferenceSettings(model: Model, overrides: HyperParamOverrides): Model {
  const wrong = Object.keys(overrides).filter((k) => !(INFERENCE_HYPERPARAMS as readonly string[]).includes(k));
  if (wrong.length) {
    throw new AlenError('BAD_CONFIG', `${wrong.join(', ')}: not an inference setting; a trained model takes only ${INFERENCE_HYPERPARAMS.join(', ')}`);
  }
  const hp = { ...model.hp, ...overrides } as HyperParams;
  validateHyperParams(hp);
  assertSpaceSupports(hp, model.task.outputSpace, model.task.name);
  return { ...model, hp };
}
