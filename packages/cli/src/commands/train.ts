import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { AlenError, METHODS, getTask, type HyperParamOverrides } from '@alen/core';
import { globalOptions, taskMethodOptions, limitOptions, limitFrom, setup, parseSteps, positiveIntFlag, log, quoteArgs, type GlobalArgs } from './common.js';
import { mergeOverrides, parseSets, parseOptions } from '../overrides.js';
import { runExperiment, CONFIG_FILE, RESULT_FILE, type ExperimentResult } from '../experiment.js';
import { markdownTable } from '../format.js';

export interface TrainArgs extends GlobalArgs {
  task: string;
  method: string;
  seed?: number;
  out?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  eta?: number;
  trainSteps?: number;
  testSteps?: number;
  lambdaV?: number;
  betaV?: number;
  lambdaG?: number;
  set: string[];
  opt: string[];
  limitTrain?: number;
  limitVal?: number;
  limitTest?: number;
  resume: boolean;
  stopAfter?: number;
  curve?: string;
  test: boolean;
  refit: boolean;
  json: boolean;
}

/** The seed and epochs a run folder's config.json records, when it has one. */
function readRunConfig(out: string): { seed: number; epochs: number } | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(out, CONFIG_FILE), 'utf8'));
    return typeof c.seed === 'number' && typeof c.hp?.epochs === 'number' ? { seed: c.seed, epochs: c.hp.epochs } : undefined;
  } catch {
    return undefined;
  }
}

export function hpFlags(a: Partial<TrainArgs>): HyperParamOverrides {
  return {
    epochs: a.epochs, batchSize: a.batchSize, lr: a.lr, eta: a.eta, trainSteps: a.trainSteps, testSteps: a.testSteps,
    lambdaV: a.lambdaV, betaV: a.betaV, lambdaG: a.lambdaG,
  };
}

/** The hyper-parameter flags of `train` (and `params`, which shows what they resolve to). */
export function hpOptions<T>(y: Argv<T>) {
  return y
    .option('epochs', { type: 'number', describe: 'training epochs (default: the task\'s)' })
    .option('batch-size', { type: 'number', describe: 'minibatch size' })
    .option('lr', { type: 'number', describe: 'learning rate of both networks, or of the energy net alone where the task sets lrG (bibtex alen: its SGD rate)' })
    .option('eta', { type: 'number', describe: 'ALEN: normalized ascent step size η' })
    .option('train-steps', { type: 'number', describe: 'ALEN: refinement steps while training' })
    .option('test-steps', { type: 'number', describe: 'ALEN: refinement steps at test time; where testStepsCandidates is set (`alen params` shows it) the count chosen on validation replaces it, unless --set testStepsCandidates=[]' })
    .option('lambda-v', { type: 'number', describe: 'ALEN: weight λv of the y′ term of the energy loss' })
    .option('beta-v', { type: 'number', describe: 'ALEN: weight βv of the y″ term (0 = AEN)' })
    .option('lambda-g', { type: 'number', describe: 'ALEN: weight λg of the adversarial term of the inference loss' })
    .option('set', { type: 'string', array: true, default: [] as string[], describe: 'any hyper-parameter as key=value (JSON values), e.g. --set dvnEta=0.5 --set arch.gDropout=0.3 --set testStepsCandidates=[0,2,4,6]' });
}

