"""Tables a probe's results, finished or cut off: for each run (variant, seed) of OUT.jsonl, its best validation
score over the evaluations so far (read from the run's log, OUT.jsonl.<variant>-s<seed>.log, so a run killed by
a time limit still counts), where it came, the last epoch evaluated and the value probe there.

    python3 tools/torch/summarize.py OUT.jsonl [OUT2.jsonl ...] [--sort best|name]
"""
import argparse
import glob
import json
import os
import re


def best_of(val):
    """(score, at) over a val dict: {steps: score} (DVN probe) or {eta: {steps: score}} (ALEN probe)."""
    best = (-1.0, '')
    for k, v in val.items():
        for s, x in (v.items() if isinstance(v, dict) else [(k, v)]):
            at = f'{s}@{k}' if isinstance(v, dict) else str(s)
            if x > best[0]:
                best = (x, at)
    return best


def runs_of(out):
    """{(variant, seed): [curve rows]} from the per-run logs beside `out`."""
    runs = {}
    for log in sorted(glob.glob(glob.escape(out) + '.*-s*.log')):
        m = re.fullmatch(re.escape(out) + r'\.(.+)-s(\d+)\.log', log)
        if not m:
            continue
        rows = []
        with open(log) as f:
            for line in f:
                line = line.strip()
                if line.startswith('{'):
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass  # a line cut by the kill
        runs[(m.group(1), int(m.group(2)))] = rows
    return runs


def finished(out):
    done = {}
    if os.path.exists(out):
        with open(out) as f:
            for line in f:
                r = json.loads(line)
                done[(r['name'], r['seed'])] = r
    return done


def table(out, sort):
    runs, done = runs_of(out), finished(out)
    rows = []
    for key in set(runs) | set(done):
        curve = runs.get(key) or done.get(key, {}).get('curve', [])
        err = done.get(key, {}).get('error', '')
        best, at, epoch = (-1.0, '', 0)
        for r in curve:
            score, where = best_of(r['val'])
            if score > best:
                best, at, epoch = score, where, r['epoch']
        last = curve[-1] if curve else {}
        probe = ' '.join(f'{k} {v:.2f}' for k, v in last.get('probe', {}).items())
        state = err or ('done' if key in done else 'cut')
        rows.append((key[0], key[1], best, epoch, at, last.get('epoch', 0), probe, state))
    rows.sort(key=(lambda r: -r[2]) if sort == 'best' else (lambda r: (r[0], r[1])))
    print(f'\n{out}\n')
    print('| variant | seed | best val | epoch | steps | last epoch | probe at last | state |')
    print('| --- | --- | --- | --- | --- | --- | --- | --- |')
    for r in rows:
        best = f'{r[2]:.2f}' if r[2] >= 0 else '–'
        print(f'| {r[0]} | {r[1]} | {best} | {r[3] or "–"} | {r[4] or "–"} | {r[5]} | {r[6]} | {r[7]} |')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('outs', nargs='+', help="a probe's --out file(s)")
    p.add_argument('--sort', choices=['best', 'name'], default='best')
    a = p.parse_args()
    for out in a.outs:
        if not os.path.exists(out) and not glob.glob(glob.escape(out) + '.*-s*.log'):
            raise SystemExit(f'{out}: no such results file and no run logs beside it')
        table(out, a.sort)


if __name__ == '__main__':
    main()
