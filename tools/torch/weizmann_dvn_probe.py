#!/usr/bin/env python3
"""Weizmann DVN recipe probe (PyTorch, GPU if present): many DVN training variants side by side,
scored on the validation split only, to find which choices let the value net read the image.

Why it exists: the TypeScript DVN on Weizmann scores ~50 mean IOU (paper 84.1) and a CPU run costs
an hour per variant; a GPU runs dozens of variants in minutes. What wins here is then set as
hyper-parameters of the TypeScript DVN and confirmed there (docs/sweeps/weizmann.md).

Same protocol as the TypeScript task: 160 train / 40 val images (data/horses/chopps32), RGB/255,
random 24x24 crops with flips, DVN's value net (conv 5x5 64 s1, 128 s2, 128 s2, FC 384 + dropout,
FC 192, FC 1), soft IOU (min/max) as oracle, cross-entropy on sigmoid(v), inference from zeros on
the 36 crops of DVN_OFFSETS, masks averaged, binarized at 0.5, IOU averaged over images.

  python3 tools/torch/weizmann_dvn_probe.py --data ../shared/data/horses/chopps32 \
      --configs base,adv --seeds 1 --epochs 300 --jobs 8 --out results.jsonl
"""
import argparse, json, math, os, subprocess, sys, time

OFFSETS = [0, 2, 3, 4, 5, 8]

# Each variant overrides BASE. Names are what --configs takes.
BASE = dict(
    lr=1e-3, beta1=0.5, opt='adam', wd=0.0, batch=32, dropout=0.25,
    step='norm', eta=1.0, steps=30,            # inference: normalized ascent on sigmoid(v), 30 steps from zeros
    p_inf=0.5, traj=True,                      # tuples: inference run (random point of its trajectory) ...
    gt_half=0.5, other=0.5,                    # ... else one step from zeros with half rows y*, others another y*
    one_step='value',                          # the one-step branch climbs 'value' or the value net's 'loss'
    p_adv_inf=0.0, adv_steps=1, adv_eta=None,  # prob. of adversarial steps (up the loss) from an inference output
    p_strat=0.0, tau=0.05,                     # stratified samples near y*
    p_gt_pairs=0.0,                            # batch of (own y*, other y*) pairs: the contrast that reads the image
    replay=0,                                  # >0: also fit this many tuples from a replay buffer each step
    img_center=False,                          # subtract the train mean image
    init=0.0,                                  # inference start value (DVN: zeros)
    val_steps=(10, 20, 30, 50),
)

VARIANTS = {
    'base': {},
    'plain500': dict(step='plain', eta=500.0),
    'plain5000': dict(step='plain', eta=5000.0),
    'eta2': dict(eta=2.0),
    'eta0.5': dict(eta=0.5),
    'final': dict(traj=False),
    'nother': dict(other=0.0),
    'advloss': dict(one_step='loss'),
    'advinf': dict(p_adv_inf=0.3),
    'advinf5': dict(p_adv_inf=0.3, adv_steps=5),
    'strat': dict(p_strat=0.3),
    'strat_adv': dict(p_strat=0.25, p_adv_inf=0.25),
    'pairs': dict(p_gt_pairs=0.2),
    'pairs_adv': dict(p_gt_pairs=0.2, p_adv_inf=0.3),
    'replay': dict(replay=64),
    'replay_adv': dict(replay=64, p_adv_inf=0.3),
    'center': dict(img_center=True),
    'lr3e-4': dict(lr=3e-4),
    'nodrop': dict(dropout=0.0),
    'sgd': dict(opt='sgd', lr=0.01, beta1=0.9),
    'wd': dict(wd=1e-3),
    'pinf0.8': dict(p_inf=0.8),
    'all': dict(p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64, img_center=True),
    # Second round (after the first 300-epoch sweep): around the leaders (lr 3e-4, no dropout, 'all').
    'r2_lr3e-4': dict(lr=3e-4),
    'r2_lr1e-4': dict(lr=1e-4),
    'r2_lr3e-4_nodrop': dict(lr=3e-4, dropout=0.0),
    'r2_lr3e-4_all': dict(lr=3e-4, p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64, img_center=True),
    'r2_all_nodrop': dict(dropout=0.0, p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64, img_center=True),
    'r2_lr3e-4_eta2': dict(lr=3e-4, eta=2.0),
    'r2_lr3e-4_T60': dict(lr=3e-4, steps=60),
    'r2_eta2_T60': dict(eta=2.0, steps=60),
    'r2_all_T60': dict(steps=60, p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64, img_center=True),
    'r2_init0.5': dict(init=0.5),
    'r2_lr3e-4_init0.5': dict(lr=3e-4, init=0.5),
    'r2_all_init0.5': dict(init=0.5, p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64, img_center=True),
    'r2_lr3e-4_replay': dict(lr=3e-4, replay=64),
    'r2_lr3e-4_center': dict(lr=3e-4, img_center=True),
    'r2_lr3e-4_gt0.25': dict(lr=3e-4, gt_half=0.25),
    'r2_lr3e-4_batch64': dict(lr=3e-4, batch=64),
    'r2_lr3e-4_all_eta2_T60': dict(lr=3e-4, eta=2.0, steps=60, p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64, img_center=True),
    'r2_plain50_lr3e-4': dict(lr=3e-4, step='plain', eta=50.0),
}


