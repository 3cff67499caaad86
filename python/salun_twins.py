"""The PyTorch twins of SalUn Lab's built-in networks (src/engine/models/torchTwins.ts maps their
state_dict keys to the tfjs weights).

    import salun_twins
    net = salun_twins.build('resnet18', channels=3, classes=10, size=32)
    net.load_state_dict(safetensors.torch.load_file('model/model.safetensors'))

- cnn: conv3x3 stride 2 (no bias) + BN + ReLU x3 (16, 32, 64 filters), Flatten, Linear 128 + ReLU,
  Linear C. The tfjs convolutions pad as TensorFlow's 'same' does: for stride 2 that is 0 before and
  1 after on an even size (1 and 1 on an odd one), which no PyTorch `padding=` gives (padding=1
  samples one pixel earlier on even sizes). `TfSamePad` pads the same way with F.pad before a
  padding=0 convolution; it has no parameters, so the state_dict is nn.Conv2d's.
- mlp: Flatten, Linear 256 + ReLU, Linear 128 + ReLU, Linear C.
- resnet18: the SalUn authors' CIFAR ResNet-18 (OPTML-Group/Unlearn-Saliency,
  Classification/models/ResNet.py, imagenet=False), with their NormalizeByChannelMeanStd buffers
  (identity here unless given), input channels as a parameter. Keys as theirs, so their
  checkpoints load strictly.
- vgg16-bn: the authors' VGG-16-BN (models/VGG.py, cfg 'D': no pool after the fifth block,
  AdaptiveAvgPool2d((2, 2)), classifier 2048 -> 256 -> 256 -> C), with their normalisation buffers.
- resnet18-torchvision: torchvision.models.resnet18(num_classes=C), conv1 for `channels` inputs.

bench/architecture-params.py counts the parameters of these same classes; test/peers checks them
against the tfjs networks weight by weight.
"""
import sys
import types

import torch
import torch.nn as nn
import torch.nn.functional as F

ARCHITECTURES = ('cnn', 'mlp', 'resnet18', 'vgg16-bn', 'resnet18-torchvision')


def _same_pads(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class TfSamePad(nn.Module):
    """TensorFlow's 'same' padding for one kernel and stride: the odd pixel goes after."""

    def __init__(self, kernel, stride):
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x):
        top, bottom = _same_pads(x.shape[2], self.kernel, self.stride)
        left, right = _same_pads(x.shape[3], self.kernel, self.stride)
        return F.pad(x, (left, right, top, bottom))


def _hw(size):
    return (size, size) if isinstance(size, int) else tuple(size)


class Cnn(nn.Module):
    def __init__(self, channels, classes, size):
        super().__init__()
        h, w = _hw(size)
        cin = channels
        for i, width in enumerate((16, 32, 64), start=1):
            setattr(self, f'conv{i}', nn.Conv2d(cin, width, 3, 2, 0, bias=False))
            setattr(self, f'bn{i}', nn.BatchNorm2d(width))
            cin, h, w = width, -(-h // 2), -(-w // 2)
        self.pad = TfSamePad(3, 2)
        self.fc1 = nn.Linear(64 * h * w, 128)
        self.logits = nn.Linear(128, classes)

    def forward(self, x):
        for i in (1, 2, 3):
            x = torch.relu(getattr(self, f'bn{i}')(getattr(self, f'conv{i}')(self.pad(x))))
        return self.logits(torch.relu(self.fc1(torch.flatten(x, 1))))


class Mlp(nn.Module):
    def __init__(self, channels, classes, size):
        super().__init__()
        h, w = _hw(size)
        self.fc1 = nn.Linear(channels * h * w, 256)
        self.fc2 = nn.Linear(256, 128)
        self.logits = nn.Linear(128, classes)

    def forward(self, x):
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.logits(torch.relu(self.fc2(x)))


class NormalizeByChannelMeanStd(nn.Module):
    """The authors' input layer: (x - mean) / std per channel, both buffers."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32))

    def forward(self, x):
        return x.sub(self.mean[None, :, None, None]).div(self.std[None, :, None, None])


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class AuthorsResNet18(nn.Module):
    def __init__(self, channels, classes, mean=None, std=None):
        super().__init__()
        self.normalize = NormalizeByChannelMeanStd(mean or [0.0] * channels, std or [1.0] * channels)
        self.conv1 = nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity()
        cin = 64
        for i, width in enumerate((64, 128, 256, 512), start=1):
            stride = 1 if i == 1 else 2
            setattr(self, f'layer{i}', nn.Sequential(BasicBlock(cin, width, stride), BasicBlock(width, width, 1)))
            cin = width
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(self.normalize(x)))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class AuthorsVgg16Bn(nn.Module):
    def __init__(self, channels, classes, mean=None, std=None):
        super().__init__()
        cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512]
        layers, cin = [], channels
        for v in cfg:
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1, bias=False), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 2 * 2, 256), nn.ReLU(True), nn.Linear(256, 256), nn.ReLU(True), nn.Linear(256, classes))
        self.normalize = NormalizeByChannelMeanStd(mean or [0.0] * channels, std or [1.0] * channels)

    def forward(self, x):
        x = self.avgpool(self.features(self.normalize(x)))
        return self.classifier(torch.flatten(x, 1))


def _torchvision_resnet18(channels, classes):
    # torchvision's C extension is a CUDA build that does not load here; the models need none of it.
    sys.modules.setdefault('torchvision._meta_registrations', types.ModuleType('torchvision._meta_registrations'))
    import torchvision

    net = torchvision.models.resnet18(num_classes=classes)
    if channels != 3:
        net.conv1 = nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    return net


def build(architecture, channels, classes, size):
    """The twin of a built-in for `channels`-channel images of `size` (an int or (h, w)) and `classes` outputs."""
    if architecture == 'cnn':
        return Cnn(channels, classes, size)
    if architecture == 'mlp':
        return Mlp(channels, classes, size)
    if architecture == 'resnet18':
        return AuthorsResNet18(channels, classes)
    if architecture == 'vgg16-bn':
        return AuthorsVgg16Bn(channels, classes)
    if architecture == 'resnet18-torchvision':
        return _torchvision_resnet18(channels, classes)
    raise ValueError(f'unknown architecture {architecture!r}; one of {", ".join(ARCHITECTURES)}')
