"""Reference side of bench/mia-crosscheck.ts: the SalUn authors' SVC_MIA confidence attack in sklearn.

Usage: /usr/bin/python3 bench/mia-crosscheck.py IN.json OUT.json
IN:  {"cases": [{"name", "retain", "test", "forget"}]}  (true-label confidences)
OUT: {"sklearn": version, "results": [{"name", "efficacy", "pred", "decision", "n_iter",
      "n_support", "fit_s"}]}

Built like evaluation/SVC_MIA.py: X = [members; non-members], y = [1...; 0...],
SVC(C=3, gamma="auto", kernel="rbf"), efficacy = share of the forget set predicted 0.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.svm import SVC


def run_case(case):
    retain = np.asarray(case["retain"], dtype=np.float64)
    test = np.asarray(case["test"], dtype=np.float64)
    forget = np.asarray(case["forget"], dtype=np.float64).reshape(-1, 1)
    x = np.concatenate([retain, test]).reshape(-1, 1)
    y = np.concatenate([np.ones(len(retain)), np.zeros(len(test))])
    clf = SVC(C=3, gamma="auto", kernel="rbf")
    t0 = time.perf_counter()
    clf.fit(x, y)
    fit_s = time.perf_counter() - t0
    pred = clf.predict(forget)
    return {
        "name": case["name"],
        "efficacy": float((1 - pred.mean()) * 100),
        "pred": [int(p) for p in pred],
        "decision": [float(d) for d in clf.decision_function(forget)],
        "n_iter": int(np.sum(getattr(clf, "n_iter_", [-1]))),
        "n_support": int(np.sum(clf.n_support_)),
        "fit_s": fit_s,
    }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mia-crosscheck.py IN.json OUT.json")
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    results = [run_case(c) for c in cases]
    with open(sys.argv[2], "w") as f:
        json.dump({"sklearn": sklearn.__version__, "results": results}, f)


if __name__ == "__main__":
    main()
