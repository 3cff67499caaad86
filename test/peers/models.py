"""The PyTorch side of the ONNX/PyTorch import and export tests: small seeded classifiers, their exports
and what PyTorch and ONNX Runtime compute on them, written for test/peers/fixtures.ts.

Usage:
  python test/peers/models.py OUT            write every model this torch can build into OUT
  python test/peers/models.py --finish OUT   with onnx + onnxruntime (the 3.11 venv): complete a folder
                                             another torch wrote (Debian's 1.13 has no onnx module):
                                             op counts, initializers restored, ORT logits
  python test/peers/models.py --only cnn,mlp OUT

Runs under torch 2.13 (the venv: torchvision, onnx, onnxruntime, onnxscript, safetensors) and under
Debian's torch 1.13 (none of those): what a missing module rules out is left out of the manifest and
said in its "skipped" list, never faked.

Per model, OUT/<name>/ holds model.json (its manifest entry), the ONNX exports, state_dict.safetensors,
the torch.save layouts users have (bare, {"state_dict": …}, DataParallel's "module." prefix), the
inputs (16 Fashion-MNIST test images, one of each class first, NCHW float32 in [0, 1]), the labels,
the eval-mode logits, the train-mode logits and gradients of one batch, and ORT's logits per export.
Every .bin is float32 little-endian, C order; labels.bin is int32. OUT/manifest.json lists all models.

Why the export details matter:
- An eval-mode torch.onnx.export folds BatchNorm into Conv (both exporters), so a trainable import
  needs the TRAINING-mode TorchScript export or the dynamo export with optimize=False.
- A TRAINING-mode export runs the net forward in train mode while tracing, which advances the BN
  running statistics of the module it is given, and the graph stores the advanced values. The export
  is made from a copy and its initializers are then put back to the state_dict's (recorded as
  "initializers_restored"): the reference logits are the state_dict's.
- ONNX Runtime runs a BatchNormalization with training_mode=1 on batch statistics and a Dropout
  whose training_mode input is true at random, so its eval-mode logits come from an in-memory copy
  with those two switched off (recorded as "ort.patched"); the file on disk is the export as is.
"""
import argparse
import collections
import copy
import gzip
import importlib.util
import io
import json
import os
import struct
import sys
import time
import types
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SCRIPT_VERSION = 1
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
DATA = os.path.join(ROOT, 'data', 'fashion-mnist-subset')
BATCH = 16
TOLERANCE = 1e-4


def optional(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


onnx = optional('onnx')
ort = optional('onnxruntime')
st_torch = optional('safetensors.torch')


def import_torchvision():
    # torchvision 0.28's wheel is a CUDA build whose C extension does not load on this CPU torch;
    # only _meta_registrations needs it, and torchvision.models works without.
    sys.modules.setdefault('torchvision._meta_registrations', types.ModuleType('torchvision._meta_registrations'))
    return optional('torchvision')


# ---------------------------------------------------------------------------------------------
# The networks. Each builder takes the class count; "input" is (channels, size).


def authors_resnet18(num_classes):
    """The SalUn authors' CIFAR ResNet-18, as SalUn Lab's PyTorch twin defines it (python/salun_twins.py)."""
    spec = importlib.util.spec_from_file_location('salun_twins', os.path.join(ROOT, 'python', 'salun_twins.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.AuthorsResNet18(3, num_classes)


def torchvision_resnet18(num_classes):
    return import_torchvision().models.resnet18(num_classes=num_classes)


def torchvision_mobilenet_v2(num_classes):
    return import_torchvision().models.mobilenet_v2(num_classes=num_classes)


def conv_bn_relu(cin, cout, **kw):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False, **kw), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class VggStyle(nn.Module):
    """x.view(x.size(0), -1): the Shape/Gather/Unsqueeze/Concat/Reshape chain, and the NCHW flatten order."""

    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn_relu(3, 16), nn.MaxPool2d(2), *conv_bn_relu(16, 32), nn.MaxPool2d(2), *conv_bn_relu(32, 32), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.ReLU(inplace=True), nn.Linear(64, num_classes))

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.view(x.size(0), -1))


