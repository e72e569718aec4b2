"""What the Weizmann probes share (PyTorch): the data, the networks, the oracle, crops, ascent, evaluation
on DVN's 36 crops, and the runner that fans (config, seed) jobs out to processes. Mirrors the TypeScript
task: RGB/255, 24x24 crops with flips, soft IOU by min/max, masks averaged over the crops, binarized at 0.5."""
import json, os, subprocess, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OFFSETS = [0, 2, 3, 4, 5, 8]
CROP = 24


def load(data_dir):
    """Images [328, 3, 32, 32] in [0, 1], masks [328, 1, 32, 32], and the DVN split's row indices."""
    x = np.fromfile(os.path.join(data_dir, 'images_u8_328x32x32x3.bin'), dtype=np.uint8)
    m = np.fromfile(os.path.join(data_dir, 'masks_u8_328x32x32.bin'), dtype=np.uint8)
    if x.size != 328 * 32 * 32 * 3 or m.size != 328 * 32 * 32:
        sys.exit(f'{data_dir}: expected 328 images and masks of 32x32, got {x.size} and {m.size} bytes')
    x = x.reshape(328, 32, 32, 3).transpose(0, 3, 1, 2).astype('float32') / 255.0
    m = m.reshape(328, 1, 32, 32).astype('float32')
    split = {'train': [], 'val': [], 'test': []}
    with open(os.path.join(data_dir, 'dvn_split.txt')) as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith('#'):
                continue
            name, pos, horse = s.split()
            split[name].append((int(pos), int(horse) - 1))
    return x, m, {k: [h for _, h in sorted(v)] for k, v in split.items()}


def conv_stack(in_channels):
    """The three 5x5 convs both networks start with: 64 channels stride 1, 128 stride 2, 128 stride 2 ('same' padding)."""
    return nn.Conv2d(in_channels, 64, 5, 1, 2), nn.Conv2d(64, 128, 5, 2, 2), nn.Conv2d(128, 128, 5, 2, 2)


class ValueNet(nn.Module):
    """DVN's value net: [image, mask] -> conv 5x5 64 s1, 128 s2, 128 s2 -> FC 384 (dropout) -> FC 192 -> 1 logit."""

    def __init__(self, dropout):
        super().__init__()
        self.c1, self.c2, self.c3 = conv_stack(4)
        self.f1 = nn.Linear(128 * 6 * 6, 384)
        self.f2 = nn.Linear(384, 192)
        self.f3 = nn.Linear(192, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, img, mask):
        h = torch.cat([img, mask], 1)
        h = F.relu(self.c1(h)); h = F.relu(self.c2(h)); h = F.relu(self.c3(h))
        h = self.drop(F.relu(self.f1(h.flatten(1))))
        return self.f3(F.relu(self.f2(h))).squeeze(1)


class Fcn(nn.Module):
    """ALEN's inference net: conv 5x5 64 s1, 128 s2, 128 s2 (dropout) -> deconv 5x5 64 s2 -> deconv 5x5 1 s2, mask logits."""

    def __init__(self, dropout):
        super().__init__()
        self.c1, self.c2, self.c3 = conv_stack(3)
        self.d1 = nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1)
        self.d2 = nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1)
        self.drop = nn.Dropout(dropout)

    def forward(self, img):
        h = F.relu(self.c1(img)); h = F.relu(self.c2(h)); h = self.drop(F.relu(self.c3(h)))
        return self.d2(F.relu(self.d1(h)))


def oracle(y, ys):
    """Soft IOU per example, sum min / sum max (1 when both are empty)."""
    inter = torch.minimum(y, ys).flatten(1).sum(1)
    union = torch.maximum(y, ys).flatten(1).sum(1)
    return torch.where(union > 0, inter / union.clamp_min(1e-12), torch.ones_like(union))


def ascend(v, x, y, steps, eta, step='norm', target=None):
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
        y = (y + eta * g).clamp(0, 1).detach()
    v.train(was)
    return y


def random_crops(rng, x, y):
    """One random 24x24 crop of each image and its mask, flipped left-right with probability 1/2."""
    B = x.shape[0]
    tops = rng.integers(0, 9, B); lefts = rng.integers(0, 9, B); flips = rng.random(B) < 0.5
    xs, ys = [], []
    for i in range(B):
        a, b = x[i, :, tops[i]:tops[i] + CROP, lefts[i]:lefts[i] + CROP], y[i, :, tops[i]:tops[i] + CROP, lefts[i]:lefts[i] + CROP]
        if flips[i]:
            a, b = a.flip(-1), b.flip(-1)
        xs.append(a); ys.append(b)
    return torch.stack(xs), torch.stack(ys)


