"""Checks what a SalUn run wrote against PyTorch and ONNX Runtime.

Usage:
  python test/peers/check_export.py --run RUN_MODEL_DIR --reference PEER_MODEL_DIR
        [--input X.bin --shape 16,3,32,32] [--original ORIGINAL.safetensors] [--out DIR] [--tol 1e-4] [--as-is]

RUN_MODEL_DIR holds model.onnx and model.safetensors; PEER_MODEL_DIR is a folder test/peers/models.py
wrote (its model.json names the architecture, rebuilt here as the same torch module class). The input
defaults to the reference's input.bin. Prints one JSON object: ORT's and PyTorch's eval-mode logits
(lists, or .bin files under --out), whether net.load_state_dict(safetensors.torch.load_file(...)) was
strict-OK, their relative difference and, with --original, which tensors changed.
Exit codes: 0 ok, 1 mismatch or failed load, 2 usage.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402  (the same builders that wrote the reference)


def compare_tensors(got, original):
    changed, same = {}, []
    for k in sorted(set(got) | set(original)):
        if k not in got or k not in original:
            continue
        a, b = got[k].numpy().reshape(-1), original[k].numpy().reshape(-1)  # 1-d: num_batches_tracked is 0-d
        if got[k].shape != original[k].shape or a.dtype != b.dtype:
            changed[k] = {'shape': [list(got[k].shape), list(original[k].shape)], 'dtype': [str(a.dtype), str(b.dtype)]}
        elif np.array_equal(a.view(np.uint8), b.view(np.uint8)):
            same.append(k)
        else:
            diff = a.view(np.uint8).reshape(a.size, -1) != b.view(np.uint8).reshape(b.size, -1)
            changed[k] = {'elements_changed': int(diff.any(axis=1).sum()), 'of': int(a.size),
                          'max_abs_diff': float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.dtype.kind == 'f' else None}
    return {'changed': changed, 'unchanged': same, 'only_in_run': sorted(set(got) - set(original)), 'only_in_original': sorted(set(original) - set(got))}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--run', required=True)
    p.add_argument('--reference', required=True)
    p.add_argument('--input')
    p.add_argument('--shape')
    p.add_argument('--original')
    p.add_argument('--out')
    p.add_argument('--tol', type=float, default=models.TOLERANCE)
    p.add_argument('--as-is', action='store_true', help='run model.onnx without switching BN training_mode / Dropout off')
    a = p.parse_args()  # argparse exits 2 on a usage error
    missing = [m for m in ('onnx', 'ort', 'st_torch') if getattr(models, m) is None]
    if missing:
        print(json.dumps({'error': 'missing Python modules: %s (use the venv of scripts/python-peers.sh)' % ', '.join(missing)}))
        sys.exit(2)
    try:
        with open(os.path.join(a.reference, 'model.json')) as f:
            ref = json.load(f)
    except OSError as e:
        print(json.dumps({'error': 'no reference model.json: %s' % e}))
        sys.exit(2)
    if a.input:
        if not a.shape:
            p.error('--input needs --shape')
        shape = [int(s) for s in a.shape.split(',')]
        x = np.fromfile(a.input, dtype='<f4')
        if x.size != int(np.prod(shape)):
            p.error('%s has %d floats, --shape %s needs %d' % (a.input, x.size, a.shape, int(np.prod(shape))))
        x = x.reshape(shape)
    else:
        x = models.read_f32(a.reference, ref['input'])
    result = {'reference': ref['name'], 'input_shape': list(x.shape), 'tolerance': a.tol}
    ok = True

    import torch
    net = models.build(ref['architecture']['builder'])
    st_path = os.path.join(a.run, 'model.safetensors')
    sd = None
    try:
        sd = models.st_torch.load_file(st_path)
        res = net.load_state_dict(sd, strict=False)
        result['load'] = {'strict_ok': not res.missing_keys and not res.unexpected_keys, 'missing': res.missing_keys, 'unexpected': res.unexpected_keys}
        ok &= result['load']['strict_ok']
        if result['load']['strict_ok']:
            net.load_state_dict(sd, strict=True)  # the exact call a user makes
        net.eval()
        with torch.no_grad():
            torch_logits = net(torch.from_numpy(np.ascontiguousarray(x))).numpy()
    except Exception as e:  # noqa: BLE001 (a mis-shaped tensor is a finding, reported as JSON)
        result['load'] = {'strict_ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
        torch_logits, ok = None, False
    if a.original:
        result['tensors'] = compare_tensors(sd, models.st_torch.load_file(a.original)) if sd is not None else None

    try:
        model = models.onnx.load(os.path.join(a.run, 'model.onnx'))
        patched = {}
        if not a.as_is:
            model, patched = models.eval_copy_for_ort(model)
        ort_logits = models.run_ort(model, x)
        result['ort_patched'] = patched
    except Exception as e:  # noqa: BLE001
        result['ort_error'] = '%s: %s' % (type(e).__name__, str(e)[:1000])
        ort_logits, ok = None, False

    for key, v in (('ort_logits', ort_logits), ('torch_logits', torch_logits)):
        if v is None:
            continue
        if a.out:
            os.makedirs(a.out, exist_ok=True)
            result[key] = models.write_f32(os.path.join(a.out, key + '.bin'), v)['file']
        else:
            result[key] = v.tolist()
    if ort_logits is not None and torch_logits is not None:
        result['ort_vs_torch_max_rel_err'] = models.rel_err(ort_logits, torch_logits)
        ok &= result['ort_vs_torch_max_rel_err'] <= a.tol
    result['ok'] = bool(ok)
    print(json.dumps(result))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
