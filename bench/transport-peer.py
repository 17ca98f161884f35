"""Python/numba peer of nanolum's exciton-transport Monte Carlo (src/transport/kernel.ts).

The same model and the same algorithm, written for numba: excitons on a 2-D/3-D lattice in
bright/dark/trapped states; per state, either one 32-bit draw per step (total event probability
>= 0.125) or a geometric waiting time then one event; xoshiro128** streams, one per chunk of 8192
walkers; `prange` over chunks on all cores. The tables (thresholds, alias table of the initial
positions, hop offsets, lattice, stream states, and the lookup tables that replace threshold
searches and logarithms: alias guide, bright step guide, geometric waiting-time breakpoints) are
built by nanolum and passed in, and used here exactly as nanolum's kernel uses them, so both
programs run the same algorithm on the same model from the same random streams - the outputs are
compared as a check.

Usage: /usr/bin/python3 bench/transport-peer.py < params.json   (or --serve: see `serve`)
stdin: {"runs": [{"name": str, "repeats": int, "config": {...kernel config...}}]}
stdout: {"numba": version, "threads": n, "runs": [{"name", "ms": median of repeats (excluding the
JIT warm-up call), "ms1": the same on one thread, "emitted", "survivors", "sumR2"}]}
"""
import json
import sys
import time

import numpy as np
import numba
from numba import njit, prange

CHUNK_WALKERS = 8192
STEP_MODE_THRESHOLD = 0.125
GUIDE_SHIFT = 20
ALIAS_GUIDE_SHIFT = 18
ALIAS_GUIDE_MISS = -32768
INV32 = 1.0 / 4294967296.0
M32 = 0xFFFFFFFF


@njit(cache=False, fastmath=False, inline="always")
def xoshiro(s0, sa, sb, sc):
    """One xoshiro128** step on int64-held 32-bit words: (u, s0, sa, sb, sc)."""
    m5 = (sa * 5) & M32
    u = (((((m5 << 7) | (m5 >> 25)) & M32) * 9) & M32)
    t9 = (sa << 9) & M32
    sb ^= s0
    sc ^= sa
    sa ^= sb
    s0 ^= sc
    sb ^= t9
    sc = ((sc << 11) | (sc >> 21)) & M32
    return u, s0, sa, sb, sc


@njit(cache=False, fastmath=False, inline="always")
def alias_draw(u, alias_guide, alias_prob, alias_index, alias_centre):
    v = np.int64(alias_guide[u >> ALIAS_GUIDE_SHIFT])
    if v == ALIAS_GUIDE_MISS:
        f = u * alias_prob.shape[0] * INV32
        j = np.int64(np.floor(f))
        if f - j < alias_prob[j]:
            v = j - alias_centre
        else:
            v = alias_index[j] - alias_centre
    return v


@njit(cache=False, fastmath=False, inline="always")
def geometric_wait(u, n, N, surv, top, logq):
    """Waiting time K from draw u: (survives past the last step, n + K)."""
    if surv.shape[0] > 0:
        R = N - n
        if u <= surv[R]:
            return True, n
        k = np.int64(top[u >> GUIDE_SHIFT])
        if k >= R:
            k = R - 1
        while u > surv[k]:
            k -= 1
        return False, n + k
    K = np.floor(np.log((u + 1) * INV32) / logq)
    if K >= N - n:
        return True, n
    return False, n + np.int64(K)


