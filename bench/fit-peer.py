"""Python peer for the NIST StRD fit benchmark: scipy.optimize.least_squares(method='lm') and lmfit.

Reads the same NIST files as nanolum, fits every problem from both starting points with default
settings, and prints JSON with the median time per fit (ms) and the log relative error reached.
Usage: /usr/bin/python3 bench/fit-peer.py NIST_DIR [REPEATS]
"""
import json
import math
import os
import re
import sys
import time
import warnings

import numpy as np
from scipy.optimize import least_squares
import lmfit

warnings.filterwarnings("ignore")


def parse_nist(path):
    lines = open(path).read().splitlines()
    starts1, starts2, cert, names = [], [], [], []
    model_lines = []
    in_model = False
    data_start = None
    for i, line in enumerate(lines):
        m = re.match(r"\s*(b\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", line)
        if m:
            names.append(m.group(1))
            starts1.append(float(m.group(2)))
            starts2.append(float(m.group(3)))
            cert.append(float(m.group(4)))
        if line.startswith("Model:"):
            in_model = True
            continue
        if in_model:
            if "Starting" in line or "Starting values" in line:
                in_model = False
            elif "=" in line or line.strip().startswith("+") or line.strip().startswith("("):
                model_lines.append(line.strip())
        if re.match(r"^Data:\s+y", line):
            data_start = i + 1
    rows = [list(map(float, l.split())) for l in lines[data_start:] if l.strip()]
    data = np.array(rows)
    return names, np.array(starts1), np.array(starts2), np.array(cert), data, model_lines


def model_expr(name, model_lines):
    text = " ".join(l for l in model_lines if not l.startswith("pi ="))
    text = text.replace("[", "(").replace("]", ")")
    lhs, rhs = text.split("=", 1)
    rhs = re.sub(r"\+\s*e\s*$", "", rhs.strip())
    rhs = rhs.replace("arctan", "np.arctan").replace("exp(", "np.exp(").replace("cos(", "np.cos(").replace("sin(", "np.sin(")
    rhs = rhs.replace("pi", "np.pi")
    return lhs.strip(), rhs


def main():
    nist_dir = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    out = []
    for fn in sorted(os.listdir(nist_dir)):
        if not fn.endswith(".dat"):
            continue
        name = fn[:-4]
        names, s1, s2, cert, data, model_lines = parse_nist(os.path.join(nist_dir, fn))
        lhs, rhs = model_expr(name, model_lines)
        y = data[:, 0]
        if lhs.startswith("log"):
            y = np.log(y)
        if data.shape[1] == 3:
            x1, x2 = data[:, 1], data[:, 2]
            env = {"np": np, "x1": x1, "x2": x2}
        else:
            env = {"np": np, "x": data[:, 1]}
        code = compile(rhs, name, "eval")

        def f(b, env=env, code=code, names=names):
            local = dict(env)
            for k, v in zip(names, b):
                local[k] = v
            return eval(code, {}, local)

        def resid(b):
            return f(b) - y

        for si, start in ((1, s1), (2, s2)):
            # scipy least_squares lm
            times = []
            for r in range(repeats):
                t0 = time.perf_counter()
                res = least_squares(resid, start, method="lm")
                times.append(time.perf_counter() - t0)
            lre = min(-math.log10(max(abs(a - c) / abs(c), 1e-16)) if c != 0 else 0 for a, c in zip(res.x, cert))
            # lmfit (leastsq)
            params = lmfit.Parameters()
            for k, v in zip(names, start):
                params.add(k, value=v)

            def lres(p):
                return resid([p[k].value for k in names])

            ltimes = []
            llre = None
            try:
                for r in range(max(3, repeats // 4)):
                    t0 = time.perf_counter()
                    lr = lmfit.minimize(lres, params)
                    ltimes.append(time.perf_counter() - t0)
                llre = min(-math.log10(max(abs(lr.params[k].value - c) / abs(c), 1e-16)) for k, c in zip(names, cert))
            except ValueError:  # lmfit stops on NaN from the model
                ltimes = [float("nan")]  # reported as null
            out.append({
                "problem": name, "start": si,
                "scipyMs": float(np.median(times) * 1e3), "scipyLre": lre, "scipyStatus": int(res.status),
                "lmfitMs": None if llre is None else float(np.median(ltimes) * 1e3), "lmfitLre": llre,
            })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
