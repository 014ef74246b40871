"""PyTorch reference for bench/train.ts: trains the SAME autoencoders on the same data, CPU only, and prints one JSON
line with samples/s. Run with Debian's /usr/bin/python3 (python3-torch):

    /usr/bin/python3 bench/torch_train.py --data FILE --n N --model dense|conv --threads T --warmup W --batches B

FILE holds N x 784 float32 values in [0, 1] (row-major, little endian), written by bench/train.ts.
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn


def dense_ae() -> nn.Module:
    """784-256-64-32 encoder, mirrored decoder, relu, sigmoid output (as bench/train.ts)."""
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 64), nn.ReLU(),
        nn.Linear(64, 32),
        nn.Linear(32, 64), nn.ReLU(),
        nn.Linear(64, 256), nn.ReLU(),
        nn.Linear(256, 784), nn.Sigmoid(),
    )


def conv_ae() -> nn.Module:
    """28x28x1: conv 16 3x3 s2 -> conv 32 3x3 s2 -> dense 16 -> dense 1568 -> convT 16 s2 -> convT 1 s2 (as train.ts)."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),   # 14x14x16
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),  # 7x7x32
        nn.Flatten(),
        nn.Linear(7 * 7 * 32, 16),
        nn.Linear(16, 7 * 7 * 32), nn.ReLU(),
        nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # 14x14x32
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # 28x28x16
        nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid(),  # 28x28x1
        nn.Flatten(),
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--n', type=int, required=True)
    p.add_argument('--model', choices=['dense', 'conv'], required=True)
    p.add_argument('--threads', type=int, default=1, help='0 = PyTorch\'s default (every core)')
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--batches', type=int, default=100)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()

    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_all = torch.from_numpy(np.fromfile(a.data, dtype='<f4', count=a.n * 784).reshape(a.n, 784))
    model = dense_ae() if a.model == 'dense' else conv_ae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    per_epoch = a.n // a.batch

    def step(i: int) -> float:
        j = i % per_epoch
        xb = x_all[j * a.batch:(j + 1) * a.batch]
        opt.zero_grad()
        loss = loss_fn(model(xb), xb)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(a.warmup):
        step(i)
    first = None
    t0 = time.perf_counter()
    for i in range(a.batches):
        loss = step(a.warmup + i)
        first = loss if first is None else first
    secs = time.perf_counter() - t0
    print(json.dumps({
        'model': a.model,
        'samplesPerSec': a.batches * a.batch / secs,
        'seconds': secs,
        'batches': a.batches,
        'threads': torch.get_num_threads(),
        'firstLoss': first,
        'lastLoss': loss,
        'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
