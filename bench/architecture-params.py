"""PyTorch reference for the built-in resnet18 and vgg16-bn (src/engine/models/architectures.ts).

Usage: /usr/bin/python3 bench/architecture-params.py [CHANNELS [NUM_CLASSES [SIZE]]]   (defaults 3 10 32)
Prints one JSON object: {"torch": version, "resnet18": {...}, "vgg16-bn": {...}} where each entry has
"trainable" (parameter count), "shapes" (every trainable tensor's shape in tfjs layout: conv
[kh, kw, in, out], linear [in, out], so the two sides compare tensor by tensor) and "output"
(the logits' shape for a batch of 2 SIZE×SIZE images).

The networks are the SalUn authors' (OPTML-Group/Unlearn-Saliency, Classification/models/ResNet.py
and VGG.py) written out here without torchvision: ResNet-18 with imagenet=False (3×3 stride-1 stem,
no max-pool, BasicBlocks [2, 2, 2, 2], 1×1 conv + BN projection where the shape changes), VGG-16
cfg 'D' with batch norm (conv bias off, four max-pools, AdaptiveAvgPool2d((2, 2)), classifier
2048 → 256 → 256 → C). Their parameter-free NormalizeByChannelMeanStd input layer is left out on both
sides. The input channels are a parameter (the authors hard-code 3) so Fashion-MNIST's 1 can be
checked too.
"""
import json
import sys

import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + identity)


class ResNet18(nn.Module):
    def __init__(self, channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks, cin = [], 64
        for i, width in enumerate([64, 128, 256, 512]):
            for j in range(2):
                blocks.append(BasicBlock(cin, width, 2 if (i > 0 and j == 0) else 1))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.blocks(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def vgg16_bn(channels, num_classes):
    cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512]
    layers, cin = [], channels
    for v in cfg:
        if v == 'M':
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1, bias=False), nn.BatchNorm2d(v), nn.ReLU(True)]
            cin = v
    return nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(),
        nn.Linear(512 * 2 * 2, 256), nn.ReLU(True), nn.Linear(256, 256), nn.ReLU(True), nn.Linear(256, num_classes))


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
