"""SalUn Lab's Ray driver: runs job-process commands as Ray tasks, one task per command.

Ray's API is Python, so the TypeScript side (salun audit --ray) starts this with the user's
Python and talks to it over stdio in JSON lines:

  stdin   {"id": "...", "command": <a job start command>, "numCpus": 1, "numGpus": 0}
          ... then {"end": true}
  stdout  {"type": "connected", "nodes": N, "cpus": C}
          {"type": "task", "id": "...", "state": "finished" | "failed" | "cancelled",
           "node": "<node id> (<ip>)", "seconds": S, "final": <the job's final event>}
          {"type": "error", "message": "..."}   (the cluster cannot be reached, Ray is missing)

Each task runs the same job process the editor forks (dist/job.js) on whichever node Ray picks,
with the command on its stdin; the job writes its results to the shared workspace folder. Nothing
here schedules, places or retries: Ray does (a task whose node dies is retried elsewhere,
max_retries). SIGINT or SIGTERM cancels the tasks still running and exits 130.
"""

import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def die_with_parent():
    """The job process ends with the Ray worker that started it (a cancelled task's worker is killed)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_job(node, job_js, command, cwd):
    """One task: the job process with `command` on stdin; its JSON-line events parsed, the last final one kept."""
    import ray

    start = time.time()
    proc = subprocess.Popen(
        [node, job_js],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent,
    )
    out, err = proc.communicate(json.dumps(command) + "\n")
    final = None
    for line in out.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("type") in ("finished", "failed", "cancelled"):
            final = event
    if final is None:
        final = {"type": "failed", "error": {"message": f"the job process exited {proc.returncode} without a final event: {err.strip()[-2000:]}"}}
    return {
        "state": final["type"],
        "node": f"{ray.get_runtime_context().get_node_id()[:8]} ({ray.util.get_node_ip_address()})",
        "seconds": time.time() - start,
        "final": final,
    }


def unreachable(address, timeout=10.0):
    """Why host:port takes no TCP connection within `timeout`, or None (ray.init itself waits minutes on a dead address)."""
    if address == "auto" or ":" not in address or address.startswith("ray://"):
        return None
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except (OSError, ValueError) as e:
        return str(e)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", required=True, help="the Ray cluster (host:port, or auto)")
    parser.add_argument("--node", required=True, help="the node binary each task runs the job with")
    parser.add_argument("--job", required=True, help="dist/job.js")
    parser.add_argument("--cwd", default=os.getcwd())
    args = parser.parse_args()
    try:
        import ray
    except ImportError as e:
        emit({"type": "error", "message": f"Ray is not installed for {sys.executable} ({e})"})
        return 2
    problem = unreachable(args.address)
    if problem:
        emit({"type": "error", "message": f"cannot reach the Ray cluster at {args.address}: {problem}"})
        return 2
    try:
        # SALUN_RAY_NODE_IP: the driver's node address where a machine holds several raylets (scripts/ray-cluster.sh).
        node_ip = os.environ.get("SALUN_RAY_NODE_IP")
        extra = {"_node_ip_address": node_ip} if node_ip else {}
        ray.init(address=args.address, log_to_driver=False, logging_level="ERROR", **extra)
    except Exception as e:  # ConnectionError, or Ray's own on a wrong address
        emit({"type": "error", "message": f"cannot reach the Ray cluster at {args.address}: {e}"})
        return 2
    resources = ray.cluster_resources()
    emit({"type": "connected", "nodes": len([n for n in ray.nodes() if n.get("Alive")]), "cpus": resources.get("CPU", 0)})

    pending = {}
    remote = ray.remote(run_job)

    def cancel(signum, _frame):
        for ref in list(pending):
            ray.cancel(ref, force=True)
        emit({"type": "error", "message": f"stopped by signal {signum}: {len(pending)} tasks cancelled"})
        os._exit(130)

    signal.signal(signal.SIGINT, cancel)
    signal.signal(signal.SIGTERM, cancel)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("end"):
            break
        task = remote.options(num_cpus=request.get("numCpus", 1), num_gpus=request.get("numGpus", 0), max_retries=3)
        pending[task.remote(args.node, args.job, request["command"], args.cwd)] = request["id"]
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        for ref in done:
            task_id = pending.pop(ref)
            try:
                result = ray.get(ref)
            except Exception as e:  # the task itself failed (retries spent)
                result = {"state": "failed", "node": "", "seconds": 0, "final": {"type": "failed", "error": {"message": str(e)}}}
            emit({"type": "task", "id": task_id, **result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
