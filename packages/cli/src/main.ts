import yargs from 'yargs';
import { AlenError } from '@alen/core';
import { tasksCommand } from './commands/tasks.js';
import { trainCommand } from './commands/train.js';
import { evalCommand } from './commands/eval.js';
import { predictCommand } from './commands/predict.js';
import { sweepCommand } from './commands/sweep.js';
import { benchCommand } from './commands/bench.js';
import { paramsCommand } from './commands/params.js';

/** Runs the `alen` command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('alen')
    .usage('$0 <command> [options]\n\nEnergy-based structured prediction: train, evaluate and apply ALEN, DVN and their baselines on any registered task.')
    .command(tasksCommand)
    .command(trainCommand)
    .command(evalCommand)
    .command(predictCommand)
    .command(sweepCommand)
    .command(benchCommand)
    .command(paramsCommand)
    .demandCommand(1, 'name a command: tasks, train, eval, predict, sweep, bench or params')
    .strict()
    .recommendCommands()
    .epilogue('Examples:\n  alen tasks\n  alen train --task bibtex --method alen\n  alen eval --checkpoint runs/bibtex-alen-s0 --curve 0,1,2,4,6,10\n  alen bench --task bibtex --profile quick\n  alen params --task bibtex --method alen\n\nRun `alen <command> --help` for every flag of a command.')
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) throw err;
      // Throwing stops yargs: returning would let the command's handler run anyway.
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (!(e instanceof UsageError)) return reportError(e as Error);
    process.stderr.write(`alen: ${e.message}\nRun 'alen --help' for usage.\n`);
    return 2;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

class UsageError extends Error {}

function reportError(err: Error): number {
  if (err instanceof AlenError && err.code === 'INTERRUPTED') {
    process.stderr.write(`alen: ${err.message}\n`);
    return 130;
  }
  if (err instanceof AlenError) process.stderr.write(`alen: error [${err.code}]: ${err.message}\n`);
  else process.stderr.write(`alen: error: ${err.message}\n${process.env.ALEN_DEBUG ? err.stack + '\n' : ''}`);
  return 1;
}