@njit(cache=False, fastmath=False)
def run_chunk(c, d, N, walkers, bright_thr, trapped_thr, alias_prob, alias_index, alias_centre,
              alias_guide, dxT, dyT, dzT, nEvB, bStepThr, bGeomThr, bP, bLog, bStepGuide,
              bGeomSurv, bGeomTop, dStepThr, dGeomThr, dP, dLog, dGeomSurv, dGeomTop,
              tStepThr, tGeomThr, tP, tLog, tGeomSurv, tGeomTop, L, vacancy, half, streams,
              count, cB, cD, cT, s1, s2, s3, s4, r2a, r4a, hist, outside, init):
    """Walkers of chunk c: the same draws, tables and decisions as nanolum's kernel."""
    nx = 2 * half + 1
    lattice = L > 0
    d3 = d == 3
    last_b = nEvB - 1
    s0 = np.int64(streams[4 * c])
    sa = np.int64(streams[4 * c + 1])
    sb = np.int64(streams[4 * c + 2])
    sc = np.int64(streams[4 * c + 3])
    d_thr0 = dStepThr[0]
    d_thr = dStepThr[1]
    d_geom0 = dGeomThr[0]
    t_thr = tStepThr[0]
    d_on = dP > 0
    t_on = tP > 0
    d_step = dP >= STEP_MODE_THRESHOLD
    t_step = tP >= STEP_MODE_THRESHOLD
    b_on0 = bP[0] > 0
    b_thr0 = bStepThr[last_b]
    b_log0 = bLog[0]
    b_guided = (not lattice) and bStepGuide.shape[0] > 0
    survivors = 0
    w_end = min(walkers, (c + 1) * CHUNK_WALKERS)
    for w in range(c * CHUNK_WALKERS, w_end):
        px = 0
        py = 0
        pz = 0
        wx = 0
        wy = 0
        wz = 0
        site = 0
        while True:
            u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
            px = alias_draw(u, alias_guide, alias_prob, alias_index, alias_centre)
            u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
            py = alias_draw(u, alias_guide, alias_prob, alias_index, alias_centre)
            if d3:
                u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                pz = alias_draw(u, alias_guide, alias_prob, alias_index, alias_centre)
            if not lattice:
                break
            wx = px % L
            wy = py % L
            wz = pz % L
            site = wx + L * (wy + L * wz)
            if vacancy[site] != 1:
                break
        x0 = px
        y0 = py
        z0 = pz
        init[0] += px
        init[1] += px * px
        init[2] += py
        init[3] += py * py
        init[4] += pz
        init[5] += pz * pz
        init[6] += 1
        u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
        if u < bright_thr:
            state = 0
        elif u < trapped_thr:
            state = 2
        else:
            state = 1
        n = 0
        emitter = -1
        while True:
            if state == 0:
                ev = 0
                if b_guided:
                    stop = False
                    while True:
                        u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                        ev = np.int64(bStepGuide[u >> GUIDE_SHIFT])
                        if ev < 0:
                            ev = 0
                            if u >= b_thr0:
                                ev = nEvB
                            else:
                                while u >= bStepThr[ev]:
                                    ev += 1
                        if ev != nEvB:
                            break
                        n += 1
                        if n >= N:
                            stop = True
                            break
                    if stop:
                        break
                elif not lattice:
                    if not b_on0:
                        break
                    u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                    stop, n = geometric_wait(u, n, N, bGeomSurv, bGeomTop, b_log0)
                    if stop:
                        break
                    u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                    while ev < last_b and u >= bGeomThr[ev]:
                        ev += 1
                else:
                    P = bP[site]
                    if not (P > 0):
                        break
                    base = site * nEvB
                    if P >= STEP_MODE_THRESHOLD:
                        Pthr = bStepThr[base + last_b]
                        stop = False
                        while True:
                            u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                            if u < Pthr:
                                break
                            n += 1
                            if n >= N:
                                stop = True
                                break
                        if stop:
                            break
                        while u >= bStepThr[base + ev]:
                            ev += 1
                    else:
                        u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                        K = np.floor(np.log((u + 1) * INV32) / bLog[site])
                        if K >= N - n:
                            break
                        n += np.int64(K)
                        u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                        while ev < last_b and u >= bGeomThr[base + ev]:
                            ev += 1
                if ev == 0:
                    emitter = 0
                    break
                if ev >= 3:
                    k = ev - 3
                    hx = dxT[k]
                    hy = dyT[k]
                    hz = dzT[k]
                    px += hx
                    py += hy
                    pz += hz
                    if lattice:
                        wx += hx
                        if wx >= L:
                            wx -= L
                        elif wx < 0:
                            wx += L
                        wy += hy
                        if wy >= L:
                            wy -= L
                        elif wy < 0:
                            wy += L
                        wz += hz
                        if wz >= L:
                            wz -= L
                        elif wz < 0:
                            wz += L
                        site = wx + L * (wy + L * wz)
                elif ev == 1:
                    state = 1
                else:
                    state = 2
            elif state == 1:
                if not d_on:
                    break
                if d_step:
                    stop = False
                    while True:
                        u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                        if u < d_thr:
                            break
                        n += 1
                        if n >= N:
                            stop = True
                            break
                    if stop:
                        break
                    emit = u < d_thr0
                else:
                    u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                    stop, n = geometric_wait(u, n, N, dGeomSurv, dGeomTop, dLog)
                    if stop:
                        break
                    u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                    emit = u < d_geom0
                if emit:
                    emitter = 1
                    break
                state = 0
            else:
                if not t_on:
                    break
                if t_step:
                    stop = False
                    while True:
                        u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                        if u < t_thr:
                            break
                        n += 1
                        if n >= N:
                            stop = True
                            break
                    if stop:
                        break
                else:
                    u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                    stop, n = geometric_wait(u, n, N, tGeomSurv, tGeomTop, tLog)
                    if stop:
                        break
                    u, s0, sa, sb, sc = xoshiro(s0, sa, sb, sc)
                emitter = 2
                break
            n += 1
            if n >= N:
                break
        if emitter < 0:
            survivors += 1
            continue
        count[n] += 1
        if emitter == 0:
            cB[n] += 1
        elif emitter == 1:
            cD[n] += 1
        else:
            cT[n] += 1
        x = px
        x2 = x * x
        s1[n] += x
        s2[n] += x2
        s3[n] += x2 * x
        s4[n] += x2 * x2
        x = py
        x2 = x * x
        s1[N + n] += x
        s2[N + n] += x2
        s3[N + n] += x2 * x
        s4[N + n] += x2 * x2
        ddx = px - x0
        ddy = py - y0
        rr = ddx * ddx + ddy * ddy
        if d3:
            x = pz
            x2 = x * x
            s1[2 * N + n] += x
            s2[2 * N + n] += x2
            s3[2 * N + n] += x2 * x
            s4[2 * N + n] += x2 * x2
            ddz = pz - z0
            rr += ddz * ddz
        r2a[n] += rr
        r4a[n] += rr * rr
        if px >= -half and px <= half:
            hist[n * nx + px + half] += 1
        else:
            outside[n] += 1
    return survivors


