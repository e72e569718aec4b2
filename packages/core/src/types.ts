import type { tf } from './tf.js';
import type { Rng } from './rng.js';
import type { ParamStore } from './params.js';

export type Split = 'train' | 'val' | 'test';

/**
 * A split held in memory as flat typed arrays; one example's input has shape `xShape`, its
 * target `yShape` (both without the batch dimension). Batches become tensors only when used.
 */
export interface Dataset {
  /** e.g. `bibtex/train`; used in messages. */
  readonly name: string;
  readonly size: number;
  readonly x: Float32Array;
  readonly xShape: readonly number[];
  readonly y: Float32Array;
  readonly yShape: readonly number[];
  /** Optional example identifiers (file names, row numbers) for reports and predictions. */
  readonly ids?: readonly string[];
  /**
   * Anything else a plugin needs in its metrics (full-resolution labels, superpixels, ...).
   * `meta.taskState` of the train split (JSON-serializable) is saved in checkpoints and handed
   * back to `readInput` at predict time.
   */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface TaskData {
  readonly train: Dataset;
  readonly val: Dataset;
  readonly test: Dataset;
}

/** A minibatch as tensors. The trainer disposes it after the step. */
export interface Batch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  /** The rows' example indices in the training split (set by the trainer). */
  readonly index?: Int32Array;
}

/**
 * The feasible set of outputs Y: how to project onto it, how the inference network's logits map
 * into it, the task loss on logits, and how a soft output becomes hard labels.
 */
export interface OutputSpace {
  readonly kind: string;
  /** Euclidean projection P_Y (no gradient flows through it in inference). */
  project(y: tf.Tensor): tf.Tensor;
  /** Logits of the inference network to a point of Y (sigmoid, per-pixel softmax). */
  activate(logits: tf.Tensor): tf.Tensor;
  /** Cross-entropy between logits and the target, summed over output dims, averaged over the batch. */
  taskLoss(logits: tf.Tensor, yStar: tf.Tensor): tf.Scalar;
  /** Hard labels (0/1 threshold, one-hot argmax), same shape as `y`. */
  decode(y: tf.Tensor): tf.Tensor;
  /**
   * Optional: the part of an ascent direction `g` that the projection keeps at `y` (components
   * pushing past a bound at that bound removed). Normalized ascent with `ascentNorm: 'feasible'`
   * divides by its norm instead of the full gradient's.
   */
  feasibleDirection?(y: tf.Tensor, g: tf.Tensor): tf.Tensor;
}

/** Task metric extended to soft outputs: one value per example, in [0, 1], higher is better. */
export type Oracle = (y: tf.Tensor, yStar: tf.Tensor) => tf.Tensor1D;

/**
 * A per-element oracle: one value in [0, 1] per output element (per pixel), shape [B, ...] of y
 * without a trailing class axis (segmentation: [B, H, W]). Fitted by energies that score per
 * element (`energyFit: 'map'`).
 */
export type OracleMap = (y: tf.Tensor, yStar: tf.Tensor) => tf.Tensor;

/** Forward-pass mode handed to every network call. */
export interface Mode {
  /** Dropout and other train-only behaviour on. */
  readonly training: boolean;
  /** Source of op seeds for dropout when training. */
  readonly rng?: Rng;
}

/**
 * Energy (value) network v(x, y) → [B]. Split into the part that depends on x alone (`encode`,
 * computed once per batch and reused over ascent steps) and the score of an output.
 * `score` returns the raw output; the method decides whether a sigmoid follows. `encode` may
 * return `x` itself; anything else it returns belongs to the caller, who disposes it.
 */
export interface EnergyNet {
  readonly params: ParamStore;
  encode(x: tf.Tensor, mode: Mode): tf.Tensor;
  score(h: tf.Tensor, y: tf.Tensor, mode: Mode): tf.Tensor1D;
  /**
   * Optional: the score [B] and its gradient ∂score/∂y (shape of y, per example) in closed form.
   * Gradient inference uses it instead of tf.grad's tape, which costs several times more kernels
   * per step; worth writing when the output is small (multi-label). Must equal tf.grad of `score`.
   */
  scoreGrad?(h: tf.Tensor, y: tf.Tensor, mode: Mode, options?: ScoreGradOptions): ScoreGrad;
  /**
   * Optional: the raw per-element scores ("score matrices", ALEN §4) whose mean over every axis but
   * the batch's is `score`; shaped as the task's `oracleMap`. Used by `energyFit: 'map'`.
   */
  scoreMap?(h: tf.Tensor, y: tf.Tensor, mode: Mode): tf.Tensor;
}