def load(data_dir):
    import numpy as np
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
    idx = {k: [h for _, h in sorted(v)] for k, v in split.items()}
    return x, m, idx


def run_one(cfg, seed, epochs, eval_every, data_dir, device):
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    dev = torch.device(device)
    X, M, idx = load(data_dir)
    if cfg['img_center']:
        X = X - X[idx['train']].mean(axis=0, keepdims=True)
    xtr, ytr = torch.tensor(X[idx['train']], device=dev), torch.tensor(M[idx['train']], device=dev)
    xva, yva = torch.tensor(X[idx['val']], device=dev), torch.tensor(M[idx['val']], device=dev)

    class ValueNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(4, 64, 5, 1, 2)
            self.c2 = nn.Conv2d(64, 128, 5, 2, 2)
            self.c3 = nn.Conv2d(128, 128, 5, 2, 2)
            self.f1 = nn.Linear(128 * 6 * 6, 384)
            self.f2 = nn.Linear(384, 192)
            self.f3 = nn.Linear(192, 1)
            self.drop = nn.Dropout(cfg['dropout'])

        def forward(self, img, mask):
            h = torch.cat([img, mask], 1)
            h = F.relu(self.c1(h)); h = F.relu(self.c2(h)); h = F.relu(self.c3(h))
            h = self.drop(F.relu(self.f1(h.flatten(1))))
            return self.f3(F.relu(self.f2(h))).squeeze(1)

    v = ValueNet().to(dev)
    if cfg['opt'] == 'adam':
        opt = torch.optim.Adam(v.parameters(), lr=cfg['lr'], betas=(cfg['beta1'], 0.999), weight_decay=cfg['wd'])
    else:
        opt = torch.optim.SGD(v.parameters(), lr=cfg['lr'], momentum=cfg['beta1'], weight_decay=cfg['wd'])

    def oracle(y, ys):
        inter = torch.minimum(y, ys).flatten(1).sum(1)
        union = torch.maximum(y, ys).flatten(1).sum(1)
        return torch.where(union > 0, inter / union.clamp_min(1e-12), torch.ones_like(union))

    def ascend(x, y, steps, eta, step, target=None, keep_traj=False):
        """Gradient ascent on sigmoid(v) (or, with target, on v's cross-entropy against it); eval mode."""
        was = v.training
        v.eval()
        traj = []
        for _ in range(steps):
            y = y.detach().requires_grad_(True)
            logit = v(x, y)
            obj = torch.sigmoid(logit).sum() if target is None else F.binary_cross_entropy_with_logits(logit, target, reduction='sum')
            (g,) = torch.autograd.grad(obj, y)
            if step == 'norm':
                g = g / g.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
            y = (y + eta * g).clamp(0, 1).detach()
            if keep_traj:
                traj.append(y)
        v.train(was)
        return (y, traj) if keep_traj else y

    def crops(x, y):
        B = x.shape[0]
        tops = rng.integers(0, 9, B); lefts = rng.integers(0, 9, B); flips = rng.random(B) < 0.5
        xs, ys = [], []
        for i in range(B):
            a, b = x[i, :, tops[i]:tops[i] + 24, lefts[i]:lefts[i] + 24], y[i, :, tops[i]:tops[i] + 24, lefts[i]:lefts[i] + 24]
            if flips[i]:
                a, b = a.flip(-1), b.flip(-1)
            xs.append(a); ys.append(b)
        return torch.stack(xs), torch.stack(ys)

    def stratified(ys):
        rates = [2.0 ** -(j + 1) for j in range(9)]
        cands = [torch.where(torch.rand_like(ys) < r, 1 - ys, ys) for r in rates]
        vals = torch.stack([oracle(c, ys) for c in cands], 1)  # [B, 9]
        w = torch.softmax(vals / cfg['tau'], 1)
        pick = torch.multinomial(w, 1).squeeze(1)
        allc = torch.stack(cands, 1)
        return allc[torch.arange(ys.shape[0], device=ys.device), pick]

    buffer_x, buffer_y, buffer_t = [], [], []

    def tuples(x, ys):
        B = x.shape[0]
        zeros = torch.full_like(ys, cfg['init'])
        u = rng.random()
        if u < cfg['p_gt_pairs']:
            perm = torch.roll(torch.arange(B, device=dev), 1 + int(rng.integers(0, B - 1)))
            half = torch.tensor(rng.random(B) < 0.5, device=dev).view(-1, 1, 1, 1)
            return torch.where(half, ys, ys[perm])
        u -= cfg['p_gt_pairs']
        if u < cfg['p_strat']:
            return stratified(ys)
        u -= cfg['p_strat']
        if u < cfg['p_adv_inf']:
            t = int(rng.integers(1, cfg['steps'] + 1))
            y = ascend(x, zeros, t, cfg['eta'], cfg['step'])
            return ascend(x, y, cfg['adv_steps'], cfg['adv_eta'] or cfg['eta'], cfg['step'], target=oracle(y, ys))
        if rng.random() < cfg['p_inf']:
            t = int(rng.integers(1, cfg['steps'] + 1)) if cfg['traj'] else cfg['steps']
            return ascend(x, zeros, t, cfg['eta'], cfg['step'])
        rows = torch.tensor(rng.random(B) < cfg['gt_half'], device=dev).view(-1, 1, 1, 1)
        start = torch.where(rows, ys, zeros)
        if cfg['other'] > 0:
            oth = torch.tensor((rng.random(B) < cfg['other']), device=dev).view(-1, 1, 1, 1) & ~rows
            shift = 1 + int(rng.integers(0, B - 1))
            start = torch.where(oth, torch.roll(ys, shift, 0), start)
        if cfg['one_step'] == 'loss':
            return ascend(x, start, 1, cfg['eta'], cfg['step'], target=oracle(start, ys))
        return ascend(x, start, 1, cfg['eta'], cfg['step'])

    # The 36 test crops and their coverage counts.
    corners = [(t, l) for t in OFFSETS for l in OFFSETS]
    cover = torch.zeros(1, 1, 32, 32, device=dev)
    for t, l in corners:
        cover[..., t:t + 24, l:l + 24] += 1

    def evaluate(x, ys, steps_list):
        B = x.shape[0]
        xc = torch.cat([x[:, :, t:t + 24, l:l + 24] for t, l in corners], 0)  # [36B, 3, 24, 24], crop-major
        y = torch.full((xc.shape[0], 1, 24, 24), cfg['init'], device=dev)
        out = {}
        done = 0
        for s in sorted(steps_list):
            y = ascend(xc, y, s - done, cfg['eta'], cfg['step'])
            done = s
            full = torch.zeros(B, 1, 32, 32, device=dev)
            for k, (t, l) in enumerate(corners):
                full[..., t:t + 24, l:l + 24] += y[k * B:(k + 1) * B]
            pred = (full / cover >= 0.5).float()
            out[s] = round(100 * oracle(pred, ys).mean().item(), 2)
        return out

    def probe(x, ys):
        """sigmoid(v) at the central crop: own y*, another image's y*, all ones, zeros (eval mode)."""
        v.eval()
        with torch.no_grad():
            xc, yc = x[:, :, 4:28, 4:28], ys[:, :, 4:28, 4:28]
            r = {k: round(torch.sigmoid(v(xc, y)).mean().item(), 3) for k, y in
                 [('own', yc), ('other', torch.roll(yc, 1, 0)), ('ones', torch.ones_like(yc)), ('zeros', torch.zeros_like(yc))]}
        v.train()
        return r

    n = xtr.shape[0]
    best = (-1.0, None, None)
    curve = []
    t0 = time.time()
    for epoch in range(1, epochs + 1):
        perm = torch.tensor(rng.permutation(n), device=dev)
        losses = []
        for b in range(0, n, cfg['batch']):
            ib = perm[b:b + cfg['batch']]
            x, ys = crops(xtr[ib], ytr[ib])
            y = tuples(x, ys).detach()
            target = oracle(y, ys)
            xs, yy, tt = [x], [y], [target]
            if cfg['replay'] > 0:
                if buffer_x:
                    bx, by, bt = torch.cat(buffer_x), torch.cat(buffer_y), torch.cat(buffer_t)
                    pick = torch.tensor(rng.integers(0, bx.shape[0], min(cfg['replay'], bx.shape[0])), device=dev)
                    xs.append(bx[pick]); yy.append(by[pick]); tt.append(bt[pick])
                buffer_x.append(x); buffer_y.append(y); buffer_t.append(target)
                if len(buffer_x) > 50:
                    buffer_x.pop(0); buffer_y.pop(0); buffer_t.pop(0)
            loss = F.binary_cross_entropy_with_logits(v(torch.cat(xs), torch.cat(yy)), torch.cat(tt))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if not math.isfinite(losses[-1]):
                return dict(error=f'NaN loss at epoch {epoch}')
        if epoch % eval_every == 0 or epoch == epochs:
            ious = evaluate(xva, yva, cfg['val_steps'])
            top = max(ious.items(), key=lambda kv: kv[1])
            row = dict(epoch=epoch, loss=round(sum(losses) / len(losses), 4), val=ious, probe=probe(xva, yva), s=round(time.time() - t0))
            curve.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if top[1] > best[0]:
                best = (top[1], epoch, top[0])
    return dict(best_val=best[0], best_epoch=best[1], best_steps=best[2], curve=curve, seconds=round(time.time() - t0))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=os.path.join('..', 'shared', 'data', 'horses', 'chopps32'))
    p.add_argument('--configs', default='base', help='comma-separated names of VARIANTS, or "all-variants"')
    p.add_argument('--set', action='append', default=[], help='key=value (JSON value) applied to every config')
    p.add_argument('--seeds', default='1')
    p.add_argument('--epochs', type=int, default=300)
    p.add_argument('--eval-every', type=int, default=25)
    p.add_argument('--jobs', type=int, default=1)
    p.add_argument('--device', default=None)
    p.add_argument('--out', default='weizmann_dvn_probe.jsonl')
    p.add_argument('--one', default=None, help=argparse.SUPPRESS)  # internal: run one (config, seed) as JSON
    a = p.parse_args()
    import torch
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if a.one:
        job = json.loads(a.one)
        res = run_one(job['cfg'], job['seed'], a.epochs, a.eval_every, a.data, device)
        print(json.dumps({**job, **res}), flush=True)
        return
    names = []
    for c in a.configs.split(','):  # 'all-variants', a name, or a prefix ending in '*'
        names += list(VARIANTS) if c == 'all-variants' else [k for k in VARIANTS if k.startswith(c[:-1])] if c.endswith('*') else [c]
    unknown = [c for c in names if c not in VARIANTS]
    if unknown:
        sys.exit(f'unknown config(s) {unknown}; known: {", ".join(VARIANTS)}')
    overrides = {}
    for kv in a.set:
        k, _, val = kv.partition('=')
        if k not in BASE:
            sys.exit(f'--set {kv}: unknown key {k}; keys: {", ".join(BASE)}')
        overrides[k] = json.loads(val)
    jobs = [dict(name=c, seed=int(s), cfg={**BASE, **VARIANTS[c], **overrides}) for c in names for s in a.seeds.split(',')]
    pending, running = list(jobs), []
    with open(a.out, 'a') as out:
        while pending or running:
            while pending and len(running) < a.jobs:
                job = pending.pop(0)
                cmd = [sys.executable, __file__, '--one', json.dumps(job), '--epochs', str(a.epochs),
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


if __name__ == '__main__':
    main()