@njit(parallel=True)
def simulate(d, N, walkers, bright_thr, trapped_thr, alias_prob, alias_index, alias_centre,
             alias_guide, dxT, dyT, dzT, nEvB, bStepThr, bGeomThr, bP, bLog, bStepGuide,
             bGeomSurv, bGeomTop, dStepThr, dGeomThr, dP, dLog, dGeomSurv, dGeomTop,
             tStepThr, tGeomThr, tP, tLog, tGeomSurv, tGeomTop, L, vacancy, half, streams):
    n_chunks = (walkers + CHUNK_WALKERS - 1) // CHUNK_WALKERS
    nthreads = numba.get_num_threads()
    nx = 2 * half + 1 if half >= 0 else 0
    # One accumulator set per thread slot; chunks are dealt round-robin to the slots.
    count = np.zeros((nthreads, N))
    cB = np.zeros((nthreads, N))
    cD = np.zeros((nthreads, N))
    cT = np.zeros((nthreads, N))
    s1 = np.zeros((nthreads, 3 * N))
    s2 = np.zeros((nthreads, 3 * N))
    s3 = np.zeros((nthreads, 3 * N))
    s4 = np.zeros((nthreads, 3 * N))
    r2a = np.zeros((nthreads, N))
    r4a = np.zeros((nthreads, N))
    hist = np.zeros((nthreads, N * nx))
    outside = np.zeros((nthreads, N))
    init = np.zeros((nthreads, 7))
    surv = np.zeros(nthreads, dtype=np.int64)
    for slot in prange(nthreads):
        for c in range(slot, n_chunks, nthreads):
            surv[slot] += run_chunk(c, d, N, walkers, bright_thr, trapped_thr, alias_prob, alias_index,
                                    alias_centre, alias_guide, dxT, dyT, dzT, nEvB, bStepThr, bGeomThr,
                                    bP, bLog, bStepGuide, bGeomSurv, bGeomTop, dStepThr, dGeomThr, dP,
                                    dLog, dGeomSurv, dGeomTop, tStepThr, tGeomThr, tP, tLog, tGeomSurv,
                                    tGeomTop, L, vacancy, half, streams, count[slot], cB[slot],
                                    cD[slot], cT[slot], s1[slot], s2[slot], s3[slot], s4[slot],
                                    r2a[slot], r4a[slot], hist[slot], outside[slot], init[slot])
    return count.sum(axis=0), r2a.sum(axis=0), hist.sum(axis=0), surv.sum()


