import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the CommonJS builds', () => {
  // package.json's "require" entries point at dist/index.cjs: a require() user gets core and the plugins too.
  it('require() loads core and every task plugin, shares one registry and runs on wasm', () => {
    const script = `
      const core = require('@alen/core');
      for (const p of ['@alen/multilabel', '@alen/weizmann', '@alen/lfw']) require(p);
      core.useBackend('wasm').then(() => {
        const s = core.tf.sum(core.tf.tensor([1, 2, 3])).dataSync()[0];
        console.log(JSON.stringify({ backend: core.tf.getBackend(), sum: s, tasks: core.listTasks().map((t) => t.name) }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 120_000 });
    // (stderr may carry Node's environment warnings, such as NO_COLOR beside FORCE_COLOR)
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Error|ERR_/);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({ backend: 'wasm', sum: 6, tasks: ['bibtex', 'bookmarks', 'lfw', 'lfw-crop', 'weizmann'] });
  });
});
