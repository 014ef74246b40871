"""Classical one-class baselines for bench/anomaly.ts, on raw pixels.

Usage: /usr/bin/python3 bench/anomaly_sklearn.py DIR CLASSES
DIR holds train_<c>.npy (class-c training images, float32 n x 784 in [0, 1]), test.npy (float32) and
test_labels.npy (float32 class ids). For each class c in CLASSES (comma-separated) fits, on train_<c> only:
- PCA reconstruction error with 8 components and with the components explaining 90% of the variance;
- OneClassSVM (RBF kernel, gamma='scale', nu=0.1);
- IsolationForest (100 trees, random_state=0);
scores the whole test set (class c normal, every other class anomalous) and prints one JSON line per method and class:
{"method", "cls", "auroc", "seconds"}.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.svm import OneClassSVM


def pca_error(train: np.ndarray, test: np.ndarray, components) -> np.ndarray:
    pca = PCA(n_components=components, svd_solver="full", random_state=0).fit(train)
    rec = pca.inverse_transform(pca.transform(test))
    return ((test - rec) ** 2).mean(axis=1)


def main() -> None:
    folder, classes = sys.argv[1], [int(c) for c in sys.argv[2].split(",")]
    test = np.load(os.path.join(folder, "test.npy")).astype(np.float32)
    labels = np.load(os.path.join(folder, "test_labels.npy")).astype(np.int64)
    methods = {
        "PCA (8 components)": lambda tr: pca_error(tr, test, 8),
        "PCA (90% variance)": lambda tr: pca_error(tr, test, 0.9),
        "OneClassSVM (rbf, nu=0.1)": lambda tr: -OneClassSVM(kernel="rbf", gamma="scale", nu=0.1).fit(tr).decision_function(test),
        "IsolationForest (100 trees)": lambda tr: -IsolationForest(n_estimators=100, random_state=0).fit(tr).score_samples(test),
    }
    for c in classes:
        train = np.load(os.path.join(folder, f"train_{c}.npy")).astype(np.float32)
        anomalous = labels != c
        for name, fn in methods.items():
            t0 = time.perf_counter()
            scores = fn(train)
            print(json.dumps({"method": name, "cls": c, "auroc": float(roc_auc_score(anomalous, scores)), "seconds": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    main()
