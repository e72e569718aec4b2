import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { AlenError } from '@alen/core';
import { RESULT_FILE, type ExperimentResult } from './experiment.js';
import { cliPath } from './commands/common.js';
import { jobStatus } from './job-status.js';

export interface Job {
  /** Arguments of `alen train` (without the command name or --out). */
  readonly args: readonly string[];
  readonly out: string;
  readonly label: string;
  /** Epochs the run trains, for status lines (its config.json may be an older one's when it resumes). */
  readonly epochs?: number;
  /** Whether a finished run's result is all this job asks for (default: any result is); if not, it runs again with --resume. */
  readonly complete?: (r: ExperimentResult) => boolean;
}

/** Status lines on the running jobs every `everySeconds` (0: none), naming `metric`'s last validation value. */
export interface StatusOptions {
  readonly everySeconds: number;
  readonly metric: string;
  readonly write: (line: string) => void;
}

export interface JobOutcome {
  readonly job: Job;
  readonly result?: ExperimentResult;
  readonly error?: string;
  readonly seconds: number;
  readonly reused: boolean;
}

/**
 * Runs `alen train` jobs in child processes, `concurrency` at a time: TensorFlow.js's wasm
 * backend uses one core per process, so this is how sweeps and benchmarks use every core.
 * A job whose run folder already has result.json is reused; one with checkpoints resumes.
 */
export async function runJobs(
  jobs: readonly Job[],
  concurrency: number,
  onDone: (o: JobOutcome, done: number) => void,
  status?: StatusOptions,
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = new Array(jobs.length);
  const live = new Set<ChildProcess>();
  const running = new Set<Job>();
  let next = 0;
  let done = 0;
  let stoppedBy: NodeJS.Signals | undefined;
  // A signal that stops this process stops its trainers too (they resume from their last
  // checkpoint next time): an orphaned trainer would keep a run folder locked and busy.
  const stop = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    for (const child of live) child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  const worker = async () => {
    while (next < jobs.length && !stoppedBy) {
      const i = next++;
      const job = jobs[i]!;
      running.add(job);
      const outcome = await runJob(job, live);
      running.delete(job);
      outcomes[i] = outcome;
      if (!stoppedBy) onDone(outcome, ++done);
    }
  };
  // Long runs (hours) say where they are now and then; a trainer's own progress goes to its stdout.log.
  const ticker = status && status.everySeconds > 0
    ? setInterval(() => {
        for (const job of running) {
          const line = jobStatus(job.out, status.metric, job.epochs);
          if (line) status.write(`  ${job.label}: ${line}`);
        }
      }, status.everySeconds * 1000)
    : undefined;
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  } finally {
    if (ticker) clearInterval(ticker);
    for (const s of signals) process.off(s, stop);
  }
  if (stoppedBy) {
    throw new AlenError('INTERRUPTED', `stopped by ${stoppedBy} after ${done} of ${jobs.length} runs; the same command resumes the others from their checkpoints`);
  }
  return outcomes;
}

/** Why a trainer ended without a result: its exit code and last stderr lines, or the signal that killed it. */
export function failure(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  if (code === null) return `killed by ${signal ?? 'a signal'}; its last checkpoint stays and the same command resumes it${tail ? ` (${tail})` : ''}`;
  return `exit ${code}${tail ? `: ${tail}` : ''}`;
}

/** The result.json of a finished run folder, or undefined. */
export function readResult(out: string): ExperimentResult | undefined {
  const f = path.join(out, RESULT_FILE);
  if (!fs.existsSync(f)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as ExperimentResult;
  } catch {
    return undefined;
  }
}

function runJob(job: Job, live: Set<ChildProcess>): Promise<JobOutcome> {
  const existing = readResult(job.out);
  if (existing && (job.complete?.(existing) ?? true)) return Promise.resolve({ job, result: existing, seconds: 0, reused: true });
  fs.mkdirSync(job.out, { recursive: true });
  // A finished run that is not complete (a refit to add) resumes too: its result is kept, not trained again.
  // A resumed `alen train` keeps its run's epochs unless told: the job's count goes along (a time-boxed run trains on).
  const resume = existing || fs.existsSync(path.join(job.out, 'checkpoints'))
    ? ['--resume', ...(job.epochs !== undefined && !job.args.includes('--epochs') ? ['--epochs', String(job.epochs)] : [])]
    : [];
  const args = [cliPath(), 'train', ...job.args, '--out', job.out, ...resume, '--quiet'];
  const logFile = path.join(job.out, 'stdout.log');
  const t0 = performance.now();
  return new Promise((resolve) => {
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, args, { stdio: ['ignore', fd, 'pipe'] });
    live.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      fs.appendFileSync(logFile, d);
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      fs.closeSync(fd);
      const seconds = (performance.now() - t0) / 1000;
      const result = code === 0 ? readResult(job.out) : undefined;
      resolve({ job, result, seconds, reused: false, error: result ? undefined : failure(code, signal, stderr) });
    });
  });
}
