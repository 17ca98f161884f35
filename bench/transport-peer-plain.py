"""Plain per-step numba implementation of paper 004's exciton-transport Monte Carlo.

This is the program a scientist would write with numba from the paper's description, and the
reference implementation of the speed target in issue 5 ("numba, prange over walkers on both
cores, ~3.6e8 walker-steps/s for 1e6 walkers x 400 steps"). Unlike `transport-peer.py` (a port of
nanolum's event-driven, table-guided kernel that is fed nanolum's tables), it takes only the
model parameters and builds everything itself:

* Excitons on a square (2-D) or simple cubic (3-D) lattice of nanocrystals, in a bright, dark or
  trapped state. Start: each coordinate drawn from the Gaussian N(0, sigma0) and rounded to the
  nearest site (nanolum draws the discrete Gaussian p(v) ~ exp(-v^2 / 2 sigma0^2) instead; the
  site variance differs by ~1/12 site^2, which does not enter the displacement MSD); bright with
  probability brightFraction, trapped with trappedFraction, else dark.
* Every step of dt, one uniform u in [0, 1) picks at most one event by the cumulative
  probabilities of the current state (or none, with one minus their sum):
    bright:  emit gammaB | -> dark gammaBD | -> trapped gammaTrap | hop to target k gammaFret / r_k^6
    dark:    emit gammaD | -> bright gammaDB
    trapped: emit trappedRadiativeFactor * gammaB (no detrapping)
  Hop targets: the nearest neighbours (r = 1; 4 in 2-D, 6 in 3-D) and, with nextNearest, the
  next-nearest (r = sqrt 2, weight 1/8; 4 in 2-D, 12 in 3-D), so the target is chosen in
  proportion to 1/r^6 and gamma_hop = gammaFret * sum_k 1/r_k^6 (4.5 gammaFret in 2-D).
* Optional disorder/vacancies (the bench's last case): a periodic lattice of edge latticeSize
  with its own random realisation (numpy, seeded from `seed`): vacancies with probability
  vacancyFraction (never a start site, never a hop target), Gaussian site energies of standard
  deviation sigmaMeV with a Miller-Abrahams factor exp(-dE / kT) on uphill hops. The per-site hop
  probabilities are tabulated once (set-up, not timed).
* An emission ends the walk; its step index and squared displacement from the start are summed
  per step. Walkers alive after the last step are survivors (no photon).

Parallelism and random numbers: walkers in chunks of CHUNK = 1024, dealt round-robin to the
threads (`prange` over the thread slots, one accumulator row per thread: no races, rows summed
at the end); each chunk reseeds numba's per-thread Mersenne Twister (numpy's `np.random` API
inside numba: every thread has its own state, so `np.random.seed` in the prange body seeds only
the running thread) with (seed * 1000003 + chunk) mod 2^32. Results therefore do not depend on
the number of threads; small chunks keep the two threads evenly loaded on small runs.

Usage: /usr/bin/python3 bench/transport-peer-plain.py < params.json   (or --serve, see `serve`)
stdin: {"runs": [{"name": str, "repeats": int, "config": {...model + run parameters...}}]}
  config: nanolum's normalised simulation parameters (dimension, gammaB, gammaD, gammaBD,
  gammaDB, gammaFret, gammaTrap, trappedRadiativeFactor, brightFraction, trappedFraction,
  nextNearest, sigma0Sites, steps, walkers, seed, disorder, vacancyFraction, latticeSize).
stdout: {"numba", "threads", "runs": [{"name", "ms" (median of repeats, JIT warm-up excluded),
  "ms1" (one thread), "emitted", "survivors", "sumR2", "count", "r2", "r4", "countBright",
  "countDark", "countTrapped"}]}
"""
import json
import sys
import time

import numpy as np
import numba
from numba import njit, prange

CHUNK = 1024
BOLTZMANN_EV_PER_K = 8.617333262e-5


