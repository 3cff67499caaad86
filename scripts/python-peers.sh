#!/usr/bin/env bash
# The PyTorch peers of bench/speed.ts: Debian's python3 with python3-torch 1.13 is used as it is;
# the current torch (2.13 +cpu, MKL/oneDNN) goes into a Python 3.11 venv, .cache/py311, installed
# offline from the machine's wheel folders (no index). Idempotent: a venv whose torch already
# imports at the wanted version is left alone. Prints the venv's python on the last line.
#
#   scripts/python-peers.sh            # create or check .cache/py311
#   PY311_DIR=/elsewhere scripts/python-peers.sh
#
# torch 2.13's own dependencies (filelock, typing-extensions, sympy + mpmath, networkx, jinja2 +
# markupsafe, fsspec) are all in /opt/pypi/files; numpy is not a torch dependency but bench/speed.py
# needs it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${PY311_DIR:-$root/.cache/py311}"
want="2.13.0+cpu"
wheels=(/opt/wheels /opt/pypi/files)
base_python="${BASE_PYTHON:-python3.11}"

have() { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, numpy, sys; sys.exit(torch.__version__ != '$want')" 2>/dev/null; }

if have; then
  echo "torch $want already in $venv" >&2
  echo "$venv/bin/python"
  exit 0
fi

command -v "$base_python" >/dev/null || { echo "python-peers: $base_python not found (torch $want's wheel is for CPython 3.11)" >&2; exit 1; }
links=()
for d in "${wheels[@]}"; do
  [ -d "$d" ] && links+=(--find-links "$d")
done
ls /opt/wheels/torch-"$want"-cp311-*.whl >/dev/null 2>&1 || { echo "python-peers: no torch-$want cp311 wheel in /opt/wheels" >&2; exit 1; }

[ -x "$venv/bin/python" ] || "$base_python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "${links[@]}" "torch==$want" numpy >&2
have || { echo "python-peers: torch $want installed but does not import in $venv" >&2; exit 1; }
echo "installed torch $want into $venv" >&2
echo "$venv/bin/python"
