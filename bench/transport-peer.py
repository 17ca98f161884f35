"""Python/numba peer of nanolum's exciton-transport Monte Carlo (src/transport/kernel.ts).

The same model and the same algorithm, written for numba: excitons on a 2-D/3-D lattice in
bright/dark/trapped states; per state, either one 32-bit draw per step (total event probability
>= 0.125) or a geometric waiting time then one event; xoshiro128** streams, one per chunk of 8192
walkers; `prange` over chunks on all cores. The tables (thresholds, alias table of the initial
positions, hop offsets, lattice, stream states) are built by nanolum and passed in, so both
programs simulate exactly the same model from the same random streams - the outputs are compared
as a check.

Usage: /usr/bin/python3 bench/transport-peer.py < params.json
stdin: {"runs": [{"name": str, "repeats": int, "config": {...kernel config...}}]}
stdout: {"numba": version, "threads": n, "runs": [{"name", "ms": median of repeats (excluding the
JIT warm-up call), "emitted", "survivors", "sumR2"}]}
"""
import json
import sys
import time

import numpy as np
import numba
from numba import njit, prange

CHUNK_WALKERS = 8192
STEP_MODE_THRESHOLD = 0.125
INV32 = 1.0 / 4294967296.0
M32 = 0xFFFFFFFF


@njit(cache=False, fastmath=False)
def run_chunk(c, d, N, walkers, bright_thr, trapped_thr, alias_prob, alias_index, alias_centre,
              dxT, dyT, dzT, nEvB, bStepThr, bGeomThr, bP, bLog, dStepThr, dGeomThr, dP, dLog,
              tStepThr, tGeomThr, tP, tLog, L, vacancy, half, streams,
              count, cB, cD, cT, s1, s2, s3, s4, r2a, r4a, hist, outside, init):
    """Walkers of chunk c, in the same order of draws as nanolum's kernel (structured loops)."""
    nx = 2 * half + 1 if half >= 0 else 0
    alias_n = alias_prob.shape[0]
    s0 = np.int64(streams[4 * c])
    sa = np.int64(streams[4 * c + 1])
    sb = np.int64(streams[4 * c + 2])
    sc = np.int64(streams[4 * c + 3])
    dThr = dStepThr[dStepThr.shape[0] - 1]
    tThr = tStepThr[tStepThr.shape[0] - 1]
    d_step = dP >= STEP_MODE_THRESHOLD
    t_step = tP >= STEP_MODE_THRESHOLD
    b_step0 = bP[0] >= STEP_MODE_THRESHOLD
    b_thr0 = bStepThr[nEvB - 1]
    b_log0 = bLog[0]
    survivors = 0
    w_end = min(walkers, (c + 1) * CHUNK_WALKERS)
    u = np.int64(0)
    for w in range(c * CHUNK_WALKERS, w_end):
        px = 0
        py = 0
        pz = 0
        site = 0
        while True:
            for a in range(d):
                m5 = (sa * 5) & M32
                u = (((((m5 << 7) | (m5 >> 25)) & M32) * 9) & M32)
                t9 = (sa << 9) & M32
                sb ^= s0
                sc ^= sa
                sa ^= sb
                s0 ^= sc
                sb ^= t9
                sc = ((sc << 11) | (sc >> 21)) & M32
                f = u * alias_n * INV32
                j = np.int64(np.floor(f))
                if f - j < alias_prob[j]:
                    v = j - alias_centre
                else:
                    v = alias_index[j] - alias_centre
                if a == 0:
                    px = v
                elif a == 1:
                    py = v
                else:
                    pz = v
            if L == 0:
                break
            site = (px % L) + L * ((py % L) + (L * (pz % L) if d == 3 else 0))
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
        m5 = (sa * 5) & M32
        u = (((((m5 << 7) | (m5 >> 25)) & M32) * 9) & M32)
        t9 = (sa << 9) & M32
        sb ^= s0
        sc ^= sa
        sa ^= sb
        s0 ^= sc
        sb ^= t9
        sc = ((sc << 11) | (sc >> 21)) & M32
        if u < bright_thr:
            state = 0
        elif u < trapped_thr:
            state = 2
        else:
            state = 1
        n = 0
        while True:
            base = 0
            if state == 0:
                n_ev = nEvB
                if L == 0:
                    step_mode = b_step0
                    Pthr = b_thr0
                    logq = b_log0
                else:
                    base = site * nEvB
                    step_mode = bP[site] >= STEP_MODE_THRESHOLD
                    Pthr = bStepThr[base + nEvB - 1]
                    logq = bLog[site]
                    if not (bP[site] > 0):
                        survivors += 1
                        break
                tab = 0
            elif state == 1:
                if not (dP > 0):
                    survivors += 1
                    break
                n_ev = 2
                step_mode = d_step
                Pthr = dThr
                logq = dLog
                tab = 1
            else:
                if not (tP > 0):
                    survivors += 1
                    break
                n_ev = 1
                step_mode = t_step
                Pthr = tThr
                logq = tLog
                tab = 2
            ev = 0
            if step_mode:
                while True:
                    m5 = (sa * 5) & M32
                    u = (((((m5 << 7) | (m5 >> 25)) & M32) * 9) & M32)
                    t9 = (sa << 9) & M32
                    sb ^= s0
                    sc ^= sa
                    sa ^= sb
                    s0 ^= sc
                    sb ^= t9
                    sc = ((sc << 11) | (sc >> 21)) & M32
                    if u < Pthr:
                        break
                    n += 1
                    if n >= N:
                        break
                if n >= N:
                    survivors += 1
                    break
                if tab == 0:
                    while u >= bStepThr[base + ev]:
                        ev += 1
                elif tab == 1:
                    while u >= dStepThr[ev]:
                        ev += 1
                else:
                    while u >= tStepThr[ev]:
                        ev += 1
            else:
                m5 = (sa * 5) & M32
                u = (((((m5 << 7) | (m5 >> 25)) & M32) * 9) & M32)
                t9 = (sa << 9) & M32
                sb ^= s0
                sc ^= sa
                sa ^= sb
                s0 ^= sc
                sb ^= t9
                sc = ((sc << 11) | (sc >> 21)) & M32
                n += np.int64(np.floor(np.log((u + 1) * INV32) / logq))
                if n >= N:
                    survivors += 1
                    break
                m5 = (sa * 5) & M32
                u = (((((m5 << 7) | (m5 >> 25)) & M32) * 9) & M32)
                t9 = (sa << 9) & M32
                sb ^= s0
                sc ^= sa
                sa ^= sb
                s0 ^= sc
                sb ^= t9
                sc = ((sc << 11) | (sc >> 21)) & M32
                last = n_ev - 1
                if tab == 0:
                    while ev < last and u >= bGeomThr[base + ev]:
                        ev += 1
                elif tab == 1:
                    while ev < last and u >= dGeomThr[ev]:
                        ev += 1
                else:
                    while ev < last and u >= tGeomThr[ev]:
                        ev += 1
            if ev == 0:
                count[n] += 1
                if state == 0:
                    cB[n] += 1
                elif state == 1:
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
                if d == 3:
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
                if nx > 0:
                    if px >= -half and px <= half:
                        hist[n * nx + px + half] += 1
                    else:
                        outside[n] += 1
                break
            if state == 0:
                if ev >= 3:
                    k = ev - 3
                    px += dxT[k]
                    py += dyT[k]
                    pz += dzT[k]
                    if L > 0:
                        site = (px % L) + L * ((py % L) + (L * (pz % L) if d == 3 else 0))
                elif ev == 1:
                    state = 1
                else:
                    state = 2
            else:
                state = 0
            n += 1
            if n >= N:
                survivors += 1
                break
    return survivors


