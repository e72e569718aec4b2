"""What the segmentation probes share (PyTorch): the networks, projected ascent, and the runner that fans
(config, seed) jobs out to processes. What differs between Weizmann and LFW (data, output space, oracle,
augmentation, evaluation) is in seg_tasks.py."""
import json, os, subprocess, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_stack(in_channels):
    """The three 5x5 convs both networks start with: 64 channels stride 1, 128 stride 2, 128 stride 2 ('same' padding)."""
    return nn.Conv2d(in_channels, 64, 5, 1, 2), nn.Conv2d(64, 128, 5, 2, 2), nn.Conv2d(128, 128, 5, 2, 2)


class ValueNet(nn.Module):
    """DVN's value net: [image, output] -> conv 5x5 64 s1, 128 s2, 128 s2 -> FC 384 (dropout) -> FC 192 -> 1 logit."""

    def __init__(self, dropout, in_channels=4, side=24):
        super().__init__()
        self.c1, self.c2, self.c3 = conv_stack(in_channels)
        self.f1 = nn.Linear(128 * (side // 4) ** 2, 384)
        self.f2 = nn.Linear(384, 192)
        self.f3 = nn.Linear(192, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, img, mask):
        h = torch.cat([img, mask], 1)
        h = F.relu(self.c1(h)); h = F.relu(self.c2(h)); h = F.relu(self.c3(h))
        h = self.drop(F.relu(self.f1(h.flatten(1))))
        return self.f3(F.relu(self.f2(h))).squeeze(1)


class Fcn(nn.Module):
    """ALEN's inference net: conv 5x5 64 s1, 128 s2, 128 s2 (dropout) -> deconv 5x5 64 s2 -> deconv 5x5 s2, logits."""

    def __init__(self, dropout, in_channels=3, out_channels=1):
        super().__init__()
        self.c1, self.c2, self.c3 = conv_stack(in_channels)
        self.d1 = nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1)
        self.d2 = nn.ConvTranspose2d(64, out_channels, 5, 2, 2, output_padding=1)
        self.drop = nn.Dropout(dropout)

    def forward(self, img):
        h = F.relu(self.c1(img)); h = F.relu(self.c2(h)); h = self.drop(F.relu(self.c3(h)))
        return self.d2(F.relu(self.d1(h)))


def seeded(seed, device):
    """A run's start: torch's seed set, then (numpy generator, torch device)."""
    import numpy as np
    torch.manual_seed(seed)
    return np.random.default_rng(seed), torch.device(device)


def clamp01(y):
    return y.clamp(0, 1)


def project_simplex(y):
    """Euclidean projection of every pixel's class vector (dim 1 of [B, C, H, W]) onto the probability simplex."""
    C = y.shape[1]
    u = torch.sort(y, dim=1, descending=True).values
    css = u.cumsum(1) - 1
    k = torch.arange(1, C + 1, device=y.device, dtype=y.dtype).view(1, C, 1, 1)
    support = (u - css / k > 0).to(y.dtype)
    rho = support.sum(1, keepdim=True)
    theta = css.gather(1, rho.long() - 1) / rho
    return (y - theta).clamp_min(0)


def ascend(v, x, y, steps, eta, step='norm', target=None, project=clamp01):
    """`steps` projected ascent steps on sigmoid(v) (with `target`, on v's cross-entropy against it), v in eval mode.
    step 'norm' divides each example's gradient by its norm (ALEN Eq. 4); 'plain' does not (DVN Eq. 8)."""
    was = v.training
    v.eval()
    for _ in range(steps):
        y = y.detach().requires_grad_(True)
        logit = v(x, y)
        obj = torch.sigmoid(logit).sum() if target is None else F.binary_cross_entropy_with_logits(logit, target, reduction='sum')
        (g,) = torch.autograd.grad(obj, y)
        if step == 'norm':
            g = g / g.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
        y = project(y + eta * g).detach()
    v.train(was)
    return y


def run_jobs(script, jobs, a, device):
    """Runs each job (name, seed, cfg) as `script --one JOB` in its own process, `a.jobs` at a time; appends each
    job's last stdout line (its JSON result) to `a.out` and keeps its stderr (the curve) in `a.out.NAME-sSEED.log`."""
    pending, running = list(jobs), []
    with open(a.out, 'a') as out:
        while pending or running:
            while pending and len(running) < a.jobs:
                job = pending.pop(0)
                cmd = [sys.executable, script, '--one', json.dumps(job), '--task', a.task, '--epochs', str(a.epochs),
                       '--eval-every', str(a.eval_every), '--data', a.data, '--device', device, '--limit', str(a.limit)]
                log = open(f'{a.out}.{job["name"]}-s{job["seed"]}.log', 'w')
                running.append((job, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True), log))
            for r in list(running):
                job, proc, log = r
                if proc.poll() is None:
                    continue
                running.remove(r)
                log.close()
                text = proc.stdout.read().strip().splitlines()
                line = text[-1] if text else json.dumps({**job, 'error': f'exit {proc.returncode}'})
                out.write(line + '\n'); out.flush()
                res = json.loads(line)
                print(f"{job['name']:>12} s{job['seed']}: best val {res.get('best_val')} at epoch {res.get('best_epoch')}, "
                      f"{res.get('best_steps')} steps ({res.get('seconds')} s) {res.get('error', '')}", flush=True)
            time.sleep(0.5)