export interface ScoreGradOptions {
  /** false: only the gradient is needed (normalized ascent), `score` may be left out. Default true. */
  readonly score?: boolean;
  /** Tensors that depend on the weights alone, computed once per ascent (the weights are fixed). */
  readonly memo?: AscentMemo;
}

/** Per-ascent cache handed to `scoreGrad`; gradient inference disposes its tensors at the end. */
export interface AscentMemo {
  /** The tensor stored under `key`, made by `make` (inside the caller's tidy) on the first call. */
  get(key: string, make: () => tf.Tensor): tf.Tensor;
}

export interface ScoreGrad {
  /** The score [B]; present unless `ScoreGradOptions.score` was false. */
  readonly score?: tf.Tensor1D;
  readonly grad: tf.Tensor;
}

/** Inference network g(x): logits, mapped into Y by the output space's `activate`. */
export interface InferenceNet {
  readonly params: ParamStore;
  logits(x: tf.Tensor, mode: Mode): tf.Tensor;
}

/** What a task's network factories receive. */
export interface BuildContext {
  readonly xShape: readonly number[];
  readonly yShape: readonly number[];
  readonly hp: HyperParams;
  readonly rng: Rng;
}

/** What a task's loader receives. */
export interface LoadContext {
  /** Root data directory (`--data`, `ALEN_DATA`, or `../shared/data`). */
  readonly dataDir: string;
  readonly seed: number;
  /** Keep only the first N examples of a split (small runs, tests, quick benchmarks). */
  readonly limit?: Partial<Record<Split, number>>;
  /** Free-form options from the CLI (`--opt key=value`). */
  readonly options: Readonly<Record<string, string>>;
  /** Progress messages (cache misses, decoding); default silent. */
  readonly log?: (message: string) => void;
}

/**
 * Test-time views of an input: e.g. 36 overlapping crops whose soft masks are averaged back.
 * `split` maps a batch [B, ...] to [B·K, ...]; `merge` maps outputs [B·K, ...] back to [B, ...].
 * `splitOutput` (optional, must be differentiable) enables joint inference over all views.
 */
export interface TestViews {
  split(x: tf.Tensor): tf.Tensor;
  merge(y: tf.Tensor, batchSize: number): tf.Tensor;
  splitOutput?(y: tf.Tensor): tf.Tensor;
}

export type MethodName = 'alen' | 'aen' | 'alen-no-task' | 'alen-dvn' | 'infnet' | 'dvn';

/** Every hyper-parameter of every method; a task's defaults and the CLI's flags override these. */
export interface HyperParams {
  epochs: number;
  batchSize: number;
  /** Batch size for prediction (memory bound, not a training setting). */
  evalBatchSize: number;
  optimizer: 'adam' | 'sgd';
  lr: number;
  /** Learning rate of the inference network when it differs from `lr`. */
  lrG?: number;
  /** Optimizer of the inference network when it differs from `optimizer` (β1 is shared). */
  optimizerG?: 'adam' | 'sgd';
  beta1: number;
  /** L2 weight decay on kernels (biases excluded). */
  weightDecay: number;
  /** Weight decay of the energy network when it differs from `weightDecay`. */
  weightDecayV?: number;
  /** Weight decay of the inference network when it differs from `weightDecay`. */
  weightDecayG?: number;
  /**
   * Decay of an exponential moving average of both networks' weights (0 = none): validation,
   * `checkpoints/best` and the final model use the averaged weights, training the live ones.
   */
  emaDecay: number;
  /** Piecewise-constant learning-rate multipliers: `[[epochs, multiplier], ...]`. */
  lrSchedule?: ReadonlyArray<readonly [number, number]>;
  /** Validation (and model selection) every N epochs. */
  valEvery: number;
  /**
   * Early stopping: training ends once this many epochs have passed since the best validation
   * score (0 = off, train every epoch). The run counts as finished, not interrupted.
   */
  patience: number;

