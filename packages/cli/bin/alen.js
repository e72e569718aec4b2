#!/usr/bin/env node
// The `alen` binary. It is a committed file (not dist/cli.js itself) so that `npm ci` links it
// before the workspace is built; without a build it says so instead of failing on a missing module.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(`alen: error [NOT_BUILT]: ${fileURLToPath(cli)} is missing; build the packages first (npm run build)\n`);
  process.exit(1);
}
await import(cli.href);
