#!/usr/bin/env python3
"""DVN recipe probe (PyTorch, GPU if present): many DVN training variants side by side, scored on the
validation split only, to find which choices let the value net read the image. --task weizmann or lfw.

Why it exists: the TypeScript DVN on Weizmann scored ~50 mean IOU (paper 84.1) and a CPU run costs an
hour per variant; a GPU runs dozens of variants in minutes. What wins here is then set as
hyper-parameters of the TypeScript DVN and confirmed there (docs/sweeps/weizmann.md).

Same protocol as the TypeScript tasks (seg_tasks.py): DVN's value net (conv 5x5 64 s1, 128 s2, 128 s2,
FC 384 + dropout, FC 192, FC 1) on [image, output], cross-entropy of sigmoid(v) against the oracle
(Weizmann: soft IOU on 24x24 crops, inference from zeros on DVN's 36 crops, masks averaged; LFW: soft
pixel accuracy on whole 32x32 faces, inference from the simplex centre, pixel accuracy at 32x32).

  python3 tools/torch/dvn_probe.py --task weizmann --configs base,advinf --seeds 1 --epochs 300 --jobs 8 --out results.jsonl
  node tools/export-task-data.mjs --task lfw --out .devdata/lfw32   # where Node is; then, anywhere:
  python3 tools/torch/dvn_probe.py --task lfw --configs all-variants --seeds 1 --epochs 60 --eval-every 5 --jobs 12 --out lfw-dvn.jsonl
"""
import json, math, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seg_common import ascend, probe_main, seeded  # noqa: E402
from seg_tasks import TASKS  # noqa: E402

# Each variant overrides its task's base. Names are what --configs takes.
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
    init=0.0,                                  # inference start value (DVN: zeros; LFW always starts at the simplex centre)
    flip=False,                                # LFW: random horizontal flips (Weizmann's crops always flip)
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


# LFW: the TypeScript task's DVN settings (η 8 from the simplex centre, 30 steps, final points of the runs,
# no other face's labels), then the Weizmann recipe (docs/sweeps/weizmann.md) and its parts.
LFW_BASE = dict(BASE, eta=8.0, steps=30, traj=False, other=0.0, val_steps=(10, 20, 30, 50))
WZ_ALL = dict(p_strat=0.2, p_adv_inf=0.2, p_gt_pairs=0.1, replay=64)
LFW_VARIANTS = {
    'base': {},
    'traj_other': dict(traj=True, other=0.5),
    'lr3e-4': dict(lr=3e-4),
    'eta4': dict(eta=4.0),
    'eta16': dict(eta=16.0),
    'T60': dict(steps=60),
    'all': dict(WZ_ALL),
    'wz_recipe': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5, steps=60),
    'wz_recipe_eta4': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5, steps=60, eta=4.0),
    'wz_recipe_eta16': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5, steps=60, eta=16.0),
    'wz_recipe_lr1e-3': dict(WZ_ALL, traj=True, other=0.5, steps=60),
    'wz_recipe_T30': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5),
    'wz_recipe_center': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5, steps=60, img_center=True),
    'wz_recipe_flip': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5, steps=60, flip=True),
    'wz_recipe_nodrop': dict(WZ_ALL, lr=3e-4, traj=True, other=0.5, steps=60, dropout=0.0),
    'pairs': dict(p_gt_pairs=0.2),
    'replay': dict(replay=64),
    'plain': dict(step='plain', eta=50.0),
}
BASES = {'weizmann': BASE, 'lfw': LFW_BASE}
ALL_VARIANTS = {'weizmann': VARIANTS, 'lfw': LFW_VARIANTS}