  // Gradient inference (ALEN family)
  /** Step size of normalized ascent. */
  eta: number;
  /** Refinement steps while training (y' → y''). */
  trainSteps: number;
  /** Refinement steps at test time. */
  testSteps: number;
  /** Candidate test step counts; the one with the best validation metric is used. */
  testStepsCandidates?: readonly number[];
  energyOutput: 'sigmoid' | 'linear';

  // ALEN losses (Eq. 6, 7, 11)
  /** Weight of Eq. 6's ground-truth term ½(v(x, y*) − 1)² (1 in the paper). */
  truthV: number;
  lambdaV: number;
  betaV: number;
  lambdaG: number;
  useTaskLoss: boolean;
  /**
   * The inference network's adversarial term: 'square' is Eq. 11, λg/2 (v(x, g(x)) − 1)²;
   * 'log' is the non-saturating λg · −log σ(score) (needs the sigmoid output), whose gradient does
   * not vanish when v rates g's outputs near 0.
   */
  gAdversarialLoss: 'square' | 'log';
  /**
   * The energy network's fit to its targets (1, h(y′), h(y″)): 'square' is Eq. 6 on the energy
   * output; 'bce' is the cross-entropy of sigmoid(score) against the targets (as DVN fits its value
   * net), whose gradient does not vanish when the sigmoid saturates. 'bce' needs the sigmoid output.
   */
  energyLoss: 'square' | 'bce';
  /**
   * What the energy network of the ALEN family learns from: 'alen' is Eq. 6 (ground truth, g's
   * proposal y′ and its refinement y″); 'dvn' is DVN's objective (cross-entropy regression of
   * sigmoid(v) onto h(y, y*) on DVN's tuples, `dvn*` settings), while g still trains by Eq. 11
   * against that v and prediction still refines g(x) by normalized steps. Method `alen-dvn`.
   */
  energyObjective: 'alen' | 'dvn';
  /**
   * Not in the paper (0 = Eq. 6): weight of one more energy term fitting v(x, decode(y′)) to
   * h(decode(y′), y*), g's proposal rounded to hard labels. Ground truth is hard and proposals are
   * soft, so without it "how hard is y" alone separates the targets of Eq. 6.
   */
  hardV: number;
  /**
   * Not in the paper (0 = Eq. 6): weight of one more energy term fitting v(x, y*ₒ) to h(y*ₒ, y*),
   * where y*ₒ is another example's ground truth (the batch's y* rolled by a random shift). Without
   * it v can rate any plausible output highly without reading x (seen on Weizmann).
   */
  otherTruthV: number;
  /**
   * Not in the paper (0 = Eq. 6): weight of one more energy term fitting v(x, y_m) to h(y_m, y*),
   * where y_m = α·y* + (1 − α)·y′ with α ~ U(0, 1) per example: the segment from g's proposal to
   * the truth, which a refinement from y′ travels.
   */
  mixTruthV: number;
  /**
   * Not in the paper (0 = Eq. 6): weight of one more energy term fitting v(x, y_o) to h(y_o, y*),
   * where y_o = α·y*ₒ + (1 − α)·y′ mixes g's proposal with another example's ground truth (α ~
   * U(0, 1) per example): a proposal with plausible wrong labels, as g makes them on new inputs.
   */
  mixOtherV: number;
  /**
   * Not in the paper (0 = Eq. 6): weight of DVN's tuples (`dvn*` settings, as in method `dvn`) as
   * one more term of Eq. 6, each fitted to its oracle value: v also learns the outputs an ascent
   * from DVN's start point meets, while g and prediction stay ALEN's.
   */
  dvnTuplesV: number;
  /**
   * Not in the paper (0 = Eq. 6): weight of one more energy term fitting v on the refinement of y′
   * after k normalized steps, k ~ U{1, …, `pathSteps`} per example: the points a test-time ascent
   * passes through, beyond y″'s `trainSteps`.
   */
  pathV: number;
  /** The longest refinement `pathV`'s term draws from (default 10). */
  pathSteps: number;
  /**
   * Not in the paper (0 = Eq. 6): weight of 1 − h(y″_v, y*) in v's loss, where y″_v is y′ refined by
   * `trainSteps` normalized steps on v and differentiated through them (second-order gradients):
   * v learns to make its own ascent improve the task score, as in unrolled SPEN training.
   */
  unrollV: number;
  /** Reduction of the task loss over output dims: sum (default) or mean. */
  taskLossReduction: 'sum' | 'mean';

