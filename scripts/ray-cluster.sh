#!/usr/bin/env bash
# A two-node Ray cluster on this machine, for CI and for trying `salun audit --ray`: a head node
# and one worker node (each a raylet with its own CPU share), from Ray installed offline into a
# Python 3.11 venv (.cache/ray311) from the machine's wheel folders. The last line printed is the
# address to pass to --ray; the venv's python (for --python) is printed above it.
#
#   scripts/ray-cluster.sh start     # idempotent: a running cluster is left alone
#   scripts/ray-cluster.sh stop
#   scripts/ray-cluster.sh python    # the venv's python (installs Ray when it is not there)
#   scripts/ray-cluster.sh kill-worker   # SIGKILL the worker node's raylet (the fault test's lost node)
#   scripts/ray-cluster.sh add-worker    # start a worker node again
#
# RAY_PORT (default 6390) and RAY_CPUS_PER_NODE (default 1) change the layout.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${RAY_VENV:-$root/.cache/ray311}"
port="${RAY_PORT:-6390}"
cpus="${RAY_CPUS_PER_NODE:-1}"
wheels=(/opt/wheels /opt/pypi/files /opt/pypi-more/files)
export RAY_USAGE_STATS_ENABLED=0

python_with_ray() {
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import ray' 2>/dev/null; then
    echo "$venv/bin/python"
    return
  fi
  command -v python3.11 >/dev/null || { echo "ray-cluster: python3.11 not found (the ray wheel is for CPython 3.11)" >&2; exit 1; }
  links=()
  for d in "${wheels[@]}"; do [ -d "$d" ] && links+=(--find-links "$d"); done
  [ -x "$venv/bin/python" ] || python3.11 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "${links[@]}" ray >&2 ||
    { echo "ray-cluster: pip could not install ray from ${wheels[*]}" >&2; exit 1; }
  echo "installed ray into $venv" >&2
  echo "$venv/bin/python"
}

# The head on 127.0.0.1, the worker node on 127.0.0.2: a driver attaches to the raylet of its node
# address (SALUN_RAY_NODE_IP=127.0.0.1 makes it the head's, as on a real cluster, where the driver
# runs on the head or a client), so losing the worker node costs its tasks, never the driver's
# connection. With both raylets on one address the driver could pick either.
start_worker() {
  "$1" start --address "127.0.0.1:$port" --num-cpus "$cpus" --node-ip-address "${RAY_WORKER_IP:-127.0.0.2}" --disable-usage-stats >&2
}

case "${1:-}" in
  python)
    python_with_ray
    ;;
  start)
    py="$(python_with_ray)"
    ray="$(dirname "$py")/ray"
    if "$ray" status --address "127.0.0.1:$port" >/dev/null 2>&1; then
      echo "ray-cluster: already running at 127.0.0.1:$port" >&2
    else
      "$ray" start --head --port "$port" --num-cpus "$cpus" --node-ip-address 127.0.0.1 --include-dashboard=false --disable-usage-stats >&2
      start_worker "$ray"
      # The worker's raylet registers a moment after `ray start` returns.
      for _ in $(seq 1 30); do
        [ "$("$py" -c "import ray; ray.init(address='127.0.0.1:$port', logging_level='ERROR'); print(len([n for n in ray.nodes() if n['Alive']]))" 2>/dev/null)" = 2 ] && break
        sleep 1
      done
    fi
    echo "$py"
    echo "127.0.0.1:$port"
    ;;
  kill-worker)
    # The raylet started without --head is the worker node's; its task workers die with it.
    for pid in $(pgrep -f '/ray/core/src/ray/raylet/raylet' || true); do
      tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qx -- '--head' || { kill -9 "$pid"; echo "ray-cluster: killed the worker node's raylet (pid $pid)" >&2; }
    done
    ;;
  add-worker)
    py="$(python_with_ray)"
    start_worker "$(dirname "$py")/ray"
    ;;
  stop)
    if [ -x "$venv/bin/ray" ]; then "$venv/bin/ray" stop --force >&2; fi
    ;;
  *)
    echo "usage: scripts/ray-cluster.sh start|stop|python|kill-worker|add-worker" >&2
    exit 2
    ;;
esac
