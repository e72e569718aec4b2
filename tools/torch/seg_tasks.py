"""The two segmentation tasks as the probes see them, mirroring the TypeScript plugins: data, output space
(projection, the inference net's activation and task loss, the start of inference), oracle, training
augmentation, validation metric, and a probe of what the value net rates high.

Weizmann: RGB/255, 24x24 crops with flips, soft IOU by min/max, masks averaged over DVN's 36 crops and
binarized at 0.5, IOU averaged over images. LFW: the TypeScript loader's 32x32 inputs and class proportions
(exported by tools/export-task-data.mjs, since the GPU machine has no Node), whole images, each pixel on
the 3-class simplex, soft pixel accuracy, argmax pixel accuracy at 32x32 against the argmax of the targets."""
import json, os, sys

import numpy as np
import torch
import torch.nn.functional as F

from seg_common import Fcn, ValueNet, clamp01, project_simplex

DVN_OFFSETS = [0, 2, 3, 4, 5, 8]
CROP = 24


class Weizmann:
    name = 'weizmann'
    default_data = os.path.join('..', 'shared', 'data', 'horses', 'chopps32')
    channels = 1
    project = staticmethod(clamp01)

    @staticmethod
    def load(data_dir):
        """(x_train, y_train, x_val, y_val): images [N, 3, 32, 32] in [0, 1], masks [N, 1, 32, 32], DVN's split."""
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
        return x[idx['train']], m[idx['train']], x[idx['val']], m[idx['val']]

    @staticmethod
    def value_net(dropout):
        return ValueNet(dropout, in_channels=4, side=CROP)

    @staticmethod
    def fcn(dropout):
        return Fcn(dropout, in_channels=3, out_channels=1)

    @staticmethod
    def activate(logits):
        return torch.sigmoid(logits)

    @staticmethod
    def task_loss(logits, ys):
        return F.binary_cross_entropy_with_logits(logits, ys)

    @staticmethod
    def start(x, value):
        """Where inference starts on inputs x: a constant mask (DVN: zeros)."""
        return torch.full((x.shape[0], 1, x.shape[2], x.shape[3]), value, device=x.device)

    @staticmethod
    def oracle(y, ys):
        """Soft IOU per example, sum min / sum max (1 when both are empty)."""
        inter = torch.minimum(y, ys).flatten(1).sum(1)
        union = torch.maximum(y, ys).flatten(1).sum(1)
        return torch.where(union > 0, inter / union.clamp_min(1e-12), torch.ones_like(union))

    @staticmethod
    def augment(rng, x, y, cfg):
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

    @classmethod
    def stratified(cls, ys, tau):
        """DVN's stratified samples: per row, y* with 1/2 .. 1/512 of its pixels flipped, one kept with p ∝ exp(IOU/tau)."""
        cands = [torch.where(torch.rand_like(ys) < 2.0 ** -(j + 1), 1 - ys, ys) for j in range(9)]
        return pick_stratified(cls.oracle, cands, ys, tau)

    @classmethod
    def evaluate(cls, x, ys, start, advance, steps_list):
        """Mean IOU (%) of the merged 36-crop masks after each step count: `start(crops)` gives y0 on the crops
        (crop-major [36B, 1, 24, 24]), `advance(crops, y, k)` takes k more steps."""
        B, dev = x.shape[0], x.device
        corners = [(t, l) for t in DVN_OFFSETS for l in DVN_OFFSETS]
        cover = torch.zeros(1, 1, 32, 32, device=dev)
        for t, l in corners:
            cover[..., t:t + CROP, l:l + CROP] += 1
        xc = torch.cat([x[:, :, t:t + CROP, l:l + CROP] for t, l in corners], 0)

        def score(y):
            full = torch.zeros(B, 1, 32, 32, device=dev)
            for k, (t, l) in enumerate(corners):
                full[..., t:t + CROP, l:l + CROP] += y[k * B:(k + 1) * B]
            return round(100 * cls.oracle((full / cover >= 0.5).float(), ys).mean().item(), 2)
        return along_steps(xc, start, advance, steps_list, score)

    @staticmethod
    def value_probe(v, x, ys):
        """sigmoid(v) at the central crop: the image's own y*, another image's, all ones, zeros (eval mode)."""
        xc, yc = x[:, :, 4:28, 4:28], ys[:, :, 4:28, 4:28]
        return rate(v, xc, [('own', yc), ('other', torch.roll(yc, 1, 0)), ('ones', torch.ones_like(yc)), ('zeros', torch.zeros_like(yc))])


