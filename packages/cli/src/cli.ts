#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { main } from './main.js';

// `alen tasks | head` closes the pipe early: not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`alen: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