export function summary(r: ExperimentResult): string {
  const task = getTask(r.task);
  const paper = task.paper?.[r.method] ?? {};
  const keys = Object.keys(r.test ?? r.val);
  const rows = keys.map((k) => [k, r.val[k]?.toFixed(2) ?? '–', r.test?.[k]?.toFixed(2) ?? '–', r.testInferenceOnly?.[k]?.toFixed(2) ?? '–', paper[k]?.toString() ?? '–']);
  let s = `\n${r.task} / ${r.method} (seed ${r.seed}, ${r.backend}): best epoch ${r.bestEpoch} of ${r.epochsRun}${r.stoppedEarlyAt ? ` (stopped early: no better validation for ${r.hp.patience} epochs)` : ''}, ${r.trainSeconds.toFixed(1)} s training, ${r.stepsPerSecond.toFixed(1)} steps/s\n`;
  s += markdownTable(['metric', 'val', 'test', 'test, g alone', 'paper'], rows);
  if (r.curve) s += `test ${task.primaryMetric} by ascent steps: ${r.curve.map((p) => `${p.steps}:${p.metrics[task.primaryMetric]!.toFixed(2)}`).join('  ')}\n`;
  const f = r.refit;
  if (f) {
    const g = f.testInferenceOnly?.[task.primaryMetric];
    s += `refit on train + validation (${f.trainSize} examples, ${f.epochs} epochs, ${f.steps} test steps, ${f.trainSeconds.toFixed(1)} s): ` +
      `test ${task.primaryMetric} ${f.test?.[task.primaryMetric]?.toFixed(2) ?? '–'}${g !== undefined ? `, g alone ${g.toFixed(2)}` : ''}\n`;
  }
  return s;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a model on a task with ALEN, an ablation, DVN or the inference-network baseline; then evaluate it',
  builder: (y) =>
    taskMethodOptions(hpOptions(limitOptions(globalOptions(y))))
      .option('seed', { type: 'number', describe: 'random seed (data split, initialisation, shuffling, dropout); default 0, or with --resume the run\'s own' })
      .option('out', { type: 'string', describe: 'run folder (default runs/<task>-<method>-s<seed>): config.json, log.jsonl, checkpoints/, model/, result.json' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue the run in --out from its last checkpoint' })
      .option('stop-after', { type: 'number', describe: 'stop after this epoch (resume later with --resume)' })
      .option('curve', { type: 'string', describe: 'also report the test metric after these numbers of ascent steps, e.g. 0,1,2,4,6,10,20' })
      .option('test', { type: 'boolean', default: true, describe: 'evaluate on the test split at the end (--no-test for validation only)' })
      .option('refit', {
        type: 'boolean', default: false,
        describe: 'then train again on train + validation for the best epoch\'s count, with the test steps chosen on validation, into <out>/refit, and test that model too (with --resume on a finished run: the refit alone)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print result.json to stdout instead of a table' })
      .check((a) => {
        if (!(METHODS as readonly string[]).includes(a.method)) throw new AlenError('UNKNOWN_METHOD', `unknown method '${a.method}'; choose one of ${METHODS.join(', ')}`);
        return true;
      }) as never,
  handler: async (a) => {
    const { backend, dataDir } = await setup(a);
    const out = a.out ?? path.join('runs', `${a.task}-${a.method}-s${a.seed ?? 0}`);
    // Resuming continues the run as it was started: its seed, and its epochs unless given again.
    const started = a.resume ? readRunConfig(out) : undefined;
    if (started && a.seed !== undefined && a.seed !== started.seed) {
      throw new AlenError('BAD_CONFIG', `${out} was trained with seed ${started.seed}, not ${a.seed}: drop --seed to resume it, or train seed ${a.seed} into another --out`);
    }
    const seed = a.seed ?? started?.seed ?? 0;
    const r = await runExperiment({
      task: a.task,
      method: a.method,
      seed,
      overrides: mergeOverrides(started ? { epochs: started.epochs } : undefined, hpFlags(a), parseSets(a.set)),
      dataDir,
      limit: limitFrom(a),
      options: parseOptions(a.opt),
      outDir: out,
      resume: a.resume,
      stopAfterEpoch: positiveIntFlag('stop-after', a.stopAfter),
      backend,
      progress: !a.quiet,
      evaluateTest: a.test,
      curveSteps: parseSteps(a.curve),
      refit: a.refit,
      command: 'alen ' + quoteArgs(process.argv.slice(2)),
      log: a.quiet ? undefined : log,
    });
    if (a.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else if (r.interrupted) process.stdout.write(`stopped${r.refit || !fs.existsSync(path.join(out, RESULT_FILE)) ? ` after epoch ${r.epochsRun}` : ' in the refit'}; continue with --resume${a.refit ? ' --refit' : ''} --out ${out}\n`);
    else process.stdout.write(summary(r) + `run folder: ${out}\n`);
  },
};
