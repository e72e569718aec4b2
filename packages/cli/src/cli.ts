#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { main } from './main.js';

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`alen: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
