"""A run folder read back by the real TensorBoard: its EventAccumulator must find every scalar the
run wrote, with the values of metrics.jsonl (UA, RA, TA, MIA; Avg. Gap against the Retrain line)
and of training.csv (θo's and Retrain's loss and accuracy per epoch), and its EventMultiplexer must
discover the folder's series under a --logdir of the runs root, as `tensorboard --logdir` does.
metrics.csv is checked against metrics.jsonl too. Scalars are float32 in the event format, so each
expected value is rounded to float32 and compared exactly.

    python bench/tensorboard-check.py <run folder> [<run folder> …]

Prints the values it compared and PASS or FAIL per run; exits 1 on any FAIL. Run by
scripts/tensorboard-check.sh in a venv holding tensorboard 2.21 (a check, not a dependency).
"""
import csv
import json
import os
import struct
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer

METRICS = ["UA", "RA", "TA", "MIA"]
TAG = {"UA": "metrics/UA", "RA": "metrics/RA", "TA": "metrics/TA", "MIA": "metrics/MIA", "gap": "metrics/Avg. Gap"}
CURVE_TAG = {"loss": "training/loss", "accuracy": "training/accuracy"}
SERIES = {"unlearned": "unlearn", "original": "original", "retrain": "retrain"}


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def avg_gap(m, ref):
    # The paper's Avg. Gap, summed in the same order as protocol/results.ts avgGap.
    return (abs(m["UA"] - ref["UA"]) + abs(m["RA"] - ref["RA"]) + abs(m["TA"] - ref["TA"]) + abs(m["MIA"] - ref["MIA"])) / 4


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def expected_series(lines):
    """{series: {tag: [(step, value)]}} from metrics.jsonl, in the order the job wrote them: each
    unlearning epoch also repeats θo and Retrain (reference lines); Avg. Gap is written once a
    Retrain line has been seen."""
    out = {}
    refs = {}

    def put(series, step, m):
        tags = out.setdefault(series, {})
        for k in METRICS:
            tags.setdefault(TAG[k], []).append((step, f32(m[k])))
        if "retrain" in refs:
            tags.setdefault(TAG["gap"], []).append((step, f32(avg_gap(m, refs["retrain"]))))

    for l in lines:
        if l["role"] != "unlearned":
            refs[l["role"]] = l
            put(SERIES[l["role"]], l["epoch"], l)
            continue
        put("unlearn", l["epoch"], l)
        if l["epoch"] > 0:
            for ref in refs.values():
                put(SERIES[ref["role"]], l["epoch"], ref)
    return out


def expected_curves(run):
    path = os.path.join(run, "training.csv")
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for row in csv.DictReader(f):
            tags = out.setdefault(f"{row['model']}-training", {})
            for k in ("loss", "accuracy"):
                tags.setdefault(CURVE_TAG[k], []).append((int(row["epoch"]), f32(float(row[k]))))
    return out


def read_series(folder):
    acc = EventAccumulator(folder, size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def check_csv(run, lines, problems):
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    if len(rows) != len(lines):
        problems.append(f"metrics.csv has {len(rows)} rows, metrics.jsonl {len(lines)} lines")
        return
    for row, l in zip(rows, lines):
        got = (row["role"], int(row["epoch"]), *[float(row[k]) for k in METRICS])
        want = (l["role"], l["epoch"], *[l[k] for k in METRICS])
        if got != want:
            problems.append(f"metrics.csv row {got} != metrics.jsonl {want}")


def check_run(run):
    problems = []
    lines = read_jsonl(os.path.join(run, "metrics.jsonl"))
    want = {**expected_series(lines), **expected_curves(run)}
    tb = os.path.join(run, "tb")
    present = sorted(os.listdir(tb)) if os.path.isdir(tb) else []
    if sorted(want) != present:
        problems.append(f"series {present}, expected {sorted(want)}")
    for series in sorted(want):
        got = read_series(os.path.join(tb, series)) if series in present else {}
        for tag in sorted(want[series]):
            w, g = want[series][tag], got.get(tag, [])
            ok = w == g
            shown = ", ".join(f"{s}:{v:.6g}" for s, v in g)
            print(f"  {'ok  ' if ok else 'FAIL'} {series:17} {tag:18} {shown}")
            if not ok:
                problems.append(f"{series} {tag}: TensorBoard read {g}, metrics.jsonl/training.csv say {w}")
        extra = sorted(set(got) - set(want[series]))
        if extra:
            problems.append(f"{series}: unexpected tags {extra}")
    check_csv(run, lines, problems)
    # What `tensorboard --logdir <runs root>` lists: one TensorBoard run per series folder.
    root = os.path.dirname(os.path.abspath(run))
    mux = EventMultiplexer()
    mux.AddRunsFromDirectory(root)
    mux.Reload()
    found = sorted(r for r in mux.Runs() if r.startswith(os.path.basename(os.path.abspath(run)) + "/"))
    expect = sorted(f"{os.path.basename(os.path.abspath(run))}/tb/{s}" for s in want)
    if found != expect:
        problems.append(f"--logdir {root} lists {found}, expected {expect}")
    else:
        print(f"  ok   --logdir {root} lists {len(found)} TensorBoard runs: {', '.join(found)}")
    return problems


def main(runs):
    if not runs:
        print(__doc__)
        return 2
    failed = False
    for run in runs:
        print(f"{run}:")
        problems = check_run(run)
        for p in problems:
            print(f"  problem: {p}")
        print(f"{'FAIL' if problems else 'PASS'}: {run}: {'; '.join(problems[:3]) if problems else 'every scalar TensorBoard reads equals metrics.jsonl and training.csv'}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
