import type { HyperParamOverrides, HyperParams, MethodName, OutputSpace, Task } from './types.js';
import { AlenError } from './errors.js';

export const METHODS: readonly MethodName[] = ['alen', 'aen', 'alen-no-task', 'alen-dvn', 'infnet', 'dvn'];

/** Core's defaults, the ALEN paper's where it gives them (Adam β1 = 0.5). */
export const CORE_DEFAULTS: HyperParams = {
  epochs: 50,
  batchSize: 32,
  evalBatchSize: 512,
  optimizer: 'adam',
  lr: 1e-3,
  beta1: 0.5,
  weightDecay: 0,
  emaDecay: 0,
  valEvery: 1,
  patience: 0,
  eta: 1.0,
  trainSteps: 3,
  testSteps: 6,
  energyOutput: 'sigmoid',
  truthV: 1,
  lambdaV: 1,
  betaV: 1,
  lambdaG: 1,
  useTaskLoss: true,
  gAdversarialLoss: 'square',
  energyLoss: 'square',
  hardV: 0,
  otherTruthV: 0,
  mixTruthV: 0,
  mixOtherV: 0,
  dvnTuplesV: 0,
  pathV: 0,
  pathSteps: 10,
  unrollV: 0,
  energyObjective: 'alen',
  taskLossReduction: 'sum',
  dvnEta: 0.5,
  dvnSteps: 20,
  dvnInferenceProb: 0.5,
  dvnNormalized: false,
  ascentNorm: 'full',
  dvnAdversarial: 'value',
  dvnInferenceTuples: 'final',
  dvnOtherTruth: 0,
  dvnContrastEpochs: 0,
  dvnSampleProb: 0,
  dvnSampleTau: 0.05,
  dvnTruthPairsProb: 0,
  dvnAdvInferenceProb: 0,
  dvnAdvSteps: 1,
  dvnReplay: 0,
  dvnTrainSteps: 0,
  dvnInit: 'zeros',
  dvnTupleStart: 'init',
  proposalMode: 'train',
  energyProposals: 'own',
  proposalInputDropout: 0,
  pretrainG: 0,
  energyTargets: 'soft',
  energyTargetPower: 1,
  energyFit: 'scalar',
  arch: {},
};

/** Hyper-parameters without a core default (unset means: use the general one, or none). */
export const OPTIONAL_HYPERPARAMS = ['lrG', 'optimizerG', 'weightDecayV', 'weightDecayG', 'lrSchedule', 'testStepsCandidates'] as const;

/** Every hyper-parameter name a user may set (besides `arch.NAME`). */
export function knownHyperParams(): string[] {
  return [...Object.keys(CORE_DEFAULTS).filter((k) => k !== 'arch'), ...OPTIONAL_HYPERPARAMS];
}

/** What each method name switches on or off; the ablations of ALEN Table 1 are the same loop. */
export const METHOD_OVERRIDES: Record<MethodName, HyperParamOverrides> = {
  alen: {},
  aen: { betaV: 0 },
  'alen-no-task': { useTaskLoss: false },
  'alen-dvn': { energyObjective: 'dvn' },
  infnet: {},
  dvn: {},
};

export function assertMethod(name: string): MethodName {
  if (!(METHODS as readonly string[]).includes(name)) {
    throw new AlenError('UNKNOWN_METHOD', `unknown method '${name}'; choose one of ${METHODS.join(', ')}`);
  }
  return name as MethodName;
}

/** The family whose task defaults apply: ablations of ALEN share ALEN's defaults. */
export function methodFamily(m: MethodName): 'alen' | 'infnet' | 'dvn' {
  return m === 'infnet' || m === 'dvn' ? m : 'alen';
}

function merge(base: HyperParams, o: HyperParamOverrides | undefined): HyperParams {
  if (!o) return base;
  const clean = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return { ...base, ...clean, arch: { ...base.arch, ...(o.arch ?? {}) } } as HyperParams;
}

/** Where a resolved hyper-parameter's value comes from, lowest precedence first. */
export type HyperParamSource = 'core' | 'task' | 'task method family' | 'method' | 'task method' | 'user';

/**
 * The layers a run's hyper-parameters are merged from, lowest precedence first: core defaults <
 * task `common` < task family (alen/dvn/infnet) < the method's switches < the task's own entry for
 * the exact method < user overrides.
 */
function hyperParamLayers(task: Task, method: MethodName, user?: HyperParamOverrides): Array<[HyperParamSource, HyperParamOverrides | undefined]> {
  return [
    ['task', task.defaults?.common],
    ['task method family', task.defaults?.[methodFamily(method)]],
    ['method', METHOD_OVERRIDES[method]],
    ['task method', method !== methodFamily(method) ? task.defaults?.[method] : undefined],
    ['user', user],
  ];
}

/** Resolves a run's hyper-parameters from {@link hyperParamLayers}, validated. */
export function resolveHyperParams(task: Task, method: MethodName, user?: HyperParamOverrides): HyperParams {
  return explainHyperParams(task, method, user).hp;
}

