import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const TOY = fileURLToPath(new URL('./fixtures/toy-plugin.mjs', import.meta.url));
export const NOT_A_PLUGIN = fileURLToPath(new URL('./fixtures/not-a-plugin.mjs', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `alen` binary (nx builds it before the tests). */
export function alen(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build the cli package first (npx nx run-many -t build)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const tmpDir = (prefix = 'alen-cli-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Every file under a folder with its bytes, to show a failed command changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** Starts the built `alen` binary in the background: the child, its stderr so far, and its exit code. */
const background = new Set<ChildProcess>();

export function alenInBackground(args: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args]);
  background.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => { background.delete(child); resolve(code); }));
  return { child, stderr: () => stderr, exited };
}

/**
 * Stops what a test left running in the background (a test that failed or timed out before its
 * own kill): SIGTERM, which a sweep or bench passes on to its trainers, so no 100000-epoch run outlives the suite.
 */
export async function stopBackground(): Promise<void> {
  const left = [...background];
  await Promise.all(left.map((c) => new Promise<void>((resolve) => { c.once('close', () => resolve()); c.kill('SIGTERM'); })));
}
