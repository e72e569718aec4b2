import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobStatus } from '../src/job-status.js';
import { tmpDir } from './helpers.js';

const epoch = (n: number, extra: object = {}) => JSON.stringify({ time: 't', event: 'epoch', epoch: n, losses: { lossV: 0.1 }, epochSeconds: 20, ...extra });

describe('jobStatus', () => {
  it('reports the last epoch, the last validation value and the time left at the recent pace', () => {
    const dir = tmpDir('alen-status-');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ hp: { epochs: 100 } }));
    const lines = [epoch(9), epoch(10, { val: { meanIou: 70.1234 } }), epoch(11), epoch(12)];
    // the trainer may be half-way through writing the next line
    fs.writeFileSync(path.join(dir, 'log.jsonl'), lines.join('\n') + '\n{"time":"t","event":"ep');
    expect(jobStatus(dir, 'meanIou')).toBe('epoch 12/100, val meanIou 70.12 at epoch 10, ~29 min left');
    // the count the job trains now wins over an older config's (a resumed run with more epochs)
    expect(jobStatus(dir, 'meanIou', 400)).toBe('epoch 12/400, val meanIou 70.12 at epoch 10, ~2 h 09 min left');
    expect(jobStatus(dir, 'f1')).toBe('epoch 12/100, ~29 min left');
  });

  it('bounds the time left by the patience still unspent when early stopping is on', () => {
    const dir = tmpDir('alen-status-');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ hp: { epochs: 375, patience: 30 } }));
    const lines = [epoch(9, { val: { f1: 40 }, isBest: true }), epoch(10, { val: { f1: 39 }, isBest: false }), epoch(12, { val: { f1: 38 }, isBest: false })];
    fs.writeFileSync(path.join(dir, 'log.jsonl'), lines.join('\n') + '\n');
    // the run ends after epoch 39 unless validation improves: 27 more epochs of 20 s
    expect(jobStatus(dir, 'f1')).toBe('epoch 12/375, val f1 38.00 at epoch 12, ~9 min left at most (early stopping)');
  });

  it('says nothing before the first epoch, and reads only the end of a long log', () => {
    const dir = tmpDir('alen-status-');
    expect(jobStatus(dir, 'f1')).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'log.jsonl'), JSON.stringify({ event: 'start' }) + '\n');
    expect(jobStatus(dir, 'f1')).toBeUndefined();
    const many = Array.from({ length: 5000 }, (_, i) => epoch(i + 1, i === 0 ? { val: { f1: 10 } } : {}));
    fs.writeFileSync(path.join(dir, 'log.jsonl'), many.join('\n') + '\n');
    // no config: no total, no time left; epoch 1's validation is beyond the tail that is read
    expect(jobStatus(dir, 'f1')).toBe('epoch 5000');
  });

  it('follows the refit once it has started', () => {
    const dir = tmpDir('alen-status-');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ hp: { epochs: 100 } }));
    fs.writeFileSync(path.join(dir, 'log.jsonl'), [epoch(99), epoch(100, { val: { f1: 40 } })].join('\n') + '\n');
    fs.mkdirSync(path.join(dir, 'refit'));
    fs.writeFileSync(path.join(dir, 'refit', 'config.json'), JSON.stringify({ hp: { epochs: 60 } }));
    fs.writeFileSync(path.join(dir, 'refit', 'log.jsonl'), JSON.stringify({ event: 'start' }) + '\n');
    expect(jobStatus(dir, 'f1', 100)).toBe('epoch 100/100, val f1 40.00 at epoch 100');
    fs.appendFileSync(path.join(dir, 'refit', 'log.jsonl'), epoch(30) + '\n');
    expect(jobStatus(dir, 'f1', 100)).toBe('refit on train + validation: epoch 30/60, ~10 min left');
  });
});