class Lfw:
    name = 'lfw'
    default_data = os.path.join('.devdata', 'lfw32')
    channels = 3
    project = staticmethod(project_simplex)

    @staticmethod
    def load(data_dir):
        """(x_train, y_train, x_val, y_val) from tools/export-task-data.mjs: [N, 3, 32, 32] inputs and class proportions."""
        meta_file = os.path.join(data_dir, 'meta.json')
        if not os.path.exists(meta_file):
            sys.exit(f'{meta_file} missing: run `node tools/export-task-data.mjs --task lfw --out {data_dir}` where Node is')
        meta = json.load(open(meta_file))
        out = []
        for s in ('train', 'val'):
            for k in ('x', 'y'):
                shape = meta['splits'][s][f'{k}Shape']
                a = np.fromfile(os.path.join(data_dir, f'{s}_{k}.f32'), dtype='<f4')
                if a.size != int(np.prod(shape)):
                    sys.exit(f'{data_dir}/{s}_{k}.f32: {a.size} values, meta.json says {shape}')
                out.append(np.ascontiguousarray(a.reshape(shape).transpose(0, 3, 1, 2)))
        return tuple(out)

    @staticmethod
    def value_net(dropout):
        return ValueNet(dropout, in_channels=6, side=32)

    @staticmethod
    def fcn(dropout):
        return Fcn(dropout, in_channels=3, out_channels=3)

    @staticmethod
    def activate(logits):
        return torch.softmax(logits, 1)

    @staticmethod
    def task_loss(logits, ys):
        """Cross-entropy against the class proportions, averaged over pixels."""
        return -(ys * torch.log_softmax(logits, 1)).sum(1).mean()

    @staticmethod
    def start(x, value):
        """Where inference starts: the simplex centre (`value` is ignored: a constant map must sum to 1)."""
        return torch.full((x.shape[0], 3, x.shape[2], x.shape[3]), 1.0 / 3, device=x.device)

    @staticmethod
    def oracle(y, ys):
        """Soft pixel accuracy: mean over pixels of sum over classes of min(y, y*)."""
        return torch.minimum(y, ys).sum(1).flatten(1).mean(1)

    @staticmethod
    def augment(rng, x, y, cfg):
        """Whole images; flipped left-right with probability 1/2 when cfg['flip'] (the TypeScript task's arch.flip)."""
        if not cfg.get('flip'):
            return x, y
        f = torch.tensor(rng.random(x.shape[0]) < 0.5, device=x.device).view(-1, 1, 1, 1)
        return torch.where(f, x.flip(-1), x), torch.where(f, y.flip(-1), y)

    @classmethod
    def stratified(cls, ys, tau):
        """Stratified samples near y*: per row, 1/2 .. 1/512 of its pixels given a random one-hot label, one
        kept with p ∝ exp(accuracy/tau)."""
        cands = []
        for j in range(9):
            hit = torch.rand(ys.shape[0], 1, *ys.shape[2:], device=ys.device) < 2.0 ** -(j + 1)
            noise = F.one_hot(torch.randint(0, 3, (ys.shape[0], *ys.shape[2:]), device=ys.device), 3).permute(0, 3, 1, 2).float()
            cands.append(torch.where(hit, noise, ys))
        return pick_stratified(cls.oracle, cands, ys, tau)

    @staticmethod
    def evaluate(x, ys, start, advance, steps_list):
        """Pixel accuracy (%) at 32x32, argmax against the targets' argmax, after each step count."""
        truth = ys.argmax(1)
        return along_steps(x, start, advance, steps_list, lambda y: round(100 * (y.argmax(1) == truth).float().mean().item(), 2))

    @staticmethod
    def value_probe(v, x, ys):
        """sigmoid(v): the face's own y*, another face's, the simplex centre, all background (eval mode)."""
        bg = torch.zeros_like(ys); bg[:, 2] = 1
        return rate(v, x, [('own', ys), ('other', torch.roll(ys, 1, 0)), ('centre', torch.full_like(ys, 1.0 / 3)), ('background', bg)])


TASKS = {t.name: t for t in (Weizmann, Lfw)}


def pick_stratified(oracle, cands, ys, tau):
    vals = torch.stack([oracle(c, ys) for c in cands], 1)
    pick = torch.multinomial(torch.softmax(vals / tau, 1), 1).squeeze(1)
    return torch.stack(cands, 1)[torch.arange(ys.shape[0], device=ys.device), pick]


def along_steps(x, start, advance, steps_list, score):
    """score(y) after each step count of steps_list, continuing one ascent: `start(x)` gives y0, `advance(x, y, k)`
    takes k more steps."""
    y, out, done = start(x), {}, 0
    for s in sorted(steps_list):
        if s > done:
            y = advance(x, y, s - done)
            done = s
        out[s] = score(y)
    return out


def rate(v, x, named):
    was = v.training
    v.eval()
    with torch.no_grad():
        r = {k: round(torch.sigmoid(v(x, y)).mean().item(), 3) for k, y in named}
    v.train(was)
    return r
