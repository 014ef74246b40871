"""PyTorch reference for bench/train.ts: trains the SAME autoencoders on the same data, CPU only, and prints one JSON
line with samples/s. Run with Debian's /usr/bin/python3 (python3-torch):

    /usr/bin/python3 bench/torch_train.py --data FILE --n N --model dense|conv --threads T --warmup W --batches B

FILE holds N x 784 float32 values in [0, 1] (row-major, little endian), written by bench/train.ts.

Threads: Debian's PyTorch runs its matrix products in OpenBLAS, whose thread pool is not the one
torch.set_num_threads sizes: by default PyTorch computes with one intra-op thread and OpenBLAS with every core.
--threads T therefore caps OpenBLAS at T threads too (OPENBLAS_NUM_THREADS, read when torch loads) and gives PyTorch
min(T, its default) intra-op threads, so that at most T threads compute. Measured on 2 cores (dense, batch 128):
torch.set_num_threads(1) alone left OpenBLAS on both cores (as fast as the default), and set_num_threads(2) with
2 OpenBLAS threads ran 3-4x slower than the default (4 spinning threads on 2 cores).
"""
import argparse
import json
import os
import time


def _thread_cap() -> int:
    """--threads, read before torch loads (OpenBLAS sizes its pool then); 0 = every core."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument('--threads', type=int, default=1)
    return p.parse_known_args()[0].threads


if _thread_cap() > 0:
    os.environ['OPENBLAS_NUM_THREADS'] = str(_thread_cap())

import numpy as np  # noqa: E402 (after the OpenBLAS thread cap)
import torch  # noqa: E402
from torch import nn  # noqa: E402


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


def blas_threads():
    """Threads of the OpenBLAS loaded with torch (None where torch uses another BLAS)."""
    import ctypes
    with open('/proc/self/maps') as maps:
        libs = {line.split()[-1] for line in maps if 'libopenblas' in line}
    for lib in libs:
        try:
            return ctypes.CDLL(lib).openblas_get_num_threads()
        except (OSError, AttributeError):
            pass
    return None


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
        torch.set_num_threads(min(a.threads, torch.get_num_threads()))
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
        'blasThreads': blas_threads(),
        'firstLoss': first,
        'lastLoss': loss,
        'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