def run_one(task, cfg, seed, epochs, eval_every, data_dir, device):
    import torch
    import torch.nn.functional as F
    rng, dev = seeded(seed, device)
    xtr, ytr, xva, yva = task.load(data_dir)
    if cfg['img_center']:
        mean = xtr.mean(axis=0, keepdims=True)
        xtr, xva = xtr - mean, xva - mean
    xtr, ytr, xva, yva = (torch.tensor(a, device=dev) for a in (xtr, ytr, xva, yva))
    v = task.value_net(cfg['dropout']).to(dev)
    if cfg['opt'] == 'adam':
        opt = torch.optim.Adam(v.parameters(), lr=cfg['lr'], betas=(cfg['beta1'], 0.999), weight_decay=cfg['wd'])
    else:
        opt = torch.optim.SGD(v.parameters(), lr=cfg['lr'], momentum=cfg['beta1'], weight_decay=cfg['wd'])

    def climb(x, y, steps, eta, step, target=None):
        return ascend(v, x, y, steps, eta, step, target, project=task.project)

    buffer_x, buffer_y, buffer_t = [], [], []

    def tuples(x, ys):
        B = x.shape[0]
        zeros = task.start(x, cfg['init'])
        u = rng.random()
        if u < cfg['p_gt_pairs']:
            perm = torch.roll(torch.arange(B, device=dev), 1 + int(rng.integers(0, B - 1)))
            half = torch.tensor(rng.random(B) < 0.5, device=dev).view(-1, 1, 1, 1)
            return torch.where(half, ys, ys[perm])
        u -= cfg['p_gt_pairs']
        if u < cfg['p_strat']:
            return task.stratified(ys, cfg['tau'])
        u -= cfg['p_strat']
        if u < cfg['p_adv_inf']:
            t = int(rng.integers(1, cfg['steps'] + 1))
            y = climb(x, zeros, t, cfg['eta'], cfg['step'])
            return climb(x, y, cfg['adv_steps'], cfg['adv_eta'] or cfg['eta'], cfg['step'], target=task.oracle(y, ys))
        if rng.random() < cfg['p_inf']:
            t = int(rng.integers(1, cfg['steps'] + 1)) if cfg['traj'] else cfg['steps']
            return climb(x, zeros, t, cfg['eta'], cfg['step'])
        rows = torch.tensor(rng.random(B) < cfg['gt_half'], device=dev).view(-1, 1, 1, 1)
        start = torch.where(rows, ys, zeros)
        if cfg['other'] > 0:
            oth = torch.tensor((rng.random(B) < cfg['other']), device=dev).view(-1, 1, 1, 1) & ~rows
            shift = 1 + int(rng.integers(0, B - 1))
            start = torch.where(oth, torch.roll(ys, shift, 0), start)
        if cfg['one_step'] == 'loss':
            return climb(x, start, 1, cfg['eta'], cfg['step'], target=task.oracle(start, ys))
        return climb(x, start, 1, cfg['eta'], cfg['step'])

    n = xtr.shape[0]
    best = (-1.0, None, None)
    curve = []
    t0 = time.time()
    for epoch in range(1, epochs + 1):
        perm = torch.tensor(rng.permutation(n), device=dev)
        losses = []
        for b in range(0, n, cfg['batch']):
            ib = perm[b:b + cfg['batch']]
            x, ys = task.augment(rng, xtr[ib], ytr[ib], cfg)
            y = tuples(x, ys).detach()
            target = task.oracle(y, ys)
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
            scores = task.evaluate(xva, yva, lambda xc: task.start(xc, cfg['init']),
                                   lambda xc, y, k: climb(xc, y, k, cfg['eta'], cfg['step']), cfg['val_steps'])
            top = max(scores.items(), key=lambda kv: kv[1])
            row = dict(epoch=epoch, loss=round(sum(losses) / len(losses), 4), val=scores, probe=task.value_probe(v, xva, yva), s=round(time.time() - t0))
            curve.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if top[1] > best[0]:
                best = (top[1], epoch, top[0])
    return dict(best_val=best[0], best_epoch=best[1], best_steps=best[2], curve=curve, seconds=round(time.time() - t0))


if __name__ == '__main__':
    probe_main(__doc__, TASKS, BASES, ALL_VARIANTS, run_one, __file__)
