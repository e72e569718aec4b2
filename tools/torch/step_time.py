"""What the Weizmann value-net step costs in PyTorch on a device (issue 5: "where a GPU machine is available,
say what the same step costs there"): the workloads of docs/performance.md's "Against PyTorch" table, batch 32
of 24x24 crops, median of --reps after --warmup, with the device synchronized around each rep.

  train step:     forward + backward + Adam (beta1 0.5) of sigmoid cross-entropy against soft targets
  mask gradient:  d sum(sigmoid(v)) / d mask, eval mode, no parameter gradients
  ascent, 30 steps: DVN's test-time inference on the batch (30 normalized steps, clipped to [0, 1])

    python3 tools/torch/step_time.py [--device cuda|cpu] [--batch 32] [--reps 50] [--json]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from seg_common import ValueNet, ascend


def timed(fn, reps, warmup, sync):
    for _ in range(warmup):
        fn()
    sync()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--reps', type=int, default=50)
    p.add_argument('--warmup', type=int, default=10)
    p.add_argument('--json', action='store_true')
    a = p.parse_args()
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    torch.manual_seed(0)
    v = ValueNet(0.25).to(dev)
    opt = torch.optim.Adam(v.parameters(), lr=3e-4, betas=(0.5, 0.999))
    img = torch.rand(a.batch, 3, 24, 24, device=dev)
    mask = torch.rand(a.batch, 1, 24, 24, device=dev)
    target = torch.rand(a.batch, device=dev)

    def train_step():
        v.train()
        loss = F.binary_cross_entropy_with_logits(v(img, mask), target)
        opt.zero_grad(); loss.backward(); opt.step()

    def mask_gradient():
        v.eval()
        y = mask.detach().requires_grad_(True)
        torch.autograd.grad(torch.sigmoid(v(img, y)).sum(), y)

    def ascent30():
        ascend(v, img, torch.zeros_like(mask), 30, 2.0)

    res = {'device': torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'cpu ({torch.get_num_threads()} threads)',
           'torch': torch.__version__, 'batch': a.batch,
           'trainStepMs': round(timed(train_step, a.reps, a.warmup, sync), 3),
           'maskGradientMs': round(timed(mask_gradient, a.reps, a.warmup, sync), 3),
           'ascent30Ms': round(timed(ascent30, max(5, a.reps // 5), 2, sync), 3)}
    if a.json:
        print(json.dumps(res))
        return
    print(f"{res['device']}, torch {res['torch']}, batch {a.batch}:")
    print(f"  value-net train step     {res['trainStepMs']:8.3f} ms")
    print(f"  d sigmoid(v) / d mask    {res['maskGradientMs']:8.3f} ms")
    print(f"  30-step ascent           {res['ascent30Ms']:8.3f} ms")


if __name__ == '__main__':
    main()