  // DVN
  /** Step size of DVN inference on d sigmoid(v)/dy. */
  dvnEta: number;
  /** Inference steps of DVN prediction, and of its training tuples unless `dvnTrainSteps` is set. */
  dvnSteps: number;
  /** Probability that a batch's tuples come from inference (else the adversarial branch). */
  dvnInferenceProb: number;
  /** Normalize the DVN ascent direction as ALEN does (plain gradient when false). */
  dvnNormalized: boolean;
  /**
   * What a normalized ascent step divides by: 'full', the whole gradient ∇y v (ALEN Eq. 4); or
   * 'feasible', only its part the projection keeps (the output space's `feasibleDirection`), so
   * that components pushing past a bound (a pixel at 0 told to go lower) do not shorten the step.
   */
  ascentNorm: 'full' | 'feasible';
  /**
   * The gradient DVN's one-step tuples follow from their start (zeros or g(x), half the rows the
   * ground truth): 'value', one ascent step on σ(v) (what the released multi-label code does); or
   * 'loss', one step up the value network's own loss, cross-entropy of σ(v(x, y)) against
   * h(y, y*) with h held fixed: the paper's adversarial tuples, outputs v misjudges most (§3.3).
   */
  dvnAdversarial: 'value' | 'loss';
  /**
   * Which point of a training inference run becomes the batch's tuples: 'final', the output after
   * all `dvnSteps` (the released code); or 'trajectory', the output after a step count drawn
   * uniformly from 1..`dvnSteps` per batch, so v also learns the masks that test-time inference
   * passes through on its way (DVN §3.3: "the output hypotheses generated along the inference
   * trajectory"). It also halves the average cost of an inference batch.
   */
  dvnInferenceTuples: 'final' | 'trajectory';
  /**
   * In DVN's one-step tuples, the probability that a row not started at its own ground truth starts
   * at another example's instead (default 0: all start at DVN's start point). Such a mask is a
   * plausible output that fits a different input, so v cannot score it well without reading x.
   */
  dvnOtherTruth: number;
  /**
   * DVN's tuples (also alen-dvn's): epochs at the start in which every batch takes the one-step
   * tuples from each row's own ground truth or another example's (as with `dvnInferenceProb` 0 and
   * `dvnOtherTruth` 1), so v first learns to tell the image's mask from another image's before
   * inference tuples join (0 = none; not in the paper).
   */
  dvnContrastEpochs: number;
  /**
   * Probability that a batch's DVN tuples are random outputs near y* (DVN §3.3's stratified
   * samples, p(y) ∝ exp(v*(y, y*)/τ); Table 4's "Inference + Stratified Sampling") instead of
   * coming from inference or the one-step branch (0 = never, the default).
   */
  dvnSampleProb: number;
  /** τ of DVN's stratified samples: how close to y* they stay (the paper's 0.05). */
  dvnSampleTau: number;
  /**
   * Probability that a batch's DVN tuples are ground truths, each row its own (value 1) or, at
   * random, another example's (valued by the oracle against its own): a contrast v can only score
   * by reading x (0 = never, the default; not in the paper).
   */
  dvnTruthPairsProb: number;
  /**
   * Probability that a batch's DVN tuples are an inference run's output (a random point of the
   * first `dvnTrainSteps` steps) moved `dvnAdvSteps` steps up the value net's loss: the paper's
   * "inference + adversarial" tuples (DVN §3.3, Table 4), outputs near where inference goes that v
   * misjudges most (0 = never, the default).
   */
  dvnAdvInferenceProb: number;
  /** Steps up v's loss that `dvnAdvInferenceProb`'s tuples take (default 1). */
  dvnAdvSteps: number;
  /**
   * Tuples drawn from the last 50 batches' tuples and fitted along with each batch's (DVN §3.2's
   * experience replay; 0 = none, the default). The buffer is saved with `checkpoints/last`
   * (method.bin), so a resumed run replays what an uninterrupted one would.
   */
  dvnReplay: number;
  /** The longest inference run of DVN's training tuples (0, the default: `dvnSteps`, as prediction). */
  dvnTrainSteps: number;
  /** DVN prediction starting point: zeros, or the output space's centre (0.5 / 1/C). */
  dvnInit: 'zeros' | 'center';
  /**
   * Where the energy's DVN tuples start in the ALEN family (`energyObjective: 'dvn'`): 'init' is
   * DVN's start point (`dvnInit`, `dvnSteps` of DVN's ascent); 'proposal' is g(x), refined by
   * `trainSteps` of ALEN's normalized steps, so v learns on the outputs prediction refines
   * (the adversarial branch mixes y* with g(x)). 'proposal' needs an inference network.
   */
  dvnTupleStart: 'init' | 'proposal';
  /**
   * The mode g runs in when it proposes y′ for the energy's update (ALEN family): 'train' (with
   * dropout, as in the reference's v step) or 'eval' (the proposal prediction starts from).
   */
  proposalMode: 'train' | 'eval';
  /**
   * Whose proposals y′ the energy's update fits (ALEN family): g's own ('own'), or cross-fitted ones
   * ('crossfit'): two more inference nets each learn (task loss alone) from one half of the training
   * examples, and each example's y′ comes from the one that never trained on it, as g's proposals
   * for new inputs do at test time; 'both' fits g's and the cross-fitted ones (λv on each y′, βv on
   * each y″). g still learns as before (task loss and Eq. 11 against v).
   */
  energyProposals: 'own' | 'crossfit' | 'both';
  /**
   * Dropout on x when g proposes y′ for the energy's update (ALEN family; 0 = none): proposals
   * for training inputs then err more like g's proposals for new inputs, which v must rate.
   */
  proposalInputDropout: number;
  /**
   * ALEN family: epochs at the start in which g trains on its task loss alone and v does not
   * train (g pretrained as the InfNet baseline; 0 = none).
   */
  pretrainG: number;
  /**
   * The targets of Eq. 6's terms (ALEN family): 'soft' is the oracle on the soft output itself
   * (the paper); 'hard' (not in the paper) is the oracle on its decoding, the metric the output
   * will score once thresholded, so that v does not rate soft outputs above what they decode to.
   */
  energyTargets: 'soft' | 'hard';
  /**
   * Eq. 6's targets raised to this power (ALEN family; 1, the paper, by default). A power above 1
   * spreads targets that crowd near 1 (LFW's pixel accuracies: 0.92 for a proposal, 1 for the
   * truth) without changing their order, so v must tell a good output from a perfect one.
   */
  energyTargetPower: number;
  /**
   * How v fits Eq. 6 (ALEN family): 'scalar' (the paper's equation) fits one score per output to
   * the oracle; 'map' fits the energy's per-element scores (`scoreMap`, e.g. an FCN energy's score
   * matrix) to the task's per-element oracle (`oracleMap`), each pixel a target of its own. v, its
   * refinement and g's adversarial term still use the mean score.
   */
  energyFit: 'scalar' | 'map';