def stratified(ys, tau):
    """DVN's stratified samples: per row, y* with 1/2 .. 1/512 of its pixels flipped, one kept with p ∝ exp(IOU/tau)."""
    rates = [2.0 ** -(j + 1) for j in range(9)]
    cands = [torch.where(torch.rand_like(ys) < r, 1 - ys, ys) for r in rates]
    vals = torch.stack([oracle(c, ys) for c in cands], 1)
    pick = torch.multinomial(torch.softmax(vals / tau, 1), 1).squeeze(1)
    return torch.stack(cands, 1)[torch.arange(ys.shape[0], device=ys.device), pick]


def evaluate(x, ys, start, advance, steps_list):
    """Mean IOU (%) of the merged 36-crop masks after each step count: `start(crops)` gives y0 on the crops
    (crop-major [36B, 1, 24, 24]), `advance(crops, y, k)` takes k more steps."""
    B, dev = x.shape[0], x.device
    corners = [(t, l) for t in OFFSETS for l in OFFSETS]
    cover = torch.zeros(1, 1, 32, 32, device=dev)
    for t, l in corners:
        cover[..., t:t + CROP, l:l + CROP] += 1
    xc = torch.cat([x[:, :, t:t + CROP, l:l + CROP] for t, l in corners], 0)
    y = start(xc)
    out, done = {}, 0
    for s in sorted(steps_list):
        if s > done:
            y = advance(xc, y, s - done)
            done = s
        full = torch.zeros(B, 1, 32, 32, device=dev)
        for k, (t, l) in enumerate(corners):
            full[..., t:t + CROP, l:l + CROP] += y[k * B:(k + 1) * B]
        out[s] = round(100 * oracle((full / cover >= 0.5).float(), ys).mean().item(), 2)
    return out


def value_probe(v, x, ys):
    """sigmoid(v) at the central crop: the image's own y*, another image's, all ones, zeros (eval mode)."""
    was = v.training
    v.eval()
    with torch.no_grad():
        xc, yc = x[:, :, 4:28, 4:28], ys[:, :, 4:28, 4:28]
        r = {k: round(torch.sigmoid(v(xc, y)).mean().item(), 3) for k, y in
             [('own', yc), ('other', torch.roll(yc, 1, 0)), ('ones', torch.ones_like(yc)), ('zeros', torch.zeros_like(yc))]}
    v.train(was)
    return r


def run_jobs(script, jobs, a, device):
    """Runs each job (name, seed, cfg) as `script --one JOB` in its own process, `a.jobs` at a time; appends each
    job's last stdout line (its JSON result) to `a.out` and keeps its stderr (the curve) in `a.out.NAME-sSEED.log`."""
    pending, running = list(jobs), []
    with open(a.out, 'a') as out:
        while pending or running:
            while pending and len(running) < a.jobs:
                job = pending.pop(0)
                cmd = [sys.executable, script, '--one', json.dumps(job), '--epochs', str(a.epochs),
                       '--eval-every', str(a.eval_every), '--data', a.data, '--device', device]
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


def parse_common(description, variants, base):
    """The probes' shared command line; returns (args, device, jobs) or, with --one, (args, device, None)."""
    import argparse
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=os.path.join('..', 'shared', 'data', 'horses', 'chopps32'))
    p.add_argument('--configs', default='base', help="comma-separated config names, prefixes ending in '*', or 'all-variants'")
    p.add_argument('--set', action='append', default=[], help='key=value (JSON value) applied to every config')
    p.add_argument('--seeds', default='1')
    p.add_argument('--epochs', type=int, default=300)
    p.add_argument('--eval-every', type=int, default=25)
    p.add_argument('--jobs', type=int, default=1)
    p.add_argument('--device', default=None)
    p.add_argument('--out', default='probe.jsonl')
    p.add_argument('--one', default=None, help=argparse.SUPPRESS)  # internal: run one (config, seed) as JSON
    a = p.parse_args()
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if a.one:
        return a, device, None
    names = []
    for c in a.configs.split(','):
        names += list(variants) if c == 'all-variants' else [k for k in variants if k.startswith(c[:-1])] if c.endswith('*') else [c]
    unknown = [c for c in names if c not in variants]
    if unknown:
        sys.exit(f'unknown config(s) {unknown}; known: {", ".join(variants)}')
    overrides = {}
    for kv in a.set:
        k, _, val = kv.partition('=')
        if k not in base:
            sys.exit(f'--set {kv}: unknown key {k}; keys: {", ".join(base)}')
        overrides[k] = json.loads(val)
    jobs = [dict(name=c, seed=int(s), cfg={**base, **variants[c], **overrides}) for c in names for s in a.seeds.split(',')]
    return a, device, jobs


def probe_main(doc, variants, base, run_one, script):
    """A probe's entry point: runs one job (internal `--one`) or fans the selected configs out to processes."""
    a, device, jobs = parse_common(doc, variants, base)
    if jobs is None:
        job = json.loads(a.one)
        print(json.dumps({**job, **run_one(job['cfg'], job['seed'], a.epochs, a.eval_every, a.data, device)}), flush=True)
        return
    run_jobs(os.path.abspath(script), jobs, a, device)
