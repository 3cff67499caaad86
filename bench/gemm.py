"""The matrix products of one CNN training step, timed in PyTorch: the peer of bench/gemm.ts.

usage: OMP_NUM_THREADS=N /usr/bin/python3 bench/gemm.py '<json: {"shapes": [[m,k,n],...], "threads": N, "repeats": R}>'
Prints one JSON object: per shape the median milliseconds of torch.mm on [m,k]x[k,n] (float32).
"""
import json
import sys
import time

import torch


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    out = []
    for m, k, n in spec["shapes"]:
        a = torch.randn(m, k)
        b = torch.randn(k, n)
        torch.mm(a, b)
        times = []
        for _ in range(spec["repeats"]):
            t0 = time.perf_counter()
            torch.mm(a, b)
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        out.append(times[len(times) // 2])
    print(json.dumps({"ms": out, "torch": torch.__version__}))


main()