/**
 * {@link resolveHyperParams} with the layer each value was last set by (`arch.NAME` keys for the
 * architecture options). Unset optional hyper-parameters are absent from `sources`.
 */
export function explainHyperParams(task: Task, method: MethodName, user?: HyperParamOverrides): { hp: HyperParams; sources: Record<string, HyperParamSource> } {
  const known = new Set([...knownHyperParams(), 'arch']);
  const wrong = Object.keys(user ?? {}).filter((k) => !known.has(k));
  if (wrong.length) throw new AlenError('BAD_CONFIG', `unknown hyper-parameter${wrong.length > 1 ? 's' : ''} ${wrong.join(', ')}. Known: ${[...known].join(', ')}`);
  const sources: Record<string, HyperParamSource> = {};
  for (const k of Object.keys(CORE_DEFAULTS)) if (k !== 'arch') sources[k] = 'core';
  let hp = CORE_DEFAULTS;
  for (const [source, layer] of hyperParamLayers(task, method, user)) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (k === 'arch') for (const a of Object.keys(v as object)) sources[`arch.${a}`] = source;
      else sources[k] = source;
    }
    hp = merge(hp, layer);
  }
  validateHyperParams(hp);
  assertSpaceSupports(hp, task.outputSpace, task.name);
  if (hp.energyFit === 'map' && methodFamily(method) === 'alen' && !task.oracleMap) {
    throw new AlenError('BAD_CONFIG', `energyFit 'map' fits per-element targets, but task ${task.name} defines no oracleMap`);
  }
  if (hp.dvnReplay > 0 && method !== 'dvn' && hp.energyObjective !== 'dvn') {
    throw new AlenError('BAD_CONFIG', `dvnReplay replays DVN's training tuples: it applies to methods dvn and alen-dvn, not ${method}`);
  }
  return { hp, sources };
}

/** Settings that need a hook of the output space fail early, naming it. */
export function assertSpaceSupports(hp: HyperParams, space: OutputSpace, taskName?: string): void {
  if (hp.ascentNorm === 'feasible' && !space.feasibleDirection) {
    const whose = taskName ? `task ${taskName}'s '${space.kind}' space` : `the '${space.kind}' space`;
    throw new AlenError('BAD_CONFIG', `ascentNorm 'feasible' needs the output space's feasibleDirection, which ${whose} does not define`);
  }
}

/** Hyper-parameters that take one of a few names. */
const CHOICES = {
  optimizer: ['adam', 'sgd'],
  optimizerG: ['adam', 'sgd'],
  energyOutput: ['sigmoid', 'linear'],
  gAdversarialLoss: ['square', 'log'],
  energyLoss: ['square', 'bce'],
  energyObjective: ['alen', 'dvn'],
  dvnInit: ['zeros', 'center'],
  dvnTupleStart: ['init', 'proposal'],
  proposalMode: ['train', 'eval'],
  energyProposals: ['own', 'crossfit', 'both'],
  energyTargets: ['soft', 'hard'],
  energyFit: ['scalar', 'map'],
  ascentNorm: ['full', 'feasible'],
  dvnAdversarial: ['value', 'loss'],
  dvnInferenceTuples: ['final', 'trajectory'],
} as const;

