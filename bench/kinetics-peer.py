"""Python peer for the kinetics benchmark: scipy.optimize.least_squares on the same TCSPC data.

Reads JSON on stdin: {"flim": {...}, "decay3": {...}} (see bench/kinetics.ts) and prints JSON with
times in ms. Models are written the way a scipy user writes them: the decay sampled per bin,
convolved with the normalised IRF by scipy.signal.fftconvolve, residuals weighted by
1/sqrt(max(counts, 1)), least_squares with bounds (trf) and a 2-point finite-difference Jacobian.
Usage: /usr/bin/python3 bench/kinetics-peer.py < input.json   (or --serve: see `serve`)
"""
import json
import sys
import time
import warnings

import numpy as np
from scipy.optimize import least_squares
from scipy.signal import fftconvolve

warnings.filterwarnings("ignore")


def flim_subset(cfg):
    """Per-pixel 1-exponential + background fits with the IRF position known."""
    irf = np.asarray(cfg["irf"], float)
    irf = irf - np.median(irf[: max(8, int(np.argmax(irf)) - 10)])
    irf = np.clip(irf, 0, None)
    irf /= irf.sum()
    dt = cfg["binNs"]
    n = len(irf)
    t = (np.arange(n) + 0.5) * dt
    decays = np.asarray(cfg["decays"], float)

    def model(p):
        a, tau, bg = p
        return a * fftconvolve(irf, np.exp(-t / tau))[:n] + bg

    taus = []
    t0 = time.perf_counter()
    for y in decays:
        w = 1.0 / np.sqrt(np.maximum(y, 1.0))
        x0 = [y.max(), 2.0, max(float(np.median(y[:5])), 0.01)]
        r = least_squares(lambda p: (model(p) - y) * w, x0, bounds=([0, 0.01, 0], [np.inf, 100, np.inf]))
        taus.append(float(r.x[1]))
    ms = (time.perf_counter() - t0) * 1e3
    return {"pixels": len(decays), "ms": ms, "msPerPixel": ms / len(decays), "tau": taus}


def decay3_fitter(cfg):
    """A 3-exponential reconvolution fit with a fitted IRF shift: returns fit() -> scipy result."""
    irf = np.asarray(cfg["irf"], float)
    irf = irf - np.median(irf[: max(8, int(np.argmax(irf)) - 10)])
    irf = np.clip(irf, 0, None)
    irf /= irf.sum()
    y = np.asarray(cfg["counts"], float)
    dt = cfg["binNs"]
    n = len(y)
    t = np.arange(n) * dt
    w = 1.0 / np.sqrt(np.maximum(y, 1.0))

    def model(p):
        a1, t1, a2, t2, a3, t3, bg, sh = p
        dec = a1 * np.exp(-(t + 0.5 * dt) / t1) + a2 * np.exp(-(t + 0.5 * dt) / t2) + a3 * np.exp(-(t + 0.5 * dt) / t3)
        irfs = np.interp(t - sh, t, irf, left=0, right=0)
        return fftconvolve(irfs, dec)[:n] + bg

    x0 = [y.max() * 0.6, 0.5, y.max() * 0.3, 2.5, y.max() * 0.1, 10.0, 1.0, 0.0]
    lo = [0, 0.005, 0, 0.005, 0, 0.005, 0, -0.5]
    hi = [np.inf, 100, np.inf, 100, np.inf, 100, np.inf, 0.5]

    def fit():
        return least_squares(lambda p: (model(p) - y) * w, x0, bounds=(lo, hi))

    return fit


def describe3(r, ms):
    taus = sorted([float(r.x[1]), float(r.x[3]), float(r.x[5])])
    return {"ms": ms, "nfev": int(r.nfev), "tau": taus, "status": int(r.status)}


def decay3(cfg, repeats):
    fit = decay3_fitter(cfg)
    times = []
    r = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = fit()
        times.append((time.perf_counter() - t0) * 1e3)
    return {**describe3(r, float(np.median(times)))}


def serve():
    """Interleaved mode (`--serve`): line 1 is {"decay3": {...}}; one untimed warm-up fit, then
    {"ready": true, "scipy": version} is printed; each further line {"run": 0} runs one timed fit
    and prints {"ms", "nfev", "tau", "status"}; "quit" ends."""
    import scipy

    from peer_serve import serve_lines

    spec = json.loads(sys.stdin.readline())
    fit = decay3_fitter(spec["decay3"])
    fit()

    def handle(_req):
        t0 = time.perf_counter()
        r = fit()
        return describe3(r, (time.perf_counter() - t0) * 1e3)

    serve_lines({"ready": True, "scipy": scipy.__version__}, handle)


def main():
    cfg = json.load(sys.stdin)
    out = {}
    if "flim" in cfg:
        out["flim"] = flim_subset(cfg["flim"])
    if "decay3" in cfg:
        out["decay3"] = decay3(cfg["decay3"], cfg.get("repeats", 5))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if "--serve" in sys.argv[1:]:
        serve()
    else:
        main()
