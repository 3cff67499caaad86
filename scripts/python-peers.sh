#!/usr/bin/env bash
# The PyTorch peers of bench/speed.ts: Debian's python3 with python3-torch 1.13 is used as it is;
# the current torch (2.13 +cpu, MKL/oneDNN) goes into a Python 3.11 venv, .cache/py311, installed
# offline from the machine's wheel folders (no index), with what the ONNX/PyTorch import peers
# (test/peers/models.py, check_export.py) need: torchvision, onnx, onnxruntime, onnxscript (the
# dynamo exporter), safetensors, pillow. Idempotent: a venv where all of them import, torch at the
# wanted version, is left alone. Prints the venv's python on the last line.
#
#   scripts/python-peers.sh            # create or check .cache/py311
#   PY311_DIR=/elsewhere scripts/python-peers.sh
#
# torch 2.13's own dependencies (filelock, typing-extensions, sympy + mpmath, networkx, jinja2 +
# markupsafe, fsspec) are all in /opt/pypi/files; numpy is not a torch dependency but bench/speed.py
# needs it. torchvision 0.28 is the only wheel that pairs with torch 2.13 and is a CUDA build: it
# goes in with --no-deps (its pinned deps are torch, numpy, pillow, installed here anyway) and its C
# extension does not load, which is why the peers stub torchvision._meta_registrations before
# importing it (test/peers/models.py). onnxscript pulls onnx_ir, ml_dtypes, packaging.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${PY311_DIR:-$root/.cache/py311}"
want="2.13.0+cpu"
torchvision_want="0.28.0"
wheels=(/opt/wheels /opt/pypi/files /opt/pypi-more/files)
pkgs=(numpy onnx onnxruntime onnxscript safetensors pillow)
base_python="${BASE_PYTHON:-python3.11}"

# The stub is the same one the peers use: torchvision's CUDA extension must not be what fails here.
check='
import sys, types
sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
import torch, numpy, onnx, onnxruntime, onnxscript, safetensors.torch, PIL, torchvision, torchvision.models
sys.exit(torch.__version__ != sys.argv[1] or torchvision.__version__.split("+")[0] != sys.argv[2])
'
have() { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" "$want" "$torchvision_want" 2>/dev/null; }

if have; then
  echo "torch $want, torchvision $torchvision_want and the ONNX peers already in $venv" >&2
  echo "$venv/bin/python"
  exit 0
fi

command -v "$base_python" >/dev/null || { echo "python-peers: $base_python not found (torch $want's wheel is for CPython 3.11)" >&2; exit 1; }
links=()
for d in "${wheels[@]}"; do
  [ -d "$d" ] && links+=(--find-links "$d")
done
ls /opt/wheels/torch-"$want"-cp311-*.whl >/dev/null 2>&1 || { echo "python-peers: no torch-$want cp311 wheel in /opt/wheels" >&2; exit 1; }
compgen -G "/opt/*/torchvision-$torchvision_want-cp311-*.whl" >/dev/null || compgen -G "/opt/*/files/torchvision-$torchvision_want-cp311-*.whl" >/dev/null || { echo "python-peers: no torchvision-$torchvision_want cp311 wheel in ${wheels[*]}" >&2; exit 1; }

[ -x "$venv/bin/python" ] || "$base_python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "${links[@]}")
"${pip[@]}" "torch==$want" "${pkgs[@]}" >&2 || { echo "python-peers: pip could not install torch==$want ${pkgs[*]} from ${wheels[*]} (a wheel or one of its dependencies is missing there)" >&2; exit 1; }
"${pip[@]}" --no-deps "torchvision==$torchvision_want" >&2 || { echo "python-peers: pip could not install torchvision==$torchvision_want from ${wheels[*]}" >&2; exit 1; }
if ! have; then
  echo "python-peers: installed, but this does not run in $venv:" >&2
  "$venv/bin/python" -c "$check" "$want" "$torchvision_want" >&2 || true
  exit 1
fi
echo "installed torch $want, torchvision $torchvision_want, ${pkgs[*]} into $venv" >&2
echo "$venv/bin/python"
