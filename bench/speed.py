"""PyTorch peer of bench/speed.ts: the same operations on the same data, architecture and batch size.

Usage: /usr/bin/python3 bench/speed.py DIR   (run by bench/speed.ts; it sets OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS before this process starts, because the pools are sized at library load)
       PYTHON=.cache/py311/bin/python works the same (torch 2.13 from scripts/python-peers.sh).

DIR/in.json with "mode": "matrix" (the backend matrix of bench/speed.ts): {"hwc", "numClasses",
"nTrain", "batch", "repeats", "threads", "seed", "expectedParams", "train", "resnet": {"batch",
"steps", "expectedParams"} or null}; DIR/train-x.bin, train-y.bin. Times the CNN train epoch
(`repeats` times) and `steps` ResNet-18 training steps (after one warm-up step) on synthetic
CIFAR-sized data; writes DIR/out.json {versions, threads, config, ops: {train}, resnet}.

Otherwise (the per-op table):
DIR/in.json: {"hwc", "numClasses", "nTrain", "nTest", "nForget", "nRetain", "batch", "evalBatch",
              "repeats", "threads", "seed", "ratio", "expectedParams", "train": {lr, momentum,
              weightDecay}, "unlearn": {...}, "mia"}
DIR/train-x.bin, test-x.bin: float32 NHWC; train-y.bin, test-y.bin: int32;
DIR/forget.bin, retain.bin: int32 row indices into the train set; DIR/mia.json when "mia".
Writes DIR/out.json: versions, thread counts, the BLAS libraries mapped, per-op seconds.

The network is the engine's built-in 'cnn' (src/engine/models/architectures.ts) in torch's own
layout: three × [TF-'same' zero pad (odd pixel bottom/right), conv 3×3 stride 2 no bias,
BatchNorm2d(eps 1e-5, momentum 0.1 = Keras 0.9), ReLU], flatten, linear 128 + ReLU, linear C.
Its init is torch's own: the times do not depend on the weights' values.

Each op mirrors the engine's code path, not an idiomatic shortcut, so the ratio compares the same
work: per-batch row gather from the in-memory set, the loss read back every batch (the engine
checks it is finite), SGD with momentum and weight decay; SalUn masks the gradient, steps, then
restores the non-salient weights to θo and zeroes their momentum, as src/engine/train/sgd.ts does.
"""
import ctypes
import json
import math
import os
import platform
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def tf_same_pad(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def build_cnn(h, w, c, num_classes):
    layers = []
    for filters in (16, 32, 64):
        pt, pb = tf_same_pad(h, 3, 2)
        pl, pr = tf_same_pad(w, 3, 2)
        layers += [nn.ZeroPad2d((pl, pr, pt, pb)), nn.Conv2d(c, filters, 3, stride=2, bias=False),
                   nn.BatchNorm2d(filters, eps=1e-5, momentum=0.1), nn.ReLU()]
        h, w, c = math.ceil(h / 2), math.ceil(w / 2), filters
    layers += [nn.Flatten(), nn.Linear(h * w * c, 128), nn.ReLU(), nn.Linear(128, num_classes)]
    return nn.Sequential(*layers)


class BasicBlock(nn.Module):
    """ResNet's BasicBlock as the SalUn authors' CIFAR ResNet has it (Classification/models/ResNet.py)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """CIFAR ResNet-18: 3×3 stride-1 stem of 64, no max-pool, BasicBlocks [2, 2, 2, 2] of 64-128-256-512,
    global average pool, one linear layer; the engine's built-in 'resnet18' (src/engine/models/resnet18.ts)."""

    def __init__(self, num_classes=10, channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks, cin = [], 64
        for i, cout in enumerate((64, 128, 256, 512)):
            for b in range(2):
                blocks.append(BasicBlock(cin, cout, 2 if b == 0 and i > 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


def random_other_labels(y, num_classes, gen):
    r = torch.randint(0, num_classes - 1, y.shape, generator=gen)
    return r + (r >= y).long()


def train_pass(model, opt, x, y, rows, batch, loss_kind, num_classes, gen, mask=None):
    model.train()
    order = rows[torch.randperm(len(rows), generator=gen)]
    for i in range(0, len(order), batch):
        b = order[i:i + batch]
        xb, yb = x[b], y[b]
        if loss_kind == "random-label-ce":
            yb = random_other_labels(yb, num_classes, gen)
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        if mask is not None:
            for p, m in zip(mask["params"], mask["salient"]):
                p.grad.mul_(m)
        opt.step()
        if mask is not None:
            with torch.no_grad():
                for p, m, a in zip(mask["params"], mask["salient"], mask["anchor"]):
                    p.copy_(torch.where(m, p, a))
                    buf = opt.state[p].get("momentum_buffer")
                    if buf is not None:
                        buf.mul_(m)
        if not math.isfinite(loss.item()):
            sys.exit(f"loss became {loss.item()}")


def sgd(model, recipe):
    return torch.optim.SGD(model.parameters(), lr=recipe["lr"], momentum=recipe["momentum"], weight_decay=recipe["weightDecay"])


def forward_backward(model, x, y, rows, batch, accumulate):
    """Inference-mode forward + gradient per batch; with accumulate, the saliency map (generate_mask.py)."""
    model.eval()
    params = list(model.parameters())
    sums = [torch.zeros_like(p) for p in params] if accumulate else None
    for i in range(0, len(rows), batch):
        b = rows[i:i + batch]
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(x[b]), y[b]).backward()
        if accumulate:
            with torch.no_grad():
                for s, p in zip(sums, params):
                    s.add_(p.grad)
    if accumulate:
        return [s.abs().numpy() for s in sums]
    return None


def predict(model, x, y, rows, batch):
    model.eval()
    conf, correct = [], []
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            b = rows[i:i + batch]
            lp = F.log_softmax(model(x[b]), dim=1)
            yb = y[b]
            conf.append(lp.exp().gather(1, yb.unsqueeze(1)).squeeze(1).numpy())
            correct.append((lp.argmax(1) == yb).numpy())
    return np.concatenate(conf), np.concatenate(correct)


def mask_from_scores(model, scores, ratio):
    flat = np.concatenate([s.ravel() for s in scores])
    k = int(len(flat) * ratio)
    gamma = np.partition(flat, len(flat) - k)[len(flat) - k]
    params = list(model.parameters())
    return {
        "params": params,
        "salient": [torch.from_numpy(s >= gamma) for s in scores],
        "anchor": [p.detach().clone() for p in params],
    }


def blas_info():
    """The BLAS/LAPACK/oneDNN/OpenMP libraries mapped into this process, and OpenBLAS's own thread count."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(path)
            # System libraries only: numpy/scipy/sklearn extension modules have "blas" in their names too.
            if base.startswith("lib") and any(t in base for t in ("blas", "lapack", "dnnl", "mkl", "gomp", "omp")):
                libs.add(os.path.realpath(path))
    openblas_threads, openblas_config = None, None
    for lib in sorted(libs):
        if "openblas" in os.path.basename(lib):
            try:
                h = ctypes.CDLL(lib)
                h.openblas_get_num_threads.restype = ctypes.c_int
                h.openblas_get_config.restype = ctypes.c_char_p
                openblas_threads = h.openblas_get_num_threads()
                openblas_config = h.openblas_get_config().decode()
            except (OSError, AttributeError):
                pass
    return sorted(libs), openblas_threads, openblas_config


def cpu_capability():
    line = next((l for l in torch.__config__.show().splitlines() if "CPU capability" in l), "")
    return line.strip(" -") or "CPU capability unknown"


def versions_now():
    return {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()}


def thread_info(threads):
    _, openblas_threads, _ = blas_info()
    return {"torch": torch.get_num_threads(), "interop": torch.get_num_interop_threads(),
            "openblas": openblas_threads, "omp_env": os.environ.get("OMP_NUM_THREADS"), "asked": threads}


def short_config():
    lines = torch.__config__.show().splitlines()
    build = next((l for l in lines if "Build settings" in l), "").split("Build settings:", 1)[-1]
    keys = ("BLAS_INFO", "USE_MKLDNN", "TORCH_VERSION")
    settings = ", ".join(s.strip() for s in build.split(",") if s.strip().split("=")[0] in keys)
    dnnl = next((l.strip(" -") for l in lines if "MKL-DNN" in l or "oneDNN" in l), "no oneDNN")
    return f"{settings}; {dnnl}; {cpu_capability()}"


def resnet_steps(spec, recipe):
    """`steps` training steps of ResNet-18 at `batch` on uniform [0, 1) CIFAR-sized data, one warm-up first."""
    batch, steps = spec["batch"], spec["steps"]
    gen = torch.Generator().manual_seed(7)
    x = torch.rand((batch * (steps + 1), 3, 32, 32), generator=gen)
    y = torch.arange(batch * (steps + 1)) % 10
    model = ResNet18()
    n_params = sum(p.numel() for p in model.parameters())
    if spec.get("expectedParams") and n_params != spec["expectedParams"]:
        sys.exit(f"the torch ResNet-18 has {n_params} trainable weights, the engine's {spec['expectedParams']}: the mirror is wrong")
    opt = sgd(model, recipe)
    rows = torch.arange(len(y))
    train_pass(model, opt, x, y, rows[:batch], batch, "ce", 10, gen)
    secs = []
    for s in range(1, steps + 1):
        t0 = time.perf_counter()
        train_pass(model, opt, x, y, rows[s * batch:(s + 1) * batch], batch, "ce", 10, gen)
        secs.append(time.perf_counter() - t0)
        print(f"[torch {torch.__version__}] resnet18 step {s}/{steps}: {secs[-1]:.3f} s", file=sys.stderr, flush=True)
    return {"batch": batch, "steps": steps, "stepSeconds": secs, "params": n_params}


def machine_busy_seconds():
    """Busy CPU seconds of the whole machine so far (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def own_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def matrix(d, spec):
    wall0, busy0, own0 = time.perf_counter(), machine_busy_seconds(), own_cpu_seconds()
    threads = spec["threads"]
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(spec["seed"])
    gen = torch.Generator().manual_seed(spec["seed"])
    h, w, c = spec["hwc"]
    nc = spec["numClasses"]
    x = torch.from_numpy(np.fromfile(os.path.join(d, "train-x.bin"), dtype="<f4").reshape((spec["nTrain"], h, w, c)).copy()).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(os.path.join(d, "train-y.bin"), dtype="<i4").copy()).long()
    model = build_cnn(h, w, c, nc)
    n_params = sum(p.numel() for p in model.parameters())
    if spec.get("expectedParams") and n_params != spec["expectedParams"]:
        sys.exit(f"the torch CNN has {n_params} trainable weights, the engine's {spec['expectedParams']}: the mirror is wrong")
    opt = sgd(model, spec["train"])
    rows = torch.arange(spec["nTrain"])
    batch = spec["batch"]
    train_pass(model, opt, x, y, rows[:2 * batch], batch, "ce", nc, gen)
    secs = []
    for r in range(spec["repeats"]):
        t0 = time.perf_counter()
        train_pass(model, opt, x, y, rows, batch, "ce", nc, gen)
        secs.append(time.perf_counter() - t0)
        print(f"[torch {torch.__version__}, {threads} thread(s)] train epoch {r + 1}/{spec['repeats']}: {secs[-1]:.3f} s", file=sys.stderr, flush=True)
    out = {"versions": versions_now(), "threads": thread_info(threads), "config": short_config(),
           "ops": {"train": {"samples": spec["nTrain"], "seconds": secs}},
           "resnet": resnet_steps(spec["resnet"], spec["train"]) if spec.get("resnet") else None}
    wall, busy1, own = time.perf_counter() - wall0, machine_busy_seconds(), own_cpu_seconds() - own0
    # The machine is shared: cores the rest of it kept busy meanwhile say how far to trust the figures.
    out["load"] = {"seconds": wall, "ownCores": own / wall,
                   "othersCores": max(0.0, busy1 - busy0 - own) / wall if busy0 is not None and busy1 is not None else None}
    with open(os.path.join(d, "out.json"), "w") as f:
        json.dump(out, f)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: speed.py DIR")
    d = sys.argv[1]
    with open(os.path.join(d, "in.json")) as f:
        spec = json.load(f)
    if spec.get("mode") == "matrix":
        matrix(d, spec)
        return
    threads = spec["threads"]
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(spec["seed"])
    gen = torch.Generator().manual_seed(spec["seed"])

    h, w, c = spec["hwc"]
    nc = spec["numClasses"]
    load = lambda name, dt, shape: torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=dt).reshape(shape).copy())
    # NHWC → NCHW once, outside every timing (the engine's data is already in its layout too).
    train_x = load("train-x.bin", "<f4", (spec["nTrain"], h, w, c)).permute(0, 3, 1, 2).contiguous()
    train_y = load("train-y.bin", "<i4", (spec["nTrain"],)).long()
    test_x = load("test-x.bin", "<f4", (spec["nTest"], h, w, c)).permute(0, 3, 1, 2).contiguous()
    test_y = load("test-y.bin", "<i4", (spec["nTest"],)).long()
    forget = load("forget.bin", "<i4", (spec["nForget"],)).long()
    retain = load("retain.bin", "<i4", (spec["nRetain"],)).long()
    all_rows = torch.arange(spec["nTrain"])
    test_rows = torch.arange(spec["nTest"])

    model = build_cnn(h, w, c, nc)
    n_params = sum(p.numel() for p in model.parameters())
    if n_params != spec["expectedParams"]:
        sys.exit(f"the torch CNN has {n_params} trainable weights, the engine's {spec['expectedParams']}: the mirror is wrong")
    batch, eval_batch = spec["batch"], spec["evalBatch"]

    mask = mask_from_scores(model, forward_backward(model, train_x, train_y, forget, batch, True), spec["ratio"])
    train_opt = sgd(model, spec["train"])

    def salun_epoch(f_rows, r_rows):
        opt = sgd(model, spec["unlearn"])  # the engine's unlearn() makes a fresh optimizer per call
        train_pass(model, opt, train_x, train_y, f_rows, batch, "random-label-ce", nc, gen, mask)
        train_pass(model, opt, train_x, train_y, r_rows, batch, "ce", nc, gen, mask)

    def evaluate(rows_f, rows_r, rows_t):
        predict(model, train_x, train_y, rows_f, eval_batch)
        predict(model, train_x, train_y, rows_r, eval_batch)
        predict(model, test_x, test_y, rows_t, eval_batch)

    ops = [
        ("train", spec["nTrain"], lambda warm: train_pass(model, train_opt, train_x, train_y, all_rows[:2 * batch] if warm else all_rows, batch, "ce", nc, gen)),
        ("salun", spec["nForget"] + spec["nRetain"], lambda warm: salun_epoch(forget[:batch], retain[:batch]) if warm else salun_epoch(forget, retain)),
        ("saliency", spec["nForget"], lambda warm: forward_backward(model, train_x, train_y, forget[:2 * batch] if warm else forget, batch, True)),
        ("fwdbwd", spec["nForget"], lambda warm: forward_backward(model, train_x, train_y, forget[:2 * batch] if warm else forget, batch, False)),
        ("eval", spec["nForget"] + spec["nRetain"] + spec["nTest"],
         lambda warm: predict(model, test_x, test_y, test_rows[:2 * eval_batch], eval_batch) if warm else evaluate(forget, retain, test_rows)),
    ]
    timings = {op: {"samples": n, "seconds": []} for op, n, _ in ops}
    for _, _, run in ops:
        run(True)
    for r in range(spec["repeats"]):
        for op, _, run in ops:
            t0 = time.perf_counter()
            run(False)
            timings[op]["seconds"].append(time.perf_counter() - t0)
            print(f"[torch] repeat {r + 1}/{spec['repeats']} {op}: {timings[op]['seconds'][-1]:.3f} s", file=sys.stderr, flush=True)

    versions = {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()}
    if spec.get("mia"):
        import sklearn
        from sklearn.svm import SVC
        with open(os.path.join(d, "mia.json")) as f:
            m = json.load(f)
        xs = np.concatenate([np.asarray(m["retain"]), np.asarray(m["test"])]).reshape(-1, 1)
        ys = np.concatenate([np.ones(len(m["retain"])), np.zeros(len(m["test"]))])
        timings["mia"] = {"samples": len(xs), "seconds": []}
        for _ in range(spec["repeats"]):
            t0 = time.perf_counter()
            SVC(C=3, gamma="auto", kernel="rbf").fit(xs, ys).predict(np.asarray(m["forget"]).reshape(-1, 1))
            timings["mia"]["seconds"].append(time.perf_counter() - t0)
        versions["sklearn"] = sklearn.__version__

    libs, openblas_threads, openblas_config = blas_info()
    config_lines = torch.__config__.show().splitlines()
    build = next((l for l in config_lines if "Build settings" in l), "").split("Build settings:", 1)[-1]
    keys = ("BLAS_INFO", "LAPACK_INFO", "USE_MKLDNN", "USE_OPENMP", "TORCH_VERSION")
    settings = ", ".join(s.strip() for s in build.split(",") if s.strip().split("=")[0] in keys)
    dnnl = next((l.strip(" -") for l in config_lines if "MKL-DNN" in l or "oneDNN" in l), "no oneDNN")
    parallel = "; ".join(l.strip() for l in torch.__config__.parallel_info().splitlines()
                         if l.strip() and not l.startswith("Environment") and "hardware_concurrency" not in l)
    out = {
        "versions": versions,
        "threads": {"torch": torch.get_num_threads(), "interop": torch.get_num_interop_threads(),
                    "openblas": openblas_threads, "omp_env": os.environ.get("OMP_NUM_THREADS")},
        "blas": libs,
        "config": f"{settings}; {dnnl}; {cpu_capability()}"
                  + (f"; OpenBLAS config: {openblas_config}" if openblas_config else ""),
        "config_full": torch.__config__.show(),
        "parallel": parallel,
        "params": n_params,
        "ops": timings,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    with open(os.path.join(d, "out.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