/** A value as a message shows it: strings quoted, so that '2' is not mistaken for 2. */
const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export function validateHyperParams(hp: HyperParams): void {
  const positiveInt: Array<keyof HyperParams> = ['epochs', 'batchSize', 'evalBatchSize', 'valEvery', 'pathSteps', 'dvnAdvSteps'];
  for (const k of positiveInt) {
    const v = hp[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new AlenError('BAD_CONFIG', `hyper-parameter ${k} must be a positive integer, got ${shown(v)}`);
    }
  }
  const nonNeg: Array<keyof HyperParams> = ['lr', 'eta', 'trainSteps', 'testSteps', 'truthV', 'lambdaV', 'betaV', 'hardV', 'otherTruthV', 'mixTruthV', 'mixOtherV', 'dvnTuplesV', 'pathV', 'unrollV', 'lambdaG', 'weightDecay', 'emaDecay', 'dvnEta', 'dvnSteps', 'dvnInferenceProb', 'dvnOtherTruth', 'dvnContrastEpochs', 'dvnSampleProb', 'dvnTruthPairsProb', 'dvnAdvInferenceProb', 'dvnReplay', 'dvnTrainSteps', 'pretrainG', 'proposalInputDropout', 'patience'];
  const optional: ReadonlyArray<keyof HyperParams> = ['lrG', 'weightDecayV', 'weightDecayG'];
  for (const k of [...nonNeg, ...optional]) {
    const v = hp[k];
    if (v === undefined && optional.includes(k)) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new AlenError('BAD_CONFIG', `hyper-parameter ${k} must be a finite number ≥ 0, got ${shown(v)}`);
    }
  }
  for (const k of ['dvnReplay', 'dvnTrainSteps', 'patience'] as const) {
    if (!Number.isInteger(hp[k])) throw new AlenError('BAD_CONFIG', `hyper-parameter ${k} must be a whole number ≥ 0, got ${hp[k]}`);
  }
  if (typeof hp.energyTargetPower !== 'number' || !Number.isFinite(hp.energyTargetPower) || !(hp.energyTargetPower > 0)) {
    throw new AlenError('BAD_CONFIG', `hyper-parameter energyTargetPower must be a finite number > 0 (1 = the oracle itself), got ${String(hp.energyTargetPower)}`);
  }
  if (hp.proposalInputDropout >= 1) throw new AlenError('BAD_CONFIG', `hyper-parameter proposalInputDropout must be a rate in [0, 1), got ${hp.proposalInputDropout}`);
  if (typeof hp.dvnSampleTau !== 'number' || !(hp.dvnSampleTau > 0) || !Number.isFinite(hp.dvnSampleTau)) {
    throw new AlenError('BAD_CONFIG', `hyper-parameter dvnSampleTau is a temperature: it must be a finite number > 0, got ${String(hp.dvnSampleTau)}`);
  }
  if (hp.emaDecay >= 1) throw new AlenError('BAD_CONFIG', `hyper-parameter emaDecay must be < 1 (0 = no averaging), got ${hp.emaDecay}`);
  for (const k of ['dvnInferenceProb', 'dvnOtherTruth', 'dvnSampleProb', 'dvnTruthPairsProb', 'dvnAdvInferenceProb'] as const) {
    if (hp[k] > 1) throw new AlenError('BAD_CONFIG', `hyper-parameter ${k} is a probability: it must be ≤ 1, got ${hp[k]}`);
  }
  for (const [k, allowed] of Object.entries(CHOICES) as Array<[keyof typeof CHOICES, readonly string[]]>) {
    if (k === 'optimizerG' && hp[k] === undefined) continue;
    if (!allowed.includes(hp[k] as string)) {
      throw new AlenError('BAD_CONFIG', `${k} must be ${allowed.map((c) => `'${c}'`).join(' or ')}, got '${String(hp[k])}'`);
    }
  }
  if (hp.gAdversarialLoss === 'log' && hp.energyOutput !== 'sigmoid') {
    throw new AlenError('BAD_CONFIG', "gAdversarialLoss 'log' is −log σ(v): it needs energyOutput 'sigmoid'");
  }
  if (hp.energyObjective === 'dvn' && hp.energyOutput !== 'sigmoid') {
    throw new AlenError('BAD_CONFIG', "energyObjective 'dvn' regresses sigmoid(score) onto the oracle: it needs energyOutput 'sigmoid'");
  }
  if (hp.energyObjective === 'dvn' && hp.energyFit === 'map') {
    throw new AlenError('BAD_CONFIG', "energyFit 'map' fits Eq. 6 per element, which energyObjective 'dvn' (method alen-dvn) does not train; use 'scalar'");
  }
  if (hp.energyObjective === 'dvn' && hp.energyProposals === 'both') {
    throw new AlenError('BAD_CONFIG', "energyProposals 'both' adds terms to Eq. 6, which energyObjective 'dvn' (method alen-dvn) does not train; use 'own' or 'crossfit'");
  }
  if (hp.energyObjective === 'dvn' && hp.energyProposals === 'crossfit' && hp.dvnTupleStart !== 'proposal') {
    throw new AlenError('BAD_CONFIG', "energyProposals 'crossfit' with energyObjective 'dvn' (method alen-dvn) needs dvnTupleStart 'proposal': otherwise its energy takes no proposals");
  }
  const eq6Terms = { hardV: '', otherTruthV: "; for DVN's tuples from another example's ground truth use dvnOtherTruth", mixTruthV: '', mixOtherV: '', pathV: '', unrollV: '', dvnTuplesV: ": it trains on DVN's tuples alone already" } as const;
  for (const [k, hint] of Object.entries(eq6Terms) as Array<[keyof typeof eq6Terms, string]>) {
    if (hp.energyObjective === 'dvn' && hp[k] > 0) {
      throw new AlenError('BAD_CONFIG', `${k} weighs a term of Eq. 6, which energyObjective 'dvn' (method alen-dvn) does not train${hint}`);
    }
  }
  if (hp.energyLoss === 'bce' && hp.energyOutput !== 'sigmoid') {
    throw new AlenError('BAD_CONFIG', "energyLoss 'bce' fits sigmoid(score): it needs energyOutput 'sigmoid'");
  }
}

/** The length of DVN's training-tuple inference runs: `dvnTrainSteps`, or `dvnSteps` when it is 0. */
export function dvnTupleSteps(hp: Pick<HyperParams, 'dvnSteps' | 'dvnTrainSteps'>): number {
  return hp.dvnTrainSteps > 0 ? hp.dvnTrainSteps : hp.dvnSteps;
}

/** Learning-rate multiplier at a (0-based) epoch from a piecewise schedule; the last piece extends. */
export function lrMultiplier(hp: HyperParams, epoch: number): number {
  if (!hp.lrSchedule?.length) return 1;
  let end = 0;
  for (const [n, m] of hp.lrSchedule) {
    end += n;
    if (epoch < end) return m;
  }
  return hp.lrSchedule[hp.lrSchedule.length - 1]![1];
}
