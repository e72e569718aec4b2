import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import { AlenError, INFERENCE_HYPERPARAMS, predictDataset, sizeOfShape, withInferenceSettings, type Dataset } from '@alen/core';
import { parseSets } from '../overrides.js';
import { globalOptions, setup, log, stepsFrom, type GlobalArgs } from './common.js';
import { loadRunCheckpoint } from '../checkpoint-dir.js';
import { readNumericRows, writeNumericRows } from '../io.js';

interface PredictArgs extends GlobalArgs {
  checkpoint: string;
  input: string;
  output: string;
  steps?: number;
  inferenceOnly: boolean;
  viewMode: 'average' | 'joint';
  set: string[];
}

export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict',
  describe: 'Predict outputs for new inputs with a saved model (input/output formats are the task\'s; by default CSV rows of numbers)',
  builder: (y) =>
    globalOptions(y)
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'model folder or run folder' })
      .option('input', { type: 'string', demandOption: true, describe: 'input file (or folder, for image tasks)' })
      .option('output', { type: 'string', demandOption: true, describe: 'output file (or folder, for image tasks: always one for several inputs), never the input itself; image and multi-label tasks write the soft outputs beside it as JSON' })
      .option('steps', { type: 'number', describe: 'test-time ascent steps (default: the model\'s)' })
      .option('inference-only', { type: 'boolean', default: false, describe: 'use the inference network alone' })
      .option('view-mode', { type: 'string', choices: ['average', 'joint'] as const, default: 'average' as const, describe: 'tasks with test-time crops: average the crops\' outputs, or joint inference over all crops' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: `predict with other inference settings, key=value: ${INFERENCE_HYPERPARAMS.join(', ')}` }) as never,
  handler: async (a) => {
    const steps = stepsFrom(a.steps);
    if (path.resolve(a.output) === path.resolve(a.input)) {
      throw new AlenError('BAD_CONFIG', `--output ${a.output} is the input itself: predictions would overwrite the inputs; choose another file or folder`);
    }
    const { dataDir } = await setup(a);
    const { model: saved, topology } = (await loadRunCheckpoint(a.checkpoint)).loaded;
    const model = a.set.length ? withInferenceSettings(saved, parseSets(a.set)) : saved;
    const task = model.task;
    const input = task.readInput
      ? await task.readInput(a.input, topology.taskState, { dataDir })
      : readNumericRows(a.input, sizeOfShape(model.xShape));
    const data: Dataset = {
      name: a.input, size: input.n, x: input.x, xShape: model.xShape, y: new Float32Array(input.n * sizeOfShape(model.yShape)), yShape: model.yShape, ids: input.ids,
    };
    const { pred } = await predictDataset(model, data, { steps, inferenceOnly: a.inferenceOnly, viewMode: a.viewMode });
    if (task.writeOutput) await task.writeOutput(a.output, pred, input.n, input.ids, topology.taskState, { dataDir });
    else writeNumericRows(a.output, pred, input.n, input.ids);
    if (!a.quiet) log(`wrote predictions for ${input.n} example(s) to ${a.output}`);
  },
};
