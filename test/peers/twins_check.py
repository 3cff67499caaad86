"""Helper of test/peers/twins.peer.test.ts.

  twins_check.py make ARCH C K H DIR   a twin with random weights and BN statistics: DIR/state.safetensors,
                                       DIR/io.safetensors (input NCHW, logits in eval mode)
  twins_check.py eval ARCH C K H DIR   loads DIR/ours.safetensors strictly, prints its eval logits on DIR/io's input
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'python'))
import salun_twins as twins  # noqa: E402


def randomize(net):
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if name.endswith('num_batches_tracked') or name.startswith('normalize.'):
                continue
            if name.endswith('running_var') or (name.endswith('.weight') and t.dim() == 1):
                t.copy_(0.5 + torch.rand(t.shape, generator=g))
            elif t.dim() == 1:
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
            else:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=g) * (2.0 / fan_in) ** 0.5)


def main():
    mode, arch, c, k, h, out = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]), sys.argv[6]
    net = twins.build(arch, c, k, h).eval()
    if mode == 'make':
        randomize(net)
        x = torch.rand(2, c, h, h, generator=torch.Generator().manual_seed(3))
        with torch.no_grad():
            logits = net(x)
        save_file({n: t.contiguous() for n, t in net.state_dict().items()}, os.path.join(out, 'state.safetensors'))
        save_file({'input': x, 'logits': logits}, os.path.join(out, 'io.safetensors'))
    else:
        net.load_state_dict(load_file(os.path.join(out, 'ours.safetensors')), strict=True)
        with torch.no_grad():
            logits = net(load_file(os.path.join(out, 'io.safetensors'))['input'])
        print(json.dumps(logits.flatten().tolist()))


if __name__ == '__main__':
    main()
