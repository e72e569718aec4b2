import { boxSpace, defineTask } from '@alen/core';
import type { BenchProfile, BuildContext, Dataset, HyperParamOverrides, LoadContext, MethodName, PaperNumbers, Task } from '@alen/core';
import { BIBTEX, BOOKMARKS, expectedFiles, loadMultilabel, type MultilabelSpec } from './dataset.js';
import { evaluate, evaluateAtValThreshold, softF1 } from './metrics.js';
import { createInferenceNet, createValueNet } from './architectures.js';
import { readPredictInput, writePredictOutput, type PredictContext } from './predict-io.js';

type Defaults = Partial<Record<MethodName | 'common', HyperParamOverrides>>;

/** Per-dataset differences of the recipes (../shared/SPEC.md §3). */
interface Recipe {
  readonly layers: number;
  readonly dvnWeightDecay: number;
  readonly dvnEta: number;
}

function defaultsFor(r: Recipe): Defaults {
  // DVN reference recipe: SGD 0.1 → 0.01 → 0.001 for 150/150/75 epochs, batch 20.
  const dvnRecipe: HyperParamOverrides = {
    optimizer: 'sgd',
    lr: 0.1,
    lrSchedule: [[150, 1], [150, 0.1], [75, 0.01]],
    epochs: 375,
    batchSize: 20,
    energyOutput: 'sigmoid',
    dvnEta: r.dvnEta,
    dvnSteps: 20,
    dvnInferenceProb: 0.5,
    dvnNormalized: false,
    dvnInit: 'zeros',
  };
  return {
    common: {
      arch: { hidden: 150, globalUnits: 16, layers: r.layers, inputDropout: 0, gHidden: 150, gDropout: 0.5, gInit: 'torch' },
    },
    dvn: { ...dvnRecipe, weightDecay: r.dvnWeightDecay, testStepsCandidates: [5, 10, 15, 20, 25, 30] },
    // Sigmoid energy output and dropout 0.5 on g from the PyTorch attempt (../shared/SPEC.md §5).
    alen: {
      // The energy network learns with SGD (lr 0.1, weight decay 1e-3: DVN's recipe for the same
      // network) and fits its targets by cross-entropy; g keeps Adam (β1 0.5). Validation, three
      // seeds (docs/sweeps/bibtex-alen.md): 48.37 against 48.01 with Adam + weight decay and 47.22
      // with Adam and Eq. 6's squares.
      optimizer: 'sgd',
      lr: 0.1,
      weightDecayV: r.dvnWeightDecay,
      energyLoss: 'bce',
      optimizerG: 'adam',
      lrG: 1e-3,
      beta1: 0.5,
      batchSize: 32,
      epochs: 60,
      // η and training steps from the validation sweeps in docs/sweeps/bibtex-alen.md (η 1 since
      // the task loss is a mean: 47.22 against 46.87 for 0.5 and 46.90 for 0.25, three seeds)
      eta: 1,
      trainSteps: 3,
      testSteps: 6,
      testStepsCandidates: [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20],
      energyOutput: 'sigmoid',
      lambdaV: 1,
      // Validation, three seeds (docs/sweeps/bibtex-alen.md, with otherTruthV 1): 49.61 against
      // 48.82 for 0.3 and 48.79 for 1; AEN (βv 0) 49.30.
      betaV: 0.1,
      lambdaG: 1,
      // L_task as the mean over labels (PyTorch's and TensorFlow's default cross-entropy): with the
      // sum over 159 labels the adversarial term weighed ~1/159 as much and g learnt nothing from v
      // (InfNet(ALEN) on validation 44.3–46.1 against about 40; docs/sweeps/bibtex-alen.md).
      taskLossReduction: 'mean',
      // Not in the paper: v also fits another example's label set to its F1 against this one's
      // (validation, three seeds, βv 1: 48.79 against 48.37 without, 48.62 at 0.3, 49.39 at 3, ~36
      // at 10; with βv 0.1, 3 gave 49.46 against 49.61 for 1).
      otherTruthV: 1,
      // Not in the paper: v also fits a random point between g's proposal and the truth (validation:
      // 50.25 against 49.61 over seeds 0–2, 48.78 at 0.3, 48.42 at 3; over seeds 0–4 49.01 against
      // 48.70; DVN's tuples as a term instead, 49.32).
      mixTruthV: 1,
    },
    // Without L_task, Eq. 11's ½(σ(v) − 1)² stalls once v rates g's outputs near 0 (validation F1
    // about 8 on Bibtex); the non-saturating −log σ(v) reaches 38.75 (docs/sweeps/bibtex-alen.md).
    'alen-no-task': { gAdversarialLoss: 'log' },
    // Not in the papers: v trained by DVN's recipe (its objective, SGD schedule and weight decay),
    // g by ALEN's Eq. 11 with Adam; prediction refines g(x) on v. InfNet's or ALEN's g refined on a
    // separately trained DVN value net scored 47.2–47.6 on test (6 normalized steps, η 1), while
    // ALEN's own energy adds only ~1.6 points (docs/sweeps/bibtex-alen.md).
    // otherTruthV, mixTruthV and βv weigh terms of Eq. 6, which alen-dvn's energy does not train: kept at the
    // values its bench runs recorded.
    'alen-dvn': { ...dvnRecipe, otherTruthV: 0, mixTruthV: 0, betaV: 1 },
    infnet: { optimizer: 'adam', lr: 1e-3, beta1: 0.5, batchSize: 32, epochs: 60 },
  };
}

