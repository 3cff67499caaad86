"""An independent numpy port of the NeurIPS 2023 Machine Unlearning Challenge's forgetting quality
(github.com/google-deepmind/unlearning_evaluation, metric.py), without torch or a GPU, for
bench/forget-quality-crosscheck.ts to check src/engine/metrics/forgetQuality.ts against.

    python3 bench/forget_quality.py <in.json> <out.json>

in.json: {"cases": [{"name", "unlearned": [[conf per example] per model], "retrained": [...]}]}
out.json: [{"name", "epsilons": [per example], "score": F, "limit": ceil(ln(N - 1))}]

It follows metric.py's vectorised form (threshold grids as arrays, rates as means over models),
float64 throughout, numpy.linspace for both grids; where metric.py asserts that some threshold
survives, an example with none has epsilon 0 (as the TypeScript scorer)."""
import json
import sys

import numpy as np

DELTA = 1e-05
EPSILON_CAP = 50
NUM_THRESHOLDS_PER_UNIT = 100


def double_threshold_rates(pos, neg):
    pos_diff = pos.max() - pos.min()
    neg_diff = neg.max() - neg.min()
    smallest = neg_diff if pos_diff > neg_diff else pos_diff
    if pos_diff >= neg_diff:
        pos, neg = neg, pos
    buffer = 2.0
    width = smallest
    lo = pos.min() + width - buffer
    hi = pos.max() + buffer
    right = np.linspace(lo, hi, num=int(np.ceil((hi - lo) * NUM_THRESHOLDS_PER_UNIT)))
    num_left = int(np.ceil(2 * buffer * NUM_THRESHOLDS_PER_UNIT))
    left = np.concatenate([np.linspace(tr - width - buffer, tr - width + buffer, num=num_left) for tr in right]) if len(right) else np.zeros(0)
    right_flat = np.repeat(right, num_left)
    inside = lambda c: (left[None, :] <= c[:, None]) & (c[:, None] <= right_flat[None, :])
    pp_pos = inside(pos)
    pp_neg = inside(neg)
    return pp_pos.mean(0), (~pp_pos).mean(0), pp_neg.mean(0), (~pp_neg).mean(0)


def single_threshold_rates(pos, neg):
    allc = np.concatenate([pos, neg])
    lo, hi = allc.min(), allc.max()
    t = np.linspace(lo, hi, int(np.ceil((hi - lo) * NUM_THRESHOLDS_PER_UNIT)))
    tpr = (pos[:, None] >= t[None, :]).mean(0)
    fpr = (neg[:, None] >= t[None, :]).mean(0)
    tnr = (neg[:, None] < t[None, :]).mean(0)
    fnr = (pos[:, None] < t[None, :]).mean(0)
    return tpr, fnr, fpr, tnr


def example_epsilon(pos, neg):
    pos_diff = pos.max() - pos.min()
    neg_diff = neg.max() - neg.min()
    largest = pos_diff if pos_diff > neg_diff else neg_diff
    smallest = neg_diff if pos_diff > neg_diff else pos_diff
    with np.errstate(divide="ignore", invalid="ignore"):
        if smallest / largest < 0.01:
            return float(EPSILON_CAP)
    d = double_threshold_rates(pos, neg)
    s = single_threshold_rates(pos, neg)
    tpr, fnr, fpr, tnr = (np.concatenate([a, b]) for a, b in zip(d, s))
    eps = np.zeros(len(tpr))
    eps = np.where((fpr + fnr == 0) & (tpr + tnr == 2), np.inf, eps)
    eps = np.where((eps == 0) & (fpr * fnr == 0), np.nan, eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.log(1 - DELTA - fpr) - np.log(fnr)
        b = np.log(1 - DELTA - fnr) - np.log(fpr)
        both = np.where(np.isnan(a), b, np.where(np.isnan(b), a, np.maximum(a, b)))
    eps = np.where(eps == 0, np.clip(both, 0, None), eps)
    kept = eps[~np.isnan(eps)]
    if len(kept) == 0:
        return 0.0
    return float(np.clip(np.max(kept), 0, EPSILON_CAP))


def forget_score(unlearned, retrained):
    n_models, n = retrained.shape
    retrain_is_positive = np.median(retrained, axis=0) > np.median(unlearned, axis=0)
    pos = np.where(retrain_is_positive, retrained, unlearned)
    neg = np.where(retrain_is_positive, unlearned, retrained)
    eps = [example_epsilon(pos[:, i], neg[:, i]) for i in range(n)]
    max_epsilon = np.ceil(np.log(n_models - 1))
    bucket_points = {}
    start, points = 0.0, 1.0
    while start + 0.5 <= max_epsilon:
        bucket_points[start] = points
        points /= 2
        start += 0.5
    score = 0.0
    for e in eps:
        for s, p in bucket_points.items():
            if e < s + 0.5:
                score += p
                break
    return eps, score / n, float(max_epsilon)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    out = []
    for c in cases:
        eps, score, limit = forget_score(np.array(c["unlearned"], dtype=np.float64), np.array(c["retrained"], dtype=np.float64))
        out.append({"name": c["name"], "epsilons": eps, "score": score, "limit": limit})
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
