"""PyTorch reference for the built-in resnet18 and vgg16-bn (src/engine/models/architectures.ts).

Usage: /usr/bin/python3 bench/architecture-params.py [CHANNELS [NUM_CLASSES [SIZE]]]   (defaults 3 10 32)
Prints one JSON object: {"torch": version, "resnet18": {...}, "vgg16-bn": {...}} where each entry has
"trainable" (parameter count), "shapes" (every trainable tensor's shape in tfjs layout: conv
[kh, kw, in, out], linear [in, out], so the two sides compare tensor by tensor) and "output"
(the logits' shape for a batch of 2 SIZE×SIZE images).

The networks are the SalUn authors' (OPTML-Group/Unlearn-Saliency, Classification/models/ResNet.py
and VGG.py), from python/salun_twins.py: ResNet-18 with imagenet=False (3×3 stride-1 stem,
no max-pool, BasicBlocks [2, 2, 2, 2], 1×1 conv + BN projection where the shape changes), VGG-16
cfg 'D' with batch norm (conv bias off, four max-pools, AdaptiveAvgPool2d((2, 2)), classifier
2048 → 256 → 256 → C). Their parameter-free NormalizeByChannelMeanStd input layer holds buffers only, so it
counts nothing. The input channels are a parameter (the authors hard-code 3) so Fashion-MNIST's 1 can be
checked too.
"""
import importlib.util
import json
import os
import sys

import torch

# The networks are the PyTorch twins SalUn Lab ships (python/salun_twins.py), so the counts here and
# the state_dicts users reload come from one definition.
_spec = importlib.util.spec_from_file_location('salun_twins', os.path.join(os.path.dirname(__file__), '..', 'python', 'salun_twins.py'))
twins = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(twins)


def ResNet18(channels, num_classes):
    return twins.AuthorsResNet18(channels, num_classes)


def vgg16_bn(channels, num_classes):
    return twins.AuthorsVgg16Bn(channels, num_classes)


def tfjs_shape(p):
    s = list(p.shape)
    if len(s) == 4:
        return [s[2], s[3], s[1], s[0]]
    if len(s) == 2:
        return [s[1], s[0]]
    return s


def describe(model, channels, size):
    params = [p for p in model.parameters() if p.requires_grad]
    with torch.no_grad():
        out = model.eval()(torch.zeros(2, channels, size, size))
    return {"trainable": sum(p.numel() for p in params), "shapes": [tfjs_shape(p) for p in params], "output": list(out.shape)}


def main():
    channels, num_classes, size = (int(a) for a in (sys.argv[1:] + ['3', '10', '32'][len(sys.argv) - 1:])[:3])
    print(json.dumps({
        "torch": torch.__version__,
        "resnet18": describe(ResNet18(channels, num_classes), channels, size),
        "vgg16-bn": describe(vgg16_bn(channels, num_classes), channels, size),
    }))


if __name__ == '__main__':
    main()
