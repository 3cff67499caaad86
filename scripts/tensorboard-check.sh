#!/usr/bin/env bash
# CI check: a run folder opens in the real TensorBoard with the right numbers. TensorBoard 2.21 goes
# into a Python 3.11 venv, .cache/tb-venv, installed offline from the machine's wheel folder (no
# index); it is a check, never a runtime dependency. Then `salun run` does a tiny run twice in a
# temp workspace (the second reuses the cached θo and Retrain, so their curves must come from the
# cache), and bench/tensorboard-check.py reads both run folders with TensorBoard's
# EventAccumulator and compares every scalar with metrics.jsonl and training.csv.
#
#   scripts/tensorboard-check.sh              # builds dist/ first unless SKIP_BUILD=1
#   TB_VENV=/elsewhere scripts/tensorboard-check.sh
#
# tensorboard 2.21's own dependencies (absl-py, grpcio, markdown, numpy, packaging, pillow,
# protobuf, setuptools, tensorboard-data-server, werkzeug + markupsafe, typing-extensions) are all
# in /opt/pypi/files.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${TB_VENV:-$root/.cache/tb-venv}"
want="2.21.0"
wheels="${TB_WHEELS:-/opt/pypi/files}"
base_python="${BASE_PYTHON:-python3.11}"

have() { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import sys, tensorboard; from tensorboard.backend.event_processing import event_accumulator; sys.exit(tensorboard.__version__ != '$want')" 2>/dev/null; }

if ! have; then
  command -v "$base_python" >/dev/null || { echo "tensorboard-check: $base_python not found" >&2; exit 1; }
  ls "$wheels"/tensorboard-"$want"-*.whl >/dev/null 2>&1 || { echo "tensorboard-check: no tensorboard-$want wheel in $wheels" >&2; exit 1; }
  [ -x "$venv/bin/python" ] || "$base_python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --find-links "$wheels" "tensorboard==$want"
  have || { echo "tensorboard-check: tensorboard $want installed but does not import in $venv" >&2; exit 1; }
  echo "installed tensorboard $want into $venv"
fi

cd "$root"
[ "${SKIP_BUILD:-}" = 1 ] || node scripts/build.mjs >/dev/null
ws="$(mktemp -d "${TMPDIR:-/tmp}/salun-tb-check-XXXXXX")"
trap 'rm -rf "$ws"' EXIT

# 400 train / 200 test rows of the bundled Fashion-MNIST subset, as an idx folder.
node - "$ws/data" <<'EOF'
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { gunzipSync } = require('node:zlib');
const out = process.argv[2];
mkdirSync(out, { recursive: true });
for (const [prefix, n] of [['train', 400], ['t10k', 200]]) {
  const images = gunzipSync(readFileSync(join('data/fashion-mnist-subset', `${prefix}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(readFileSync(join('data/fashion-mnist-subset', `${prefix}-labels-idx1-ubyte.gz`)));
  const ih = Buffer.from(images.subarray(0, 16)); ih.writeUInt32BE(n, 4);
  const lh = Buffer.from(labels.subarray(0, 8)); lh.writeUInt32BE(n, 4);
  writeFileSync(join(out, `${prefix}-images-idx3-ubyte`), Buffer.concat([ih, images.subarray(16, 16 + n * 784)]));
  writeFileSync(join(out, `${prefix}-labels-idx1-ubyte`), Buffer.concat([lh, labels.subarray(8, 8 + n)]));
}
EOF
cat > "$ws/tiny.salun.json" <<EOF
{ "name": "tensorboard-check", "data": { "kind": "idx", "dir": "data" }, "model": { "kind": "builtin", "architecture": "mlp" },
  "forget": { "kind": "random", "fraction": 0.1, "seed": 1 }, "method": "salun",
  "train": { "epochs": 2, "lr": 0.05, "schedule": "cosine", "momentum": 0.9, "weightDecay": 0.0005, "batchSize": 64 },
  "unlearn": { "epochs": 2, "lr": 0.005, "schedule": "constant", "momentum": 0.9, "weightDecay": 0.0005, "batchSize": 64 },
  "retrain": true, "seed": 1 }
EOF
for i in 1 2; do
  node bin/salun.js run "$ws/tiny.salun.json" --workspace "$ws" --backend cpu >"$ws/run$i.log" 2>&1 || { cat "$ws/run$i.log"; exit 1; }
done
# The second run's θo must be the cached one (its curve then comes from the cache entry's meta.json).
second="$(ls -d "$ws"/.salun/runs/*/ | sort | tail -1)"
node -e 'const c = require(process.argv[1]); if (c.resolved.originalModel !== "cache") { console.error(`tensorboard-check: the second run trained θo again (${c.resolved.originalModel}), not from the cache`); process.exit(1); }' "${second}config.json"
"$venv/bin/python" bench/tensorboard-check.py "$ws"/.salun/runs/*/