@njit(parallel=True)
def simulate(d, N, walkers, bright_thr, trapped_thr, alias_prob, alias_index, alias_centre,
             dxT, dyT, dzT, nEvB, bStepThr, bGeomThr, bP, bLog, dStepThr, dGeomThr, dP, dLog,
             tStepThr, tGeomThr, tP, tLog, L, vacancy, half, streams):
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
                                    alias_centre, dxT, dyT, dzT, nEvB, bStepThr, bGeomThr, bP, bLog,
                                    dStepThr, dGeomThr, dP, dLog, tStepThr, tGeomThr, tP, tLog, L,
                                    vacancy, half, streams, count[slot], cB[slot], cD[slot], cT[slot],
                                    s1[slot], s2[slot], s3[slot], s4[slot], r2a[slot], r4a[slot],
                                    hist[slot], outside[slot], init[slot])
    return count.sum(axis=0), r2a.sum(axis=0), hist.sum(axis=0), surv.sum()


def args_from(cfg):
    f = lambda k: np.asarray(cfg[k], dtype=np.float64)
    i = lambda k: np.asarray(cfg[k], dtype=np.int64)
    return (
        int(cfg["dimension"]), int(cfg["steps"]), int(cfg["walkers"]), float(cfg["brightThr"]),
        float(cfg["trappedThr"]), f("aliasProb"), i("aliasIndex"), int(cfg["aliasCentre"]),
        i("dx"), i("dy"), i("dz"), int(cfg["nEvB"]), f("bStepThr"), f("bGeomThr"), f("bP"), f("bLog1mP"),
        f("dStepThr"), f("dGeomThr"), float(cfg["dP"]), float(cfg["dLog1mP"]),
        f("tStepThr"), f("tGeomThr"), float(cfg["tP"]), float(cfg["tLog1mP"]),
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
        count, r2, hist, surv = res
        out["runs"].append({
            "name": run["name"], "ms": best, "emitted": float(count.sum()), "survivors": int(surv),
            "sumR2": float(r2.sum()), "count": count.tolist(),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
