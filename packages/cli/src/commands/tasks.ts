import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import { listTasks } from '@alen/core';
import { globalOptions, setup, type GlobalArgs } from './common.js';
import { markdownTable } from '../format.js';

export const tasksCommand: CommandModule<object, GlobalArgs & { json?: boolean }> = {
  command: 'tasks',
  describe: 'List the registered tasks (installed plugins and --plugin modules) and whether their data is present',
  builder: (y) => globalOptions(y).option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as never,
  handler: async (args) => {
    const { dataDir } = await setup({ ...args, quiet: true });
    const rows = listTasks().map((t) => {
      const files = t.expectedFiles ?? [];
      const absent = files.filter((f) => !fs.existsSync(path.join(dataDir, f.path)));
      const missing = absent.filter((f) => !f.optional).map((f) => f.path);
      const optionalMissing = absent.filter((f) => f.optional).map((f) => f.path);
      return { name: t.name, description: t.description, metric: t.primaryMetric, output: t.outputSpace.kind, missing, optionalMissing };
    });
    if (args.json) {
      process.stdout.write(JSON.stringify({ dataDir, tasks: rows }, null, 2) + '\n');
      return;
    }
    if (!rows.length) {
      process.stdout.write('No tasks registered. Install a task plugin (e.g. npm i @alen/multilabel) or pass --plugin.\n');
      return;
    }
    process.stdout.write(
      markdownTable(
        ['task', 'description', 'metric', 'output', 'data'],
        rows.map((r) => [r.name, r.description, r.metric, r.output, r.missing.length ? `missing: ${r.missing.join(', ')}` : r.optionalMissing.length ? `ok (optional missing: ${r.optionalMissing.join(', ')})` : 'ok']),
      ),
    );
    process.stdout.write(`data directory: ${dataDir}\n`);
  },
};
