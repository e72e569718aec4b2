import type { CommandModule } from 'yargs';
import { limitTaskData, predictWithCurve, tunedMetrics, withInferenceSettings, INFERENCE_HYPERPARAMS, type Split } from '@alen/core';
import { globalOptions, limitOptions, limitFrom, setup, parseSteps, stepsFrom, type GlobalArgs } from './common.js';
import { parseOptions, parseSets } from '../overrides.js';
import { loadRunCheckpoint } from '../checkpoint-dir.js';
import { markdownTable } from '../format.js';

interface EvalArgs extends GlobalArgs {
  checkpoint: string;
  split: Split;
  steps?: number;
  inferenceOnly: boolean;
  curve?: string;
  viewMode: 'average' | 'joint';
  seed?: number;
  opt: string[];
  set: string[];
  limitTrain?: number;
  limitVal?: number;
  limitTest?: number;
  json: boolean;
}

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: 'Evaluate a saved model on a split of its task',
  builder: (y) =>
    limitOptions(globalOptions(y))
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'model folder (model.json + weights.bin) or run folder' })
      .option('split', { type: 'string', choices: ['train', 'val', 'test'] as const, default: 'test' as Split, describe: 'split to evaluate' })
      .option('steps', { type: 'number', describe: 'test-time ascent steps (default: the model\'s, chosen on validation when trained)' })
      .option('inference-only', { type: 'boolean', default: false, describe: 'predict with the inference network alone (InfNet(ALEN))' })
      .option('curve', { type: 'string', describe: 'metric after each of these numbers of ascent steps, e.g. 0,1,2,4,8,16' })
      .option('view-mode', { type: 'string', choices: ['average', 'joint'] as const, default: 'average' as const, describe: 'tasks with test-time crops: average the crops\' outputs, or joint inference over all crops' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: `predict with other inference settings, key=value: ${INFERENCE_HYPERPARAMS.join(', ')} (e.g. --set eta=0.25 --set ascentNorm=feasible)` })
      .option('seed', { type: 'number', describe: 'seed of the data split (default: the run\'s)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as never,
  handler: async (a) => {
    const { dataDir } = await setup(a);
    const { loaded, modelDir, config } = await loadRunCheckpoint(a.checkpoint);
    const model = a.set.length ? withInferenceSettings(loaded.model, parseSets(a.set)) : loaded.model;
    const seed = a.seed ?? (config?.seed as number | undefined) ?? 0;
    const options = { ...((config?.options as Record<string, string>) ?? {}), ...parseOptions(a.opt) };
    const data = limitTaskData(await model.task.load({ dataDir, seed, options, limit: limitFrom(a) }), limitFrom(a));
    const split = data[a.split];
    const opts = { steps: stepsFrom(a.steps), inferenceOnly: a.inferenceOnly, viewMode: a.viewMode };
    const steps = parseSteps(a.curve);
    // one ascent: the metrics at the model's (or --steps') step count, the curve from its iterates
    const { pred, metrics: plain, curve: points } = await predictWithCurve(model, split, steps ?? [], opts);
    const metrics = { ...plain, ...(await tunedMetrics(model, split, pred, data.val, opts)) };
    const curve = steps ? points : undefined;
    const out = { checkpoint: modelDir, task: model.task.name, method: model.method, split: a.split, size: split.size, metrics, curve };
    if (a.json) {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return;
    }
    process.stdout.write(`${model.task.name} / ${model.method} on ${a.split} (${split.size} examples)\n`);
    process.stdout.write(markdownTable(['metric', 'value'], Object.entries(metrics).map(([k, v]) => [k, v.toFixed(2)])));
    if (curve) {
      const key = model.task.primaryMetric;
      process.stdout.write(markdownTable(['ascent steps', key], curve.map((p) => [p.steps, p.metrics[key]!.toFixed(2)])));
    }
  },
};