  /** Architecture options read by the task's factories (hidden sizes, dropout, ...). */
  arch: Record<string, number | string | boolean>;
}

export type HyperParamOverrides = Partial<Omit<HyperParams, 'arch'>> & {
  arch?: Record<string, number | string | boolean>;
};

/** One benchmark profile of a task: data size and schedule per method. */
export interface BenchProfile {
  readonly limit?: Partial<Record<Split, number>>;
  readonly methods: readonly MethodName[];
  readonly seeds: readonly number[];
  readonly overrides?: Partial<Record<MethodName | 'common', HyperParamOverrides>>;
}

/** Published numbers for a method on a task, keyed by metric name (percent). */
export type PaperNumbers = Partial<Record<MethodName | 'infnet(alen)' | string, Record<string, number>>>;

/** A file a task reads, for "which files were expected where" messages. */
export interface ExpectedFile {
  /** A file or folder, relative to the data directory. */
  readonly path: string;
  readonly description: string;
  /** Used when present (e.g. extra metrics), not required. */
  readonly optional?: boolean;
}

/** What `alen predict` hands to a task's `readInput` / `writeOutput` besides the checkpoint's task state. */
export interface PredictIoContext {
  readonly dataDir?: string;
  /** A task's own prediction options (e.g. the multi-label plugin's `threshold`), for library callers. */
  readonly [option: string]: unknown;
}

