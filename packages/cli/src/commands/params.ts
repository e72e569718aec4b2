import type { CommandModule } from 'yargs';
import { HYPERPARAM_DOCS, assertMethod, methodFamily, explainHyperParams, getTask, type HyperParamName, type HyperParamSource } from '@alen/core';
import { globalOptions, taskMethodOptions, type GlobalArgs } from './common.js';
import { hpFlags, hpOptions, type TrainArgs } from './train.js';
import { loadPlugins } from '../plugins.js';
import { mergeOverrides, parseSets } from '../overrides.js';
import { markdownTable } from '../format.js';

type ParamsArgs = GlobalArgs & Pick<TrainArgs, 'task' | 'method' | 'set' | 'epochs' | 'batchSize' | 'lr' | 'eta' | 'trainSteps' | 'testSteps' | 'lambdaV' | 'betaV' | 'lambdaG'> & { json: boolean };

/** One resolved hyper-parameter: its value, the layer that set it, and what it does. */
export interface ParamRow {
  name: string;
  value: unknown;
  source: HyperParamSource | 'unset';
  description: string;
}

/** A short name of the layer a value comes from, for the table. */
function sourceNames(method: string): Record<ParamRow['source'], string> {
  const family = methodFamily(assertMethod(method));
  return {
    core: 'core',
    task: 'task',
    'task method family': `task (${family})`,
    method: `method ${method}`,
    'task method': `task (${method})`,
    user: 'your flags',
    unset: '–',
  };
}

const PRECEDENCE = "core < the task's common defaults < the task's defaults for the method's family (alen, dvn, infnet) < the method's own switches < the task's defaults for the exact method < your flags";

/** Every hyper-parameter of `method` on `task` as `alen train` with these flags would resolve it. */
export function paramRows(task: string, method: string, a: Partial<TrainArgs>): ParamRow[] {
  const { hp, sources } = explainHyperParams(getTask(task), assertMethod(method), mergeOverrides(hpFlags(a), parseSets(a.set ?? [])));
  const names = Object.keys(HYPERPARAM_DOCS) as HyperParamName[];
  const rows: ParamRow[] = names.map((name) => ({ name, value: hp[name], source: sources[name] ?? 'unset', description: HYPERPARAM_DOCS[name] }));
  for (const [k, v] of Object.entries(hp.arch).sort(([x], [y]) => x.localeCompare(y))) {
    rows.push({ name: `arch.${k}`, value: v, source: sources[`arch.${k}`] ?? 'core', description: "architecture option, read by the task's networks" });
  }
  return rows;
}

const show = (v: unknown): string => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

export const paramsCommand: CommandModule<object, ParamsArgs> = {
  command: 'params',
  describe: 'Show every hyper-parameter a train run of a task and method would use, where each value comes from, and what it does',
  builder: (y) =>
    taskMethodOptions(hpOptions(globalOptions(y)))
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('alen params --task bibtex --method alen', "Bibtex ALEN's settings, marked where the task changes core's defaults")
      .example('alen params --task weizmann --method dvn --set dvnEta=2', 'what a --set changes') as never,
  handler: async (a) => {
    await loadPlugins(a.plugin ?? [], () => {});
    const rows = paramRows(a.task, a.method, a);
    if (a.json) {
      process.stdout.write(JSON.stringify({ task: a.task, method: a.method, params: rows }, null, 2) + '\n');
      return;
    }
    const changed = rows.filter((r) => r.source !== 'core' && r.source !== 'unset').length;
    process.stdout.write(`${a.task} / ${a.method}: ${rows.length} hyper-parameters, ${changed} of them set above core's defaults\n(precedence: ${PRECEDENCE})\n\n`);
    const from = sourceNames(a.method);
    process.stdout.write(markdownTable(['name', 'value', 'from', 'what'], rows.map((r) => [r.name, show(r.value), from[r.source], r.description])));
    process.stdout.write(`\nChange any of them with --set NAME=VALUE (JSON values; arch.NAME for architecture options) on train, sweep (--grid), eval (inference settings) and here.\n`);
  },
};

