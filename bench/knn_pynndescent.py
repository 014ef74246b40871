"""kNN reference for bench/umap.ts: NN-descent (pynndescent, Debian python3-pynndescent) on a float32 .npy.
Usage: knn_pynndescent.py IN.npy K OUT.npy -> writes the n x K neighbour indices (self excluded), prints seconds."""
import sys, time
import numpy as np
from pynndescent import NNDescent

x = np.load(sys.argv[1])
k = int(sys.argv[2])
NNDescent(x[:2000], n_neighbors=k + 1, random_state=0)  # numba compilation outside the timing
t0 = time.perf_counter()
index = NNDescent(x, n_neighbors=k + 1, random_state=0)
idx, _ = index.neighbor_graph
secs = time.perf_counter() - t0
out = np.zeros((x.shape[0], k), dtype=np.int32)
for i in range(x.shape[0]):
    row = [j for j in idx[i] if j != i][:k]
    out[i, :len(row)] = row
np.save(sys.argv[3], out)
print(f"{secs:.3f}")
