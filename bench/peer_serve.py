"""The interleaved timing protocol shared by the Python peers (`--serve`).

Line 1 on stdin configures the peer; it warms up (imports, JIT compile, thread start: not timed)
and prints a hello line. Each further line is one JSON request, answered by one JSON line;
"quit" (or the end of stdin) ends. The caller times its own runs in between, so both programs
see the same load on a shared machine.
"""
import json
import sys
import time


def serve_lines(hello, handle):
    """Prints `hello`, then answers every request line with `handle(request)` (a dict)."""
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line == "quit":
            break
        print(json.dumps(handle(json.loads(line))), flush=True)


def serve(args_from, warm, run, summary):
    """The numba peers: line 1 is {"runs": [{"config": {...}}, ...]}; each config is warmed up on
    all threads and on one; a request {"run": i, "threads": t} runs config i once on t threads
    and is answered with {"ms", ...summary(result)}. args_from(config) -> args; warm(args) and
    run(args) -> result."""
    import numba

    spec = json.loads(sys.stdin.readline())
    nthreads = numba.get_num_threads()
    all_args = [args_from(r["config"]) for r in spec["runs"]]
    for args in all_args:
        warm(args)
        numba.set_num_threads(1)
        warm(args)
        numba.set_num_threads(nthreads)

    def handle(req):
        numba.set_num_threads(max(1, min(nthreads, int(req.get("threads", nthreads)))))
        t0 = time.perf_counter()
        res = run(all_args[int(req["run"])])
        ms = (time.perf_counter() - t0) * 1000.0
        numba.set_num_threads(nthreads)
        return {"ms": ms, **summary(res)}

    serve_lines({"ready": True, "numba": numba.__version__, "threads": nthreads}, handle)