function benchFor(): { quick: BenchProfile; paper: BenchProfile } {
  return {
    quick: {
      limit: { train: 1000, val: 200, test: 500 },
      methods: ['infnet', 'alen', 'dvn'],
      seeds: [0],
      overrides: {
        common: { epochs: 5 },
        alen: { epochs: 5 },
        infnet: { epochs: 5 },
        dvn: { epochs: 6, lrSchedule: [[3, 1], [2, 0.1], [1, 0.01]] },
      },
    },
    paper: { methods: ['infnet', 'aen', 'alen-no-task', 'alen', 'alen-dvn', 'dvn'], seeds: [0, 1, 2] },
  };
}

/**
 * Builds the task object of a MULAN dataset. `readInput` / `writeOutput` take an optional
 * {@link PredictContext} after core's arguments (the training statistics and label names).
 */
export function createMultilabelTask(spec: MultilabelSpec, recipe: Recipe, paper: PaperNumbers, description: string) {
  return defineTask({
    name: spec.name,
    description,
    outputSpace: boxSpace(),
    oracle: softF1,
    primaryMetric: 'f1',
    expectedFiles: expectedFiles(spec),
    load: (ctx: LoadContext) => loadMultilabel(spec, ctx),
    evaluate: (pred: Float32Array, data: Dataset) => evaluate(pred, data),
    evaluateTuned: evaluateAtValThreshold,
    createEnergy: (ctx: BuildContext) => createValueNet(ctx, { layers: recipe.layers }),
    createInference: (ctx: BuildContext) => createInferenceNet(ctx),
    defaults: defaultsFor(recipe),
    bench: benchFor(),
    paper,
    readInput: (file: string, taskState?: Readonly<Record<string, unknown>>, ctx?: PredictContext) =>
      readPredictInput(spec, file, { ...ctx, trainMeta: taskState ?? ctx?.trainMeta }),
    writeOutput: (file: string, pred: Float32Array, n: number, ids?: readonly string[], taskState?: Readonly<Record<string, unknown>>, ctx?: PredictContext) =>
      writePredictOutput(spec, file, pred, n, ids, { ...ctx, trainMeta: taskState ?? ctx?.trainMeta }),
  } satisfies Task);
}

export const bibtexTask = createMultilabelTask(
  BIBTEX,
  { layers: 1, dvnWeightDecay: 1e-3, dvnEta: 0.5 },
  {
    dvn: { f1: 44.7 },
    alen: { f1: 46.4 },
    'infnet(alen)': { f1: 42.8 },
    infnet: { f1: 38.9 },
    aen: { f1: 44.2 },
    'alen-no-task': { f1: 45.3 },
    spen: { f1: 42.2 },
  },
  'Bibtex multi-label tagging (MULAN): 1836 binary features, 159 labels, 4880 train / 2515 test; example-averaged F1',
);

export const bookmarksTask = createMultilabelTask(
  BOOKMARKS,
  { layers: 2, dvnWeightDecay: 1e-4, dvnEta: 0.75 },
  {
    dvn: { f1: 37.1 },
    alen: { f1: 38.3 },
    'infnet(alen)': { f1: 37.2 },
    infnet: { f1: 32.8 },
    aen: { f1: 34.6 },
    'alen-no-task': { f1: 37.1 },
  },
  'Bookmarks multi-label tagging (MULAN): 2150 binary features, 208 labels, 60000 train / 27856 test; example-averaged F1',
);

export const tasks = [bibtexTask, bookmarksTask] as const;