@njit(parallel=True)
def simulate(seed, d, N, walkers, sigma0, p_bright, p_trapped_start, c_emit_b, c_to_dark,
             c_to_trap, hop_cum, hx, hy, hz, c_emit_d, c_dark_any, p_emit_t, L, vacancy):
    """Per-step Monte Carlo. hop_cum[site, k]: cumulative bright-event probability up to and
    including hop target k (starting from c_to_trap); one row (site 0) when L == 0 (uniform
    infinite lattice). Returns per-step emissions (all, bright, dark, trapped), sums of r^2 and
    r^4 of the emitters, and the number of survivors."""
    n_chunks = (walkers + CHUNK - 1) // CHUNK
    nt = numba.get_num_threads()
    z = hx.shape[0]
    count = np.zeros((nt, N))
    cB = np.zeros((nt, N))
    cD = np.zeros((nt, N))
    cT = np.zeros((nt, N))
    r2 = np.zeros((nt, N))
    r4 = np.zeros((nt, N))
    surv = np.zeros(nt, dtype=np.int64)
    lattice = L > 0
    for t in prange(nt):
        for c in range(t, n_chunks, nt):
            np.random.seed((seed * 1000003 + c) % 4294967296)
            for w in range(c * CHUNK, min(walkers, (c + 1) * CHUNK)):
                # Start site: Gaussian rounded to the lattice (again if it is a vacancy).
                site = 0
                while True:
                    x = np.int64(np.floor(np.random.normal(0.0, sigma0) + 0.5))
                    y = np.int64(np.floor(np.random.normal(0.0, sigma0) + 0.5))
                    zc = np.int64(0)
                    if d == 3:
                        zc = np.int64(np.floor(np.random.normal(0.0, sigma0) + 0.5))
                    if not lattice:
                        break
                    site = (x % L) + L * ((y % L) + L * (zc % L))
                    if vacancy[site] == 0:
                        break
                x0 = x
                y0 = y
                z0 = zc
                u = np.random.random()
                if u < p_bright:
                    state = 0
                elif u < p_trapped_start:
                    state = 2
                else:
                    state = 1
                emitted = False
                for n in range(N):
                    u = np.random.random()
                    if state == 0:
                        if u < c_emit_b:
                            emitted = True
                        elif u < c_to_dark:
                            state = 1
                        elif u < c_to_trap:
                            state = 2
                        elif u < hop_cum[site, z - 1]:
                            k = 0
                            while u >= hop_cum[site, k]:
                                k += 1
                            x += hx[k]
                            y += hy[k]
                            zc += hz[k]
                            if lattice:
                                site = (x % L) + L * ((y % L) + L * (zc % L))
                    elif state == 1:
                        if u < c_emit_d:
                            emitted = True
                        elif u < c_dark_any:
                            state = 0
                    else:
                        if u < p_emit_t:
                            emitted = True
                    if emitted:
                        ddx = x - x0
                        ddy = y - y0
                        ddz = zc - z0
                        rr = np.float64(ddx * ddx + ddy * ddy + ddz * ddz)
                        count[t, n] += 1.0
                        if state == 0:
                            cB[t, n] += 1.0
                        elif state == 1:
                            cD[t, n] += 1.0
                        else:
                            cT[t, n] += 1.0
                        r2[t, n] += rr
                        r4[t, n] += rr * rr
                        break
                if not emitted:
                    surv[t] += 1
    return (count.sum(axis=0), cB.sum(axis=0), cD.sum(axis=0), cT.sum(axis=0), r2.sum(axis=0),
            r4.sum(axis=0), surv.sum())


def hop_targets(d, next_nearest):
    """Offsets and 1/r^6 weights, nearest first (the same set and order as nanolum's hopTargets)."""
    rng = (-1, 0, 1)
    offs = [(a, b, 0) for a in rng for b in rng] if d == 2 else \
        [(a, b, c) for a in rng for b in rng for c in rng]
    near = [o for o in offs if sum(v * v for v in o) == 1]
    nnear = [o for o in offs if sum(v * v for v in o) == 2] if next_nearest else []
    return near + nnear, [1.0] * len(near) + [1.0 / 8.0] * len(nnear)


