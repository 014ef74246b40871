"""scikit-learn reference for bench/kmeans.ts.

Usage: /usr/bin/python3 bench/kmeans_sklearn.py DATA.npy INIT.npy MAX_ITER REPEATS OUT_DIR
Runs KMeans(algorithm=A, n_init=1, init=INIT, max_iter, tol=0) REPEATS times on DATA for A in lloyd and elkan and
prints one JSON line per algorithm with the best ms per iteration, the iterations run, the inertia and the thread
count scikit-learn used. Writes OUT_DIR/sk_<A>_centers.npy and OUT_DIR/sk_<A>_labels.npy (both float32) so the
bench can check that its clustering is the same.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info


def main() -> None:
    data_path, init_path, max_iter, repeats, out_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    x = np.load(data_path).astype(np.float32)
    init = np.load(init_path).astype(np.float32)
    threads = max((p.get("num_threads", 1) for p in threadpool_info()), default=1)
    for algorithm in ("lloyd", "elkan"):
        best = float("inf")
        km = None
        for _ in range(repeats):
            km = KMeans(n_clusters=init.shape[0], init=init, n_init=1, max_iter=max_iter, tol=0, algorithm=algorithm)
            t0 = time.perf_counter()
            km.fit(x)
            ms = (time.perf_counter() - t0) * 1000 / km.n_iter_
            best = min(best, ms)
        np.save(os.path.join(out_dir, f"sk_{algorithm}_centers.npy"), km.cluster_centers_.astype(np.float32))
        np.save(os.path.join(out_dir, f"sk_{algorithm}_labels.npy"), km.labels_.astype(np.float32))
        print(json.dumps({"algorithm": algorithm, "msPerIter": best, "iterations": int(km.n_iter_), "inertia": float(km.inertia_), "threads": threads}))


if __name__ == "__main__":
    main()
