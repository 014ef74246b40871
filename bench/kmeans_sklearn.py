"""scikit-learn reference for bench/kmeans.ts.

Usage: /usr/bin/python3 bench/kmeans_sklearn.py DATA.npy INIT.npy MAX_ITER REPEATS
Runs KMeans(algorithm='lloyd', n_init=1, init=INIT, max_iter, tol=0) REPEATS times on DATA and prints one JSON line
with the best ms per iteration, the iterations run, the inertia and the thread count scikit-learn used.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info


def main() -> None:
    data_path, init_path, max_iter, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    x = np.load(data_path).astype(np.float32)
    init = np.load(init_path).astype(np.float32)
    best = float("inf")
    km = None
    for _ in range(repeats):
        km = KMeans(n_clusters=init.shape[0], init=init, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd")
        t0 = time.perf_counter()
        km.fit(x)
        ms = (time.perf_counter() - t0) * 1000 / km.n_iter_
        best = min(best, ms)
    threads = max((p.get("num_threads", 1) for p in threadpool_info()), default=1)
    print(json.dumps({"msPerIter": best, "iterations": int(km.n_iter_), "inertia": float(km.inertia_), "threads": threads}))


if __name__ == "__main__":
    main()