class Mlp(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, num_classes))

    def forward(self, x):
        return self.net(x)


class SmallCnn(nn.Module):
    """torch.flatten(x, 1) after a 4×4 map: the first Linear's inputs are in NCHW order."""

    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn_relu(1, 16), nn.MaxPool2d(2), *conv_bn_relu(16, 32), nn.MaxPool2d(2), *conv_bn_relu(32, 32, stride=2))
        self.fc = nn.Linear(32 * 4 * 4, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class OpZoo(nn.Module):
    """One of each op the importer must know, on 28×28×1."""

    def __init__(self, num_classes, log_softmax=False):
        super().__init__()
        self.log_softmax = log_softmax
        self.stem = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn_stem = nn.BatchNorm2d(8)
        self.grouped = nn.Conv2d(8, 8, 3, padding=1, groups=2)
        self.depthwise = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.bn_depthwise = nn.BatchNorm2d(8)
        self.dilated = nn.Conv2d(8, 8, 3, padding=2, dilation=2)
        self.down = nn.Conv2d(16, 16, 3, stride=2)
        self.bn_down = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.avg_with_pad = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True)
        self.avg_without_pad = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.pointwise = nn.Conv2d(32, 16, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        x = F.leaky_relu(self.bn_stem(self.stem(x)), 0.1)
        a = torch.sigmoid(self.grouped(x))
        b = torch.tanh(self.bn_depthwise(self.depthwise(x)))
        c = F.relu6(self.dilated(x))
        x = (a + b) * 0.5 - c / 4.0 + 0.25 - 0.125
        x = torch.cat([x, F.hardsigmoid(c)], dim=1)
        x = F.hardswish(self.bn_down(self.down(F.pad(x, (0, 1, 0, 1)))))  # 29 → 14
        x = self.pool(x)  # 14 → 7
        x = (x.permute(0, 2, 3, 1) * 1.5).permute(0, 3, 1, 2)
        x = torch.cat([self.avg_with_pad(x), self.avg_without_pad(x)], dim=1)
        x = F.gelu(self.pointwise(x))
        x = self.fc(self.drop(torch.flatten(self.gap(x), 1)))
        return F.log_softmax(x, dim=1) if self.log_softmax else x


MODELS = collections.OrderedDict([
    # name: (builder, channels, size, needs torchvision, extra exports)
    ('torchvision_resnet18', (torchvision_resnet18, 3, 32, True, [])),
    ('torchvision_mobilenet_v2', (torchvision_mobilenet_v2, 3, 32, True, [])),
    ('authors_resnet18', (authors_resnet18, 3, 32, False, [])),
    ('vgg_style', (VggStyle, 3, 32, False, ['ts13', 'dynamo18'])),
    ('mlp', (Mlp, 1, 28, False, ['ts13', 'dynamo18'])),
    ('cnn', (SmallCnn, 1, 28, False, ['ts13', 'dynamo18', 'ts17_eval'])),
    ('op_zoo', (OpZoo, 1, 28, False, ['ts13', 'dynamo18'])),
    ('op_zoo_log_softmax', (lambda n: OpZoo(n, log_softmax=True), 1, 28, False, ['dynamo18'])),
])
NUM_CLASSES = 10


def build(name):
    """The seeded, untrained module of a model (check_export.py rebuilds the architecture with it)."""
    builder = MODELS[name][0]
    torch.manual_seed(0)
    return builder(NUM_CLASSES)


# ---------------------------------------------------------------------------------------------
# Data


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    magic, n = struct.unpack('>II', raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack('>II', raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, rows, cols)
    if magic == 2049:
        return np.frombuffer(raw, np.uint8, offset=8)
    raise ValueError('%s: not an idx file (magic %d)' % (path, magic))


def load_data():
    test_x, test_y = read_idx(os.path.join(DATA, 't10k-images-idx3-ubyte.gz')), read_idx(os.path.join(DATA, 't10k-labels-idx1-ubyte.gz'))
    train_x, train_y = read_idx(os.path.join(DATA, 'train-images-idx3-ubyte.gz')), read_idx(os.path.join(DATA, 'train-labels-idx1-ubyte.gz'))
    # One of each class first, so every logit column is exercised by some image's label.
    picked = []
    for k in range(BATCH):
        picked.append(next(i for i in range(len(test_y)) if test_y[i] == k % NUM_CLASSES and i not in picked))
    rng = np.random.RandomState(0)
    train_idx = rng.choice(len(train_y), 8 * 32, replace=False)
    as_tensor = lambda x: torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    return (as_tensor(test_x[picked]), torch.from_numpy(test_y[picked].astype(np.int64)), picked,
            as_tensor(train_x[train_idx]), torch.from_numpy(train_y[train_idx].astype(np.int64)))


def shape_input(x, channels, size):
    if size != x.shape[-1]:
        x = F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False)
    return x.repeat(1, channels, 1, 1).contiguous() if channels != 1 else x.contiguous()


def input_spec(channels, size):
    return {
        'layout': 'NCHW', 'dtype': 'float32', 'range': [0, 1], 'normalize': None,
        'source': 'data/fashion-mnist-subset t10k, one image of each class first (indices in "indices")',
        'resize': None if size == 28 else 'torch.nn.functional.interpolate 28→%d bilinear, align_corners=False' % size,
        'channels': 'the grey channel repeated %d times' % channels if channels != 1 else 'grey',
    }


# ---------------------------------------------------------------------------------------------
# Files


def write_f32(path, t):
    a = np.ascontiguousarray(t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t, dtype='<f4')
    a.tofile(path)
    return {'file': os.path.basename(path), 'shape': list(a.shape), 'dtype': 'float32'}


def write_tensors(folder, stem, tensors):
    """Named tensors: safetensors where the package is there, otherwise one .bin and a JSON index of byte offsets."""
    tensors = collections.OrderedDict((k, v.detach().cpu().float().contiguous()) for k, v in tensors.items())
    if st_torch:
        st_torch.save_file(dict(tensors), os.path.join(folder, stem + '.safetensors'))
        return {'format': 'safetensors', 'file': stem + '.safetensors', 'keys': list(tensors)}
    index, offset = collections.OrderedDict(), 0
    with open(os.path.join(folder, stem + '.bin'), 'wb') as f:
        for k, v in tensors.items():
            raw = np.ascontiguousarray(v.numpy(), dtype='<f4').tobytes()
            f.write(raw)
            index[k] = {'shape': list(v.shape), 'offset': offset, 'bytes': len(raw)}
            offset += len(raw)
    with open(os.path.join(folder, stem + '.json'), 'w') as f:
        json.dump({'dtype': 'float32', 'tensors': index}, f, indent=1)
    return {'format': 'bin', 'file': stem + '.bin', 'index': stem + '.json', 'keys': list(tensors)}


def save_checkpoints(folder, sd):
    """The layouts users save (bare, {'state_dict': …}, DataParallel's 'module.'), for the small models only:
    the layouts do not depend on size, and three copies of each ResNet would be most of the folder's disk."""
    out = {}
    small = sum(v.numel() for v in sd.values()) <= 2_000_000
    if small or not st_torch:
        torch.save(sd, os.path.join(folder, 'state_dict.pth'))
        out['bare'] = 'state_dict.pth'
    if small:
        torch.save({'state_dict': sd, 'epoch': 3}, os.path.join(folder, 'checkpoint_state_dict.pth'))
        out['nested'] = 'checkpoint_state_dict.pth'
        torch.save(collections.OrderedDict(('module.' + k, v) for k, v in sd.items()), os.path.join(folder, 'data_parallel.pth'))
        out['data_parallel'] = 'data_parallel.pth'
    if st_torch:
        # safetensors refuses shared storage; a state_dict's tensors are separate, contiguous copies are cheap.
        st_torch.save_file({k: v.contiguous() for k, v in sd.items()}, os.path.join(folder, 'state_dict.safetensors'))
        out['safetensors'] = 'state_dict.safetensors'
    return out


# ---------------------------------------------------------------------------------------------
# Exports


def ts_export(net, x, path, opset, training):
    kw = dict(input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=opset)
    if training:
        kw.update(training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    if 'dynamo' in torch.onnx.export.__code__.co_varnames:
        kw['dynamo'] = False  # torch ≥ 2.9 defaults to the dynamo exporter
    torch.onnx.export(net, (x,), path, **kw)


def dynamo_export(net, x, path, opset):
    kw = {} if opset is None else {'opset_version': opset}
    torch.onnx.export(net, (x,), path, dynamo=True, optimize=False, input_names=['input'], output_names=['logits'],
                      dynamic_shapes=({0: torch.export.Dim('batch')},), verbose=False, **kw)


EXPORTS = {
    # key: (file, exporter, requested opset, mode, how)
    'ts17': ('ts17_train.onnx', 'torchscript', 17, 'training'),
    'ts13': ('ts13_train.onnx', 'torchscript', 13, 'training'),
    'ts17_eval': ('ts17_eval_folded.onnx', 'torchscript', 17, 'eval'),
    'dynamo': ('dynamo.onnx', 'dynamo', None, 'eval'),
    'dynamo18': ('dynamo18.onnx', 'dynamo', 18, 'eval'),
}
EXPORT_CALLS = {
    'ts17_train.onnx': "torch.onnx.export(net, (x,), f, dynamo=False, training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False, "
                       "input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=17)",
    'ts13_train.onnx': 'as ts17_train.onnx with opset_version=13',
    'ts17_eval_folded.onnx': "torch.onnx.export(net.eval(), (x,), f, dynamo=False, input_names=['input'], output_names=['logits'], "
                             "dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=17)  # the default: BN folded into Conv",
    'dynamo.onnx': "torch.onnx.export(net.eval(), (x,), f, dynamo=True, optimize=False, input_names=['input'], output_names=['logits'], "
                   "dynamic_shapes=({0: torch.export.Dim('batch')},))",
    'dynamo18.onnx': 'as dynamo.onnx with opset_version=18',
}


def export_one(net, x, folder, key):
    fname, exporter, opset, mode = EXPORTS[key]
    entry = {'file': fname, 'exporter': exporter, 'opset_requested': opset, 'mode': mode, 'torch': torch.__version__, 'call': EXPORT_CALLS[fname]}
    # A copy: a TRAINING-mode trace advances the BN running statistics of the module it runs.
    net = copy.deepcopy(net)
    t0 = time.time()
    try:
        if exporter == 'torchscript':
            ts_export(net.train() if mode == 'training' else net.eval(), x, os.path.join(folder, fname), opset, mode == 'training')
        else:
            dynamo_export(net.eval(), x, os.path.join(folder, fname), opset)
    except Exception as e:  # noqa: BLE001 (an exporter failure is a finding to record, not a crash)
        entry['error'] = '%s: %s' % (type(e).__name__, str(e).splitlines()[0][:500] if str(e) else '')
        return entry
    entry['seconds'] = round(time.time() - t0, 2)
    entry['bytes'] = os.path.getsize(os.path.join(folder, fname))
    return entry


def eval_copy_for_ort(model):
    """The graph with BatchNormalization.training_mode=0 and every Dropout in inference mode, in memory."""
    m = copy.deepcopy(model)
    patched = collections.Counter()
    for node in m.graph.node:
        if node.op_type == 'BatchNormalization':
            # Opset 14+ says training with training_mode=1; opsets 9-13 by the extra outputs alone.
            trained = len(node.output) > 1
            for a in node.attribute:
                if a.name == 'training_mode' and a.i != 0:
                    a.i = 0
                    trained = True
            if trained:
                del node.output[1:]
                patched['BatchNormalization.training_mode=0'] += 1
        elif node.op_type == 'Dropout' and len(node.input) > 1:
            del node.input[1:]  # no ratio and no training_mode: an identity
            patched['Dropout.training_mode=false'] += 1
    return m, dict(patched)


def dropout_off_copy(model):
    """For train-mode logits that are deterministic: BN keeps batch statistics, Dropout is off."""
    m = copy.deepcopy(model)
    for node in m.graph.node:
        if node.op_type == 'Dropout' and len(node.input) > 1:
            del node.input[1:]
    return m


def op_counts(model):
    c = collections.Counter((n.op_type if n.domain in ('', 'ai.onnx') else n.domain + '.' + n.op_type) for n in model.graph.node)
    return dict(sorted(c.items()))


def run_ort(model_proto, x):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.log_severity_level = 3  # the unused Dropout constants of a patched graph are warned about, harmlessly
    sess = ort.InferenceSession(model_proto.SerializeToString(), opts, providers=['CPUExecutionProvider'])
    return sess.run(['logits'], {'input': np.ascontiguousarray(x, dtype=np.float32)})[0]


def rel_err(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def finish_export(folder, entry, sd, x, eval_logits, train_logits):
    """What needs onnx (+ onnxruntime): op counts, initializers back to the state_dict's, ORT logits."""
    from onnx import numpy_helper
    path = os.path.join(folder, entry['file'])
    model = onnx.load(path)
    entry['opset'] = next((o.version for o in model.opset_import if o.domain in ('', 'ai.onnx')), None)
    entry['ir_version'] = model.ir_version
    entry['ops'] = op_counts(model)
    entry['bn_folded'] = 'BatchNormalization' not in entry['ops'] and any(k.endswith('running_mean') for k in sd)
    restored, matching, foreign = [], [], []
    for init in model.graph.initializer:
        if init.name not in sd:
            foreign.append(init.name)
            continue
        want = sd[init.name]
        have = numpy_helper.to_array(init)
        if tuple(have.shape) != tuple(want.shape) or have.dtype != want.dtype:
            foreign.append(init.name)
        elif not np.array_equal(have.view(np.uint8), want.view(np.uint8)):
            init.CopyFrom(numpy_helper.from_array(want, init.name))
            restored.append(init.name)
        else:
            matching.append(init.name)
    if restored:
        onnx.save(model, path)
    entry['initializers'] = {'state_dict_keys': len(matching) + len(restored), 'not_state_dict': foreign,
                             'state_dict_keys_absent': [k for k in sd if k not in set(matching + restored) and not k.endswith('num_batches_tracked')]}
    entry['initializers_restored'] = restored
    entry['bytes'] = os.path.getsize(path)
    if not ort:
        return entry
    stem = os.path.splitext(entry['file'])[0]
    eval_model, patched = eval_copy_for_ort(model)
    got = run_ort(eval_model, x)
    entry['ort'] = {'onnxruntime': ort.__version__, 'patched': patched, 'eval_logits': write_f32(os.path.join(folder, 'ort_%s_eval.bin' % stem), got),
                    'eval_max_rel_err': rel_err(got, eval_logits)}
    if entry['mode'] == 'training':
        got_train = run_ort(dropout_off_copy(model), x)
        entry['ort']['train_logits'] = write_f32(os.path.join(folder, 'ort_%s_train.bin' % stem), got_train)
        entry['ort']['train_max_rel_err'] = rel_err(got_train, train_logits)
    entry['ort']['ok'] = entry['ort']['eval_max_rel_err'] <= TOLERANCE and entry['ort'].get('train_max_rel_err', 0) <= TOLERANCE
    return entry


# ---------------------------------------------------------------------------------------------
# One model


def train_a_little(net, xs, ys, channels, size):
    """A few SGD steps in train mode, so the BN running statistics are not their initial 0 and 1."""
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    net.train()
    for i in range(0, len(ys), 32):
        opt.zero_grad()
        F.cross_entropy(net(shape_input(xs[i:i + 32], channels, size)), ys[i:i + 32]).backward()
        opt.step()
    net.eval()


def set_dropout(net, training):
    for m in net.modules():
        if isinstance(m, nn.Dropout):
            m.train(training)


def train_mode_batch(net, x, y):
    """Mean cross-entropy gradients in train mode (BN on batch statistics), Dropout off: deterministic."""
    net = copy.deepcopy(net).train()
    set_dropout(net, False)
    net.zero_grad()
    logits = net(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    grads = collections.OrderedDict((k, p.grad) for k, p in net.named_parameters())
    return logits.detach(), float(loss), grads


def make_model(name, out, data, skipped):
    builder, channels, size, needs_tv, extra = MODELS[name]
    if needs_tv and not import_torchvision():
        skipped.append({'model': name, 'why': 'no torchvision for torch %s' % torch.__version__})
        return None
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    test_x, test_y, indices, train_x, train_y = data
    t0 = time.time()
    net = build(name)
    train_a_little(net, train_x, train_y, channels, size)
    x = shape_input(test_x, channels, size)
    sd = collections.OrderedDict((k, v.detach().clone()) for k, v in net.state_dict().items())
    with torch.no_grad():
        eval_logits = net.eval()(x)
    train_logits, loss, grads = train_mode_batch(net, x, test_y)
    entry = collections.OrderedDict()
    entry['name'] = name
    entry['folder'] = name
    entry['architecture'] = {'builder': name, 'class': type(net).__name__, 'module': type(net).__module__}
    entry['num_classes'] = NUM_CLASSES
    entry['input'] = dict(input_spec(channels, size), **write_f32(os.path.join(folder, 'input.bin'), x))
    entry['input']['indices'] = indices
    np.ascontiguousarray(test_y.numpy(), dtype='<i4').tofile(os.path.join(folder, 'labels.bin'))
    entry['labels'] = {'file': 'labels.bin', 'dtype': 'int32', 'values': [int(v) for v in test_y]}
    entry['logits'] = {'eval': write_f32(os.path.join(folder, 'logits_eval.bin'), eval_logits),
                       'train': write_f32(os.path.join(folder, 'logits_train.bin'), train_logits)}
    entry['output'] = 'log_softmax' if getattr(net, 'log_softmax', False) else 'logits'
    entry['gradients'] = dict(write_tensors(folder, 'gradients', grads), loss=loss, mode='train (BatchNorm batch statistics), Dropout off',
                              of='mean cross-entropy of the 16 input images against labels')
    entry['state_dict'] = {'keys': [{'name': k, 'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', '')} for k, v in sd.items()],
                           'files': save_checkpoints(folder, sd)}
    entry['exports'] = []
    keys = (['ts17', 'dynamo'] if hasattr(torch.onnx, 'export') else []) + extra
    for key in keys:
        if EXPORTS[key][1] == 'dynamo' and not (optional('onnxscript') and hasattr(torch, 'export')):
            skipped.append({'model': name, 'export': EXPORTS[key][0], 'why': 'the dynamo exporter needs torch ≥ 2.5 and onnxscript'})
            continue
        entry['exports'].append(export_one(net, x, folder, key))
    entry['seconds'] = round(time.time() - t0, 2)
    finish_model(folder, entry)
    return entry


def load_state_dict_numpy(folder, entry):
    files = entry['state_dict']['files']
    if st_torch and 'safetensors' in files:
        sd = st_torch.load_file(os.path.join(folder, files['safetensors']))
    else:
        sd = torch.load(os.path.join(folder, files['bare']), map_location='cpu')
    return {k: v.numpy() for k, v in sd.items()}


def read_f32(folder, spec):
    return np.fromfile(os.path.join(folder, spec['file']), dtype='<f4').reshape(spec['shape'])


def finish_model(folder, entry):
    if not onnx:
        return
    sd = load_state_dict_numpy(folder, entry)
    x = read_f32(folder, entry['input'])
    eval_logits, train_logits = read_f32(folder, entry['logits']['eval']), read_f32(folder, entry['logits']['train'])
    for e in entry['exports']:
        if 'error' not in e and 'ops' not in e:
            finish_export(folder, e, sd, x, eval_logits, train_logits)
    entry['finished_by'] = {'onnx': onnx.__version__, 'onnxruntime': ort.__version__ if ort else None, 'torch': torch.__version__}
    with open(os.path.join(folder, 'model.json'), 'w') as f:
        json.dump(entry, f, indent=1)


def versions():
    tv = import_torchvision() if sys.version_info >= (3, 8) else None
    return {'torch': torch.__version__, 'python': sys.version.split()[0], 'numpy': np.__version__,
            'torchvision': getattr(tv, '__version__', None), 'onnx': getattr(onnx, '__version__', None),
            'onnxruntime': getattr(ort, '__version__', None), 'onnxscript': getattr(optional('onnxscript'), '__version__', None),
            'safetensors': getattr(optional('safetensors'), '__version__', None)}


def write_manifest(out, manifest):
    tmp = os.path.join(out, 'manifest.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(out, 'manifest.json'))


def summary(manifest):
    bad = []
    for m in manifest['models']:
        for e in m['exports']:
            if 'error' in e:
                bad.append('%s/%s: export failed: %s' % (m['name'], e['file'], e['error']))
            elif 'ort' in e and not e['ort']['ok']:
                bad.append('%s/%s: ORT differs from torch (eval %.3g, train %s)' % (m['name'], e['file'], e['ort']['eval_max_rel_err'], e['ort'].get('train_max_rel_err')))
    return bad


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out')
    p.add_argument('--finish', action='store_true', help='complete a folder another torch wrote (needs onnx, onnxruntime)')
    p.add_argument('--only', help='comma-separated model names (%s)' % ', '.join(MODELS))
    a = p.parse_args()
    out = os.path.abspath(a.out)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    warnings.filterwarnings('ignore')  # the exporters' notes on every model would bury the findings
    t0 = time.time()
    if a.finish:
        if not (onnx and ort):
            sys.exit('models.py --finish needs the onnx and onnxruntime modules (missing: %s)' % ', '.join(n for n, m in (('onnx', onnx), ('onnxruntime', ort)) if not m))
        with open(os.path.join(out, 'manifest.json')) as f:
            manifest = json.load(f)
        for m in manifest['models']:
            finish_model(os.path.join(out, m['folder']), m)
        manifest['finished_by'] = versions()
    else:
        names = a.only.split(',') if a.only else list(MODELS)
        unknown = [n for n in names if n not in MODELS]
        if unknown:
            p.error('unknown model(s): %s (known: %s)' % (', '.join(unknown), ', '.join(MODELS)))
        os.makedirs(out, exist_ok=True)
        data = load_data()
        skipped = []
        models = []
        for n in names:
            entry = make_model(n, out, data, skipped)
            if entry:
                models.append(entry)
                print('[models] %s: %.1fs' % (n, entry['seconds']), file=sys.stderr)
        manifest = {'format': 1, 'script_version': SCRIPT_VERSION, 'versions': versions(), 'tolerance': TOLERANCE,
                    'batch': BATCH, 'num_classes': NUM_CLASSES, 'models': models, 'skipped': skipped}
        if not onnx:
            skipped.append({'what': 'op counts, initializer restore, ORT logits', 'why': 'no onnx module: run models.py --finish with the 3.11 venv'})
    manifest['seconds'] = round(time.time() - t0, 1)
    bad = summary(manifest)
    manifest['problems'] = bad
    write_manifest(out, manifest)
    for b in bad:
        print('[models] ' + b, file=sys.stderr)
    print(json.dumps({'out': out, 'models': [m['name'] for m in manifest['models']], 'problems': len(bad), 'seconds': manifest['seconds']}))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
