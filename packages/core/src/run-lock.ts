import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AlenError } from './errors.js';

export const LOCK_FILE = '.lock';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a run folder for this process, so two trainings never write the same checkpoints.
 * A lock left by a process that has died (same host) is taken over. Returns the release function.
 */
export function lockRunFolder(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const mine = `${process.pid} ${os.hostname()}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${mine}\n`, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === mine) fs.rmSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = '';
      try {
        owner = fs.readFileSync(file, 'utf8').trim();
      } catch {
        continue; // released between our two calls
      }
      const [pidText, host] = owner.split(' ');
      const pid = Number(pidText);
      // Another host's process cannot be checked; its lock is honoured only on that host.
      if (host === os.hostname() && Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new AlenError('BAD_CONFIG', `run folder ${dir} is in use by process ${pid} (${file}); wait for it to finish or stop it`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AlenError('BAD_CONFIG', `run folder ${dir}: could not take ${file}`);
}
