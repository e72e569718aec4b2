#!/usr/bin/env python3
"""ALEN recipe probe (PyTorch, GPU if present): ALEN variants side by side on the validation split, to find
an energy whose refinement of the inference network's outputs helps (the TypeScript ALEN's adds ~0.1 IOU on
Weizmann, nothing on LFW; the paper's adds 4.2 and 0.6). Companion of dvn_probe.py, same protocol
(seg_tasks.py). --task weizmann or lfw.

Per batch: the energy v learns either by ALEN's Eq. 6 (v(x, y*) -> 1, v(x, y') -> h(y', y*) for g's
proposal y', v(x, y'') -> h(y'', y*) for y' refined by `train_steps` normalized steps of size `eta`) or by
DVN's objective on DVN's tuple sources, some of them started at g's proposal ('dvn'); then g learns from
the task loss (pixel cross-entropy) plus lambda_g/2 (sigma(v(x, g(x))) - 1)^2 through the frozen v.
Validation: g's outputs refined 0..N normalized steps on v for each test-time step size.

  python3 tools/torch/alen_probe.py --task weizmann --configs base,dvn_obj --seeds 1 --epochs 300 --jobs 8 --out alen.jsonl
  python3 tools/torch/alen_probe.py --task lfw --configs all-variants --seeds 1 --epochs 30 --eval-every 5 --jobs 12 --out lfw-alen.jsonl
"""
import json, math, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seg_common import ascend, probe_main, seeded  # noqa: E402
from seg_tasks import TASKS  # noqa: E402

BASE = dict(
    lr=1e-3, lr_v=None, beta1=0.5, batch=32, dropout_v=0.25, dropout_g=0.25,
    eta=0.5, train_steps=3,                    # ALEN's refinement in training (normalized steps)
    v_obj='alen',                              # 'alen' (Eq. 6) or 'dvn' (DVN's objective on its tuples)
    energy_loss='square',                      # Eq. 6 on sigma(v): 'square' or 'bce'
    truth_v=1.0, lambda_v=1.0, beta_v=1.0, other_v=0.0,  # Eq. 6's terms; other_v: another image's y*
    lambda_g=0.1,                              # g's adversarial term
    # DVN objective ('dvn'): shares of the batches per tuple source, the rest inference from zeros.
    p_prop=0.3,                                # g's proposal refined train_steps steps (where prediction ascends)
    p_pairs=0.1, p_strat=0.2, p_adv=0.2, tau=0.05,
    dvn_eta=2.0, dvn_steps=60, replay=64,
    eta_test=(0.5, 2.0), val_steps=(0, 3, 6, 10, 20, 30),
    flip=False,                                # LFW: random horizontal flips (Weizmann's crops always flip)
)

DVN_V = dict(v_obj='dvn', lr_v=3e-4)
VARIANTS = {
    'base': {},
    'bce': dict(energy_loss='bce'),
    'eta2': dict(eta=2.0),
    'steps6': dict(train_steps=6),
    'other1': dict(other_v=1.0),
    'lg0': dict(lambda_g=0.0),
    'lg1': dict(lambda_g=1.0),
    'lr3e-4': dict(lr=3e-4),
    'lrv3e-4': dict(lr_v=3e-4),
    'bce_other1_eta2': dict(energy_loss='bce', other_v=1.0, eta=2.0),
    'dvn_obj': dict(DVN_V),
    'dvn_obj_prop0.5': dict(DVN_V, p_prop=0.5),
    'dvn_obj_prop0': dict(DVN_V, p_prop=0.0),
    'dvn_obj_lg0': dict(DVN_V, lambda_g=0.0),
    'dvn_obj_lg1': dict(DVN_V, lambda_g=1.0),
    'dvn_obj_eta2': dict(DVN_V, eta=2.0),
    'dvn_obj_lr1e-3': dict(DVN_V, lr_v=1e-3),
    'dvn_obj_noreplay': dict(DVN_V, replay=0),
}


# LFW: the TypeScript task's ALEN settings (η 0.5, 3 training steps, λg 1, no dropout in g; DVN tuples at η 8
# from the simplex centre, as its alen-dvn), then the same questions as on Weizmann.
LFW_BASE = dict(BASE, dropout_g=0.0, lambda_g=1.0, dvn_eta=8.0, dvn_steps=30, val_steps=(0, 1, 3, 6, 10, 20))
LFW_VARIANTS = {
    'base': {},
    'bce': dict(energy_loss='bce'),
    'eta2': dict(eta=2.0),
    'other1': dict(other_v=1.0),
    'lg0.1': dict(lambda_g=0.1),
    'lg0': dict(lambda_g=0.0),
    'bce_other1_eta2': dict(energy_loss='bce', other_v=1.0, eta=2.0),
    'flip': dict(flip=True),
    'dvn_obj': dict(DVN_V),
    'dvn_obj_prop0.5': dict(DVN_V, p_prop=0.5),
    'dvn_obj_prop0': dict(DVN_V, p_prop=0.0),
    'dvn_obj_lg0': dict(DVN_V, lambda_g=0.0),
    'dvn_obj_lg0.1': dict(DVN_V, lambda_g=0.1),
    'dvn_obj_eta2': dict(DVN_V, eta=2.0),
    'dvn_obj_lr1e-3': dict(DVN_V, lr_v=1e-3),
    'dvn_obj_T60': dict(DVN_V, dvn_steps=60),
}
BASES = {'weizmann': BASE, 'lfw': LFW_BASE}
ALL_VARIANTS = {'weizmann': VARIANTS, 'lfw': LFW_VARIANTS}

