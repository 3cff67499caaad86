"""Reference side of bench/saliency-crosscheck.ts: SalUn weight saliency computed in PyTorch.

Usage: /usr/bin/python3 bench/saliency-crosscheck.py DIR
DIR/in.json: {"layers": [{"name", "className", "config", "weights": [{"name", "shape", "offset"}]}],
              "input": [h, w, c], "n": forget size, "batchSize", "ratios"}
DIR/weights.bin: every weight of the tfjs model (trainable and batch-norm moving statistics),
                 float32 little-endian in tfjs layout, at the offsets (in floats) in in.json
DIR/forget-x.bin: n×h×w×c float32 (NHWC), DIR/forget-y.bin: n int32
Writes DIR/scores.bin (|g| per trainable weight, float32, mapped back to tfjs layout and order),
DIR/mask-<ratio>.bin (uint8, same layout) and DIR/out.json (versions, timings, γ per ratio).

The network is rebuilt in torch's own layout (NCHW, conv weight [out, in, kh, kw], linear weight
[out, in], flatten in C·H·W order), so the tfjs → torch conversion is itself under test:
  conv kernel   [kh, kw, in, out] → permute(3, 2, 0, 1)
  dense kernel  [in, out]         → transpose; after a Flatten, its rows are also reordered from
                                    H·W·C (tfjs NHWC flatten) to C·H·W (torch NCHW flatten)
  'same' padding follows TensorFlow: total = max((ceil(n/s) − 1)·s + k − n, 0), the odd pixel
                                    at the bottom/right, applied with F.pad (torch's own padding
                                    is symmetric only).
Gradients and mask follow the authors' generate_mask.py: model.eval(), loss = −CE (mean over the
batch) per batch, grads summed over batches, abs; then the global mask from
ranks = argsort(argsort(−all_scores)), mask = rank < int(n·ratio).
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def tf_same_pad(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class Rebuilt(torch.nn.Module):
    """The tfjs Sequential, layer by layer, with torch-native parameters."""

    def __init__(self, layers, flat, input_hwc):
        super().__init__()
        self.ops = []  # (kind, name, extra)
        self.params = torch.nn.ParameterDict()
        self.buffers_ = {}
        self.to_tf = []  # per trainable tfjs weight, in tfjs order: (tfjs name, torch param key, fn torch→tfjs layout)
        h, w, c = input_hwc
        fmap = None  # (H, W, C) of the last spatial output, for a Dense right after Flatten
        get = lambda spec: torch.from_numpy(flat[spec["offset"]:spec["offset"] + int(np.prod(spec["shape"]))].reshape(spec["shape"]).copy())
        for layer in layers:
            cls, cfg, name = layer["className"], layer["config"], layer["name"]
            ws = {wt["name"].split("/")[-1]: wt for wt in layer["weights"]}
            key = name.replace("/", "_")
            if cls == "Conv2D":
                kh, kw = cfg["kernelSize"]
                sh, sw = cfg["strides"]
                if cfg.get("dilationRate", [1, 1]) not in ([1, 1], 1) or cfg["dataFormat"] != "channelsLast":
                    raise SystemExit(f"{name}: unsupported conv config")
                k = get(ws["kernel"])  # [kh, kw, in, out]
                self.params[key + "_weight"] = torch.nn.Parameter(k.permute(3, 2, 0, 1).contiguous())
                self.to_tf.append((ws["kernel"]["name"], key + "_weight", lambda t: t.permute(2, 3, 1, 0)))
                if cfg["useBias"]:
                    self.params[key + "_bias"] = torch.nn.Parameter(get(ws["bias"]))
                    self.to_tf.append((ws["bias"]["name"], key + "_bias", lambda t: t))
                if cfg["padding"] == "same":
                    pt, pb = tf_same_pad(h, kh, sh)
                    pl, pr = tf_same_pad(w, kw, sw)
                    h, w = math.ceil(h / sh), math.ceil(w / sw)
                elif cfg["padding"] == "valid":
                    pt = pb = pl = pr = 0
                    h, w = (h - kh) // sh + 1, (w - kw) // sw + 1
                else:
                    raise SystemExit(f"{name}: unsupported padding {cfg['padding']}")
                c = k.shape[3]
                fmap = (h, w, c)
                self.ops.append(("conv", key, ((pl, pr, pt, pb), (sh, sw), cfg["useBias"], cfg.get("activation", "linear"))))
            elif cls == "BatchNormalization":
                if cfg["axis"] not in (-1, 3, [-1], [3]) or not cfg["scale"] or not cfg["center"]:
                    raise SystemExit(f"{name}: unsupported batch-norm config")
                self.params[key + "_weight"] = torch.nn.Parameter(get(ws["gamma"]))
                self.params[key + "_bias"] = torch.nn.Parameter(get(ws["beta"]))
                self.to_tf.append((ws["gamma"]["name"], key + "_weight", lambda t: t))
                self.to_tf.append((ws["beta"]["name"], key + "_bias", lambda t: t))
                self.buffers_[key] = (get(ws["moving_mean"]), get(ws["moving_variance"]), float(cfg["epsilon"]))
                self.ops.append(("bn", key, None))
            elif cls == "ReLU":
                self.ops.append(("relu", key, None))
            elif cls == "Flatten":
                self.ops.append(("flatten", key, None))
            elif cls == "Dense":
                k = get(ws["kernel"])  # [in, out]
                out = k.shape[1]
                if self.ops and self.ops[-1][0] == "flatten" and fmap is not None:
                    hh, ww, cc = fmap
                    wt = k.reshape(hh, ww, cc, out).permute(3, 2, 0, 1).reshape(out, cc * hh * ww)
                    back = (lambda hh, ww, cc, out: lambda t: t.reshape(out, cc, hh, ww).permute(2, 3, 1, 0).reshape(hh * ww * cc, out))(hh, ww, cc, out)
                else:
                    wt = k.t()
                    back = lambda t: t.t()
                fmap = None
                self.params[key + "_weight"] = torch.nn.Parameter(wt.contiguous())
                self.to_tf.append((ws["kernel"]["name"], key + "_weight", back))
                if cfg["useBias"]:
                    self.params[key + "_bias"] = torch.nn.Parameter(get(ws["bias"]))
                    self.to_tf.append((ws["bias"]["name"], key + "_bias", lambda t: t))
                self.ops.append(("dense", key, cfg.get("activation", "linear")))
            else:
                raise SystemExit(f"{name}: layer class {cls} is not supported by this cross-check")

    def forward(self, x):  # x: NCHW
        for kind, key, extra in self.ops:
            if kind == "conv":
                pad, stride, bias, act = extra
                x = F.conv2d(F.pad(x, pad), self.params[key + "_weight"], self.params[key + "_bias"] if bias else None, stride=stride)
                x = act_fn(act)(x)
            elif kind == "bn":
                mean, var, eps = self.buffers_[key]
                x = F.batch_norm(x, mean, var, self.params[key + "_weight"], self.params[key + "_bias"], training=False, eps=eps)
            elif kind == "relu":
                x = F.relu(x)
            elif kind == "flatten":
                x = torch.flatten(x, 1)  # NCHW order, as a torch model flattens
            elif kind == "dense":
                x = act_fn(extra)(F.linear(x, self.params[key + "_weight"], self.params[key + "_bias"] if key + "_bias" in self.params else None))
        return x


def act_fn(name):
    if name in (None, "linear"):
        return lambda t: t
    if name == "relu":
        return F.relu
    raise SystemExit(f"activation {name} is not supported by this cross-check")


def saliency(model, x, y, batch_size):
    """generate_mask.py: eval mode, per-batch mean loss, gradients summed, then abs."""
    model.eval()
    grads = {k: torch.zeros_like(p) for k, p in model.params.items()}
    for i in range(0, x.shape[0], batch_size):
        model.zero_grad(set_to_none=True)
        loss = -F.cross_entropy(model(x[i:i + batch_size]), y[i:i + batch_size])
        loss.backward()
        with torch.no_grad():
            for k, p in model.params.items():
                if p.grad is not None:
                    grads[k] += p.grad
    return {k: torch.abs(g) for k, g in grads.items()}


def authors_mask(scores, keys, ratio):
    """The global top-ratio mask of generate_mask.py, in torch layout; γ = smallest salient score."""
    all_elements = -torch.cat([scores[k].flatten() for k in keys])
    threshold_index = int(len(all_elements) * ratio)
    positions = torch.argsort(all_elements)
    ranks = torch.argsort(positions)
    masks, start = {}, 0
    for k in keys:
        n = scores[k].numel()
        m = torch.zeros(n, dtype=torch.uint8)
        m[ranks[start:start + n] < threshold_index] = 1
        masks[k] = m.reshape(scores[k].shape)
        start += n
    gamma = float(-all_elements[positions[threshold_index - 1]]) if threshold_index > 0 else math.inf
    return masks, gamma, threshold_index


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: saliency-crosscheck.py DIR")
    d = sys.argv[1]
    with open(os.path.join(d, "in.json")) as f:
        spec = json.load(f)
    flat = np.fromfile(os.path.join(d, "weights.bin"), dtype="<f4")
    h, w, c = spec["input"]
    n = spec["n"]
    x = torch.from_numpy(np.fromfile(os.path.join(d, "forget-x.bin"), dtype="<f4").reshape(n, h, w, c)).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(os.path.join(d, "forget-y.bin"), dtype="<i4").astype(np.int64))
    model = Rebuilt(spec["layers"], flat, (h, w, c))
    keys = [key for _, key, _ in model.to_tf]
    if sorted(keys) != sorted(model.params.keys()):
        sys.exit("internal: parameter bookkeeping mismatch")

    timings = {}
    results = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        saliency(model, x[:spec["batchSize"]], y[:spec["batchSize"]], spec["batchSize"])  # warm-up
        t0 = time.perf_counter()
        results[threads] = saliency(model, x, y, spec["batchSize"])
        timings[f"scores_s_threads{threads}"] = time.perf_counter() - t0
    scores = results[1]
    threads_diff = max(float((results[2][k] - scores[k]).abs().max()) for k in keys)

    with open(os.path.join(d, "scores.bin"), "wb") as f:
        for name, key, back in model.to_tf:
            f.write(back(scores[key]).contiguous().numpy().astype("<f4").tobytes())
    gammas = {}
    for ratio in spec["ratios"]:
        t0 = time.perf_counter()
        masks, gamma, k = authors_mask(scores, keys, ratio)
        timings[f"mask_s_{ratio}"] = time.perf_counter() - t0
        gammas[str(ratio)] = {"gamma": gamma, "k": k}
        with open(os.path.join(d, f"mask-{ratio}.bin"), "wb") as f:
            for name, key, back in model.to_tf:
                f.write(back(masks[key]).contiguous().numpy().astype(np.uint8).tobytes())
    with open(os.path.join(d, "out.json"), "w") as f:
        json.dump({
            "torch": torch.__version__, "numpy": np.__version__,
            "order": [name for name, _, _ in model.to_tf],
            "timings": timings, "gammas": gammas, "threads_max_abs_diff": threads_diff,
        }, f)


if __name__ == "__main__":
    main()