def parse_common(description, tasks, bases, variants):
    """The probes' shared command line; returns (args, device, jobs) or, with --one, (args, device, None).
    `bases` and `variants` map a task name to its base config and to its named variants."""
    import argparse
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--task', default='weizmann', choices=sorted(bases))
    p.add_argument('--data', default=None, help="the task's data folder (default: the task's own, see seg_tasks.py)")
    p.add_argument('--configs', default='base', help="comma-separated config names, prefixes ending in '*', or 'all-variants'")
    p.add_argument('--set', action='append', default=[], help='key=value (JSON value) applied to every config')
    p.add_argument('--seeds', default='1')
    p.add_argument('--epochs', type=int, default=300)
    p.add_argument('--eval-every', type=int, default=25)
    p.add_argument('--jobs', type=int, default=1)
    p.add_argument('--device', default=None)
    p.add_argument('--out', default='probe.jsonl')
    p.add_argument('--limit', type=int, default=0, help='keep the first N train and N val examples (smoke tests; 0: all)')
    p.add_argument('--one', default=None, help=argparse.SUPPRESS)  # internal: run one (config, seed) as JSON
    a = p.parse_args()
    a.data = a.data or tasks[a.task].default_data
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if a.one:
        return a, device, None
    base, known = bases[a.task], variants[a.task]
    names = []
    for c in a.configs.split(','):
        names += list(known) if c == 'all-variants' else [k for k in known if k.startswith(c[:-1])] if c.endswith('*') else [c]
    unknown = [c for c in names if c not in known]
    if unknown:
        sys.exit(f'unknown {a.task} config(s) {unknown}; known: {", ".join(known)}')
    overrides = {}
    for kv in a.set:
        k, _, val = kv.partition('=')
        if k not in base:
            sys.exit(f'--set {kv}: unknown key {k}; keys: {", ".join(base)}')
        overrides[k] = json.loads(val)
    jobs = [dict(name=c, seed=int(s), cfg={**base, **known[c], **overrides}) for c in names for s in a.seeds.split(',')]
    return a, device, jobs


def probe_main(doc, tasks, bases, variants, run_one, script):
    """A probe's entry point: runs one job (internal `--one`) or fans the selected configs out to processes.
    `run_one(task, cfg, seed, epochs, eval_every, data_dir, device)` returns the job's result as a dict."""
    a, device, jobs = parse_common(doc, tasks, bases, variants)
    if jobs is None:
        job = json.loads(a.one)
        task = limited(tasks[a.task], a.limit) if a.limit > 0 else tasks[a.task]
        print(json.dumps({**job, **run_one(task, job['cfg'], job['seed'], a.epochs, a.eval_every, a.data, device)}), flush=True)
        return
    run_jobs(os.path.abspath(script), jobs, a, device)


def limited(task, n):
    """The task with only its first n train and n val examples."""
    class Limited(task):
        @staticmethod
        def load(data_dir):
            return tuple(a[:n] for a in task.load(data_dir))
    return Limited