def run_one(task, cfg, seed, epochs, eval_every, data_dir, device):
    import torch
    import torch.nn.functional as F
    rng, dev = seeded(seed, device)
    xtr, ytr, xva, yva = (torch.tensor(a, device=dev) for a in task.load(data_dir))
    v, g = task.value_net(cfg['dropout_v']).to(dev), task.fcn(cfg['dropout_g']).to(dev)

    def refine(x, y, steps, eta, target=None):
        return ascend(v, x, y, steps, eta, target=target, project=task.project)
    opt_v = torch.optim.Adam(v.parameters(), lr=cfg['lr_v'] or cfg['lr'], betas=(cfg['beta1'], 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=cfg['lr'], betas=(cfg['beta1'], 0.999))
    replay = []

    def fit(score, target):
        s = torch.sigmoid(score)
        if cfg['energy_loss'] == 'bce':
            return F.binary_cross_entropy_with_logits(score, target)
        return 0.5 * ((s - target) ** 2).mean()

    def dvn_tuples(x, ys, yp):
        u = rng.random()
        zeros = task.start(x, 0.0)
        for share, make in [
            (cfg['p_prop'], lambda: refine(x, yp, cfg['train_steps'], cfg['eta'])),
            (cfg['p_pairs'], lambda: torch.where(torch.tensor(rng.random(x.shape[0]) < 0.5, device=dev).view(-1, 1, 1, 1),
                                                 ys, torch.roll(ys, 1 + int(rng.integers(0, x.shape[0] - 1)), 0))),
            (cfg['p_strat'], lambda: task.stratified(ys, cfg['tau'])),
        ]:
            if u < share:
                return make()
            u -= share
        y = refine(x, zeros, int(rng.integers(1, cfg['dvn_steps'] + 1)), cfg['dvn_eta'])
        if u < cfg['p_adv']:
            return refine(x, y, 1, cfg['dvn_eta'], target=task.oracle(y, ys))
        return y

    def energy_loss(x, ys):
        with torch.no_grad():
            yp = task.activate(g(x))  # g in train mode, as the TypeScript proposal for v's update
        if cfg['v_obj'] == 'dvn':
            y = dvn_tuples(x, ys, yp).detach()
            xs, yy, tt = [x], [y], [task.oracle(y, ys)]
            if cfg['replay'] > 0:
                if replay:
                    bx, by, bt = (torch.cat([r[k] for r in replay]) for k in range(3))
                    pick = torch.tensor(rng.integers(0, bx.shape[0], min(cfg['replay'], bx.shape[0])), device=dev)
                    xs.append(bx[pick]); yy.append(by[pick]); tt.append(bt[pick])
                replay.append((x, y, tt[0]))
                if len(replay) > 50:
                    replay.pop(0)
            return F.binary_cross_entropy_with_logits(v(torch.cat(xs), torch.cat(yy)), torch.cat(tt))
        ypp = refine(x, yp, cfg['train_steps'], cfg['eta'])
        loss = cfg['truth_v'] * fit(v(x, ys), torch.ones(x.shape[0], device=dev))
        loss = loss + cfg['lambda_v'] * fit(v(x, yp), task.oracle(yp, ys)) + cfg['beta_v'] * fit(v(x, ypp), task.oracle(ypp, ys))
        if cfg['other_v'] > 0:
            other = torch.roll(ys, 1 + int(rng.integers(0, x.shape[0] - 1)), 0)
            loss = loss + cfg['other_v'] * fit(v(x, other), task.oracle(other, ys))
        return loss

    def g_loss(x, ys):
        logits = g(x)
        loss = task.task_loss(logits, ys)
        if cfg['lambda_g'] > 0:
            v.eval()
            loss = loss + cfg['lambda_g'] / 2 * ((torch.sigmoid(v(x, task.activate(logits))) - 1) ** 2).mean()
            v.train()
        return loss

    def validate():
        g.eval()

        def start(xc):
            with torch.no_grad():
                return task.activate(g(xc))
        out = {str(e): task.evaluate(xva, yva, start, lambda xc, y, k, e=e: refine(xc, y, k, e), cfg['val_steps']) for e in cfg['eta_test']}
        g.train()
        return out

    n = xtr.shape[0]
    best, curve, t0 = (-1.0, None, None), [], time.time()
    for epoch in range(1, epochs + 1):
        perm = torch.tensor(rng.permutation(n), device=dev)
        lv, lg = [], []
        for b in range(0, n, cfg['batch']):
            ib = perm[b:b + cfg['batch']]
            x, ys = task.augment(rng, xtr[ib], ytr[ib], cfg)
            loss = energy_loss(x, ys)
            opt_v.zero_grad(); loss.backward(); opt_v.step()
            lv.append(loss.item())
            loss = g_loss(x, ys)
            opt_g.zero_grad(); loss.backward(); opt_g.step()
            lg.append(loss.item())
            if not (math.isfinite(lv[-1]) and math.isfinite(lg[-1])):
                return dict(error=f'NaN loss at epoch {epoch}')
        if epoch % eval_every == 0 or epoch == epochs:
            val = validate()
            row = dict(epoch=epoch, loss_v=round(sum(lv) / len(lv), 4), loss_g=round(sum(lg) / len(lg), 4), val=val,
                       probe=task.value_probe(v, xva, yva), s=round(time.time() - t0))
            curve.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            for e, ious in val.items():
                s, iou = max(ious.items(), key=lambda kv: kv[1])
                if iou > best[0]:
                    best = (iou, epoch, f'{s}@{e}')
    return dict(best_val=best[0], best_epoch=best[1], best_steps=best[2], curve=curve, seconds=round(time.time() - t0))


if __name__ == '__main__':
    probe_main(__doc__, TASKS, BASES, ALL_VARIANTS, run_one, __file__)