def args_from(cfg):
    """Kernel arguments from the model parameters (set-up: probabilities, lattice)."""
    d = int(cfg["dimension"])
    gB, gD, gBD, gDB = (float(cfg[k]) for k in ("gammaB", "gammaD", "gammaBD", "gammaDB"))
    gF, gT = float(cfg["gammaFret"]), float(cfg.get("gammaTrap") or 0.0)
    trf = float(cfg.get("trappedRadiativeFactor", 0.01))
    offs, weights = hop_targets(d, bool(cfg.get("nextNearest", True)))
    hx = np.array([o[0] for o in offs], dtype=np.int64)
    hy = np.array([o[1] for o in offs], dtype=np.int64)
    hz = np.array([o[2] for o in offs], dtype=np.int64)
    w = np.array(weights) * gF
    c_emit_b = gB
    c_to_dark = gB + gBD
    c_to_trap = gB + gBD + gT
    vf = float(cfg.get("vacancyFraction") or 0.0)
    dis = cfg.get("disorder") or None
    sigma_e = float(dis["sigmaMeV"]) * 1e-3 if dis else 0.0
    if vf > 0 or sigma_e > 0:
        L = int(cfg.get("latticeSize") or (150 if d == 2 else 64))
        shape = (L, L, L) if d == 3 else (1, L, L)  # [z, y, x]; site = x + L (y + L z)
        rng = np.random.default_rng(int(cfg["seed"]))
        vac = (rng.random(shape) < vf) if vf > 0 else np.zeros(shape, dtype=bool)
        energy = sigma_e * rng.standard_normal(shape) if sigma_e > 0 else np.zeros(shape)
        kT = BOLTZMANN_EV_PER_K * float(dis["temperatureK"]) if dis else 1.0
        rates = np.empty(shape + (len(offs),))
        for k, (ox, oy, oz) in enumerate(offs):
            # value at the neighbour (x + ox, y + oy, z + oz) on the periodic lattice
            axes = (2, 1, 0)
            nb_vac = np.roll(vac, (-ox, -oy, -oz), axis=axes)
            nb_e = np.roll(energy, (-ox, -oy, -oz), axis=axes)
            factor = np.minimum(1.0, np.exp(-(nb_e - energy) / kT)) if sigma_e > 0 else 1.0
            rates[..., k] = np.where(nb_vac, 0.0, w[k] * factor)
        rates = rates.reshape(-1, len(offs))
        vacancy = vac.reshape(-1).astype(np.uint8)
    else:
        L = 0
        rates = w.reshape(1, -1)
        vacancy = np.zeros(1, dtype=np.uint8)
    hop_cum = c_to_trap + np.cumsum(rates, axis=1)
    bf = float(cfg["brightFraction"])
    tf = float(cfg.get("trappedFraction") or 0.0)
    return (
        int(cfg["seed"]), d, int(cfg["steps"]), int(cfg["walkers"]), float(cfg["sigma0Sites"]),
        bf, bf + tf, c_emit_b, c_to_dark, c_to_trap, np.ascontiguousarray(hop_cum), hx, hy, hz,
        gD, gD + gDB, trf * gB, L, vacancy,
    )


def warm(args):
    """JIT compile and start the thread pool on a small run of the same types (not timed)."""
    small = list(args)
    small[3] = min(args[3], 2 * CHUNK)
    simulate(*small)


def summary(res):
    count, cB, cD, cT, r2, r4, surv = res
    return {"emitted": float(count.sum()), "survivors": int(surv), "sumR2": float(r2.sum())}


def main():
    spec = json.load(sys.stdin)
    nthreads = numba.get_num_threads()
    out = {"numba": numba.__version__, "threads": nthreads, "runs": []}
    for run in spec["runs"]:
        args = args_from(run["config"])
        warm(args)
        repeats = max(1, int(run.get("repeats", 1)))
        times = []
        res = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            res = simulate(*args)
            times.append((time.perf_counter() - t0) * 1000.0)
        times1 = []
        if run.get("singleThread", False):
            numba.set_num_threads(1)
            for _ in range(min(3, repeats)):
                t0 = time.perf_counter()
                simulate(*args)
                times1.append((time.perf_counter() - t0) * 1000.0)
            numba.set_num_threads(nthreads)
        count, cB, cD, cT, r2, r4, surv = res
        out["runs"].append({
            "name": run.get("name", ""), "ms": float(np.median(times)),
            "ms1": float(np.median(times1)) if times1 else None, **summary(res),
            "count": count.tolist(), "r2": r2.tolist(), "r4": r4.tolist(),
            "countBright": cB.tolist(), "countDark": cD.tolist(), "countTrapped": cT.tolist(),
        })
    json.dump(out, sys.stdout)


def serve():
    """Interleaved mode (`--serve`), the protocol of `transport-peer.py`: see bench/peer_serve.py."""
    from peer_serve import serve as serve_loop

    serve_loop(args_from, warm, lambda args: simulate(*args), summary)


if __name__ == "__main__":
    if "--serve" in sys.argv[1:]:
        serve()
    else:
        main()