def args_from(cfg):
    f = lambda k: np.asarray(cfg[k], dtype=np.float64)
    i = lambda k: np.asarray(cfg[k], dtype=np.int64)
    return (
        int(cfg["dimension"]), int(cfg["steps"]), int(cfg["walkers"]), float(cfg["brightThr"]),
        float(cfg["trappedThr"]), f("aliasProb"), i("aliasIndex"), int(cfg["aliasCentre"]),
        np.asarray(cfg["aliasGuide"], dtype=np.int16),
        i("dx"), i("dy"), i("dz"), int(cfg["nEvB"]), f("bStepThr"), f("bGeomThr"), f("bP"), f("bLog1mP"),
        np.asarray(cfg["bStepGuide"], dtype=np.int8), f("bGeomSurv"), np.asarray(cfg["bGeomTop"], dtype=np.int32),
        f("dStepThr"), f("dGeomThr"), float(cfg["dP"]), float(cfg["dLog1mP"]),
        f("dGeomSurv"), np.asarray(cfg["dGeomTop"], dtype=np.int32),
        f("tStepThr"), f("tGeomThr"), float(cfg["tP"]), float(cfg["tLog1mP"]),
        f("tGeomSurv"), np.asarray(cfg["tGeomTop"], dtype=np.int32),
        int(cfg["latticeSize"]), np.asarray(cfg["vacancy"], dtype=np.uint8), int(cfg["profileHalfWidth"]),
        np.asarray(cfg["streams"], dtype=np.int64),
    )


def main():
    spec = json.load(sys.stdin)
    out = {"numba": numba.__version__, "threads": numba.get_num_threads(), "runs": []}
    for run in spec["runs"]:
        args = args_from(run["config"])
        simulate(*args)  # JIT compile + warm-up, not timed
        times = []
        res = None
        for _ in range(max(1, int(run.get("repeats", 3)))):
            t0 = time.perf_counter()
            res = simulate(*args)
            times.append((time.perf_counter() - t0) * 1000.0)
        best = float(np.median(times))
        # the same on one thread (per-thread speed, for the note)
        nthreads = numba.get_num_threads()
        numba.set_num_threads(1)
        times1 = []
        for _ in range(max(1, min(3, int(run.get("repeats", 3))))):
            t0 = time.perf_counter()
            simulate(*args)
            times1.append((time.perf_counter() - t0) * 1000.0)
        numba.set_num_threads(nthreads)
        count, r2, hist, surv = res
        out["runs"].append({
            "name": run["name"], "ms": best, "ms1": float(np.median(times1)),
            "emitted": float(count.sum()), "survivors": int(surv),
            "sumR2": float(r2.sum()), "count": count.tolist(),
        })
    json.dump(out, sys.stdout)


def serve():
    """Interleaved mode (`--serve`): see bench/peer_serve.py."""
    from peer_serve import serve as serve_loop

    def summary(res):
        count, r2, hist, surv = res
        return {"emitted": float(count.sum()), "survivors": int(surv), "sumR2": float(r2.sum())}

    serve_loop(args_from, lambda args: simulate(*args), lambda args: simulate(*args), summary)


if __name__ == "__main__":
    if "--serve" in sys.argv[1:]:
        serve()
    else:
        main()