/**
 * A task plugin: a plain object, written with {@link defineTask}. Only `name`, `description`,
 * `outputSpace`, `oracle`, `load`, `evaluate`, `primaryMetric` and the two factories are required.
 */
export interface Task {
  readonly name: string;
  readonly description: string;
  readonly outputSpace: OutputSpace;
  readonly oracle: Oracle;
  /** Optional: the oracle per output element (per pixel), for energies fitted per element (`energyFit: 'map'`). */
  readonly oracleMap?: OracleMap;
  /** Metric used for model selection and reports (a key of `evaluate`'s result). */
  readonly primaryMetric: string;
  /** Files the loader needs, relative to the data directory. */
  readonly expectedFiles?: readonly ExpectedFile[];
  load(ctx: LoadContext): Promise<TaskData>;
  /** Metrics of soft predictions (flat, `data.size × yShape`) against a split's targets. Values in percent. */
  evaluate(pred: Float32Array, data: Dataset): Record<string, number>;
  /**
   * Optional: metrics with a setting chosen on the validation split's predictions and applied to
   * `data`'s (e.g. the decision threshold with the best validation F1). Added to a tested split's
   * metrics under names that say so; not computed where no held-out validation split exists (refits).
   */
  evaluateTuned?(pred: Float32Array, data: Dataset, val: { readonly pred: Float32Array; readonly data: Dataset }): Record<string, number>;
  createEnergy(ctx: BuildContext): EnergyNet;
  createInference(ctx: BuildContext): InferenceNet;
  /**
   * Defaults on top of core's: `common` for every method, then the family's entry (`alen` also
   * serves aen, alen-no-task and alen-dvn), then an ablation's own entry. Unknown keys are refused.
   */
  readonly defaults?: Partial<Record<MethodName | 'common', HyperParamOverrides>>;
  /** Per-example output shape for an input shape, when inputs vary in size (crops); default: the data's yShape. */
  outputShape?(xShape: readonly number[]): readonly number[];
  /**
   * Training-time augmentation (random crops, flips); must dispose what it replaces, and may return
   * the batch unchanged. `hp` is the run's, so a task can switch augmentation by an `arch` option.
   */
  augment?(batch: Batch, rng: Rng, hp: HyperParams): Batch;
  /** Test-time views (multi-crop); when absent the network sees the whole input. */
  readonly testViews?: TestViews;
  /**
   * Reads inputs for `alen predict`; the default reads CSV/TSV rows of numbers. `taskState` is
   * what the training split's `meta.taskState` held (e.g. standardization statistics), saved in
   * the checkpoint. `ctx.dataDir` is the data directory `alen predict` was given (`--data`), for
   * a task that can rebuild what an older checkpoint lacks from its training files.
   */
  readInput?(file: string, taskState?: Readonly<Record<string, unknown>>, ctx?: PredictIoContext): Promise<{ x: Float32Array; n: number; ids?: string[] }>;
  /** Writes predictions for `alen predict`; the default writes CSV rows. `taskState` and `ctx` as for `readInput`. */
  writeOutput?(file: string, pred: Float32Array, n: number, ids?: readonly string[], taskState?: Readonly<Record<string, unknown>>, ctx?: PredictIoContext): Promise<void>;
  readonly bench?: { readonly quick: BenchProfile; readonly paper: BenchProfile };
  readonly paper?: PaperNumbers;
}
