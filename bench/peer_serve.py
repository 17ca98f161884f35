"""The interleaved timing protocol shared by the numba transport peers (`--serve`).

Line 1 on stdin is {"runs": [{"config": {...}}, ...]}; every config is warmed up (JIT compile and
thread start, not timed) on all threads and on one, then {"ready": true, "numba", "threads"} is
printed. Each further line {"run": i, "threads": t} runs config i once on t threads and prints
{"ms", ...summary}; "quit" ends. The caller times its own runs in between, so both programs see
the same load on a shared machine.
"""
import json
import sys
import time

import numba


def serve(args_from, warm, run, summary):
    """args_from(config) -> args; warm(args) and run(args) -> result; summary(result) -> dict."""
    spec = json.loads(sys.stdin.readline())
    nthreads = numba.get_num_threads()
    all_args = [args_from(r["config"]) for r in spec["runs"]]
    for args in all_args:
        warm(args)
        numba.set_num_threads(1)
        warm(args)
        numba.set_num_threads(nthreads)
    print(json.dumps({"ready": True, "numba": numba.__version__, "threads": nthreads}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line == "quit":
            break
        req = json.loads(line)
        numba.set_num_threads(max(1, min(nthreads, int(req.get("threads", nthreads)))))
        t0 = time.perf_counter()
        res = run(all_args[int(req["run"])])
        ms = (time.perf_counter() - t0) * 1000.0
        numba.set_num_threads(nthreads)
        print(json.dumps({"ms": ms, **summary(res)}), flush=True)
