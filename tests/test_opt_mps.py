"""The LP written to MPS, parsed here and solved by scipy, gives the same optimum.

What is independent: the MPS file is the one ``czt run plan`` keeps
(``PathLP.write_mps``: HiGHS' writer of the LP as loaded for the path), parsed by the
small reader below (not by HiGHS), and solved with ``scipy.optimize.linprog``.
What is not: scipy's ``method="highs"`` is HiGHS too, so the solver is the
same family; to compensate, our own optimal point is also checked for primal
feasibility against the parsed arrays with numpy, and the highspy reader is
used as a second parser.
"""
from collections import OrderedDict

import re

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from model.opt.params import Target
from model.scenario import load_scenario


def read_free_mps(path):
    """Minimal free-MPS reader: ROWS (N/E/L/G), COLUMNS, RHS, BOUNDS; no RANGES, no integers."""
    rows, obj_row, sense = OrderedDict(), None, 1.0
    cols, entries, rhs, bounds = OrderedDict(), [], {}, {}
    section = None
    obj_const = 0.0
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    for raw in lines:
        if not raw.strip() or raw.startswith("*"):
            continue
        tok = raw.split()
        if not raw[0].isspace():
            section = tok[0]
            if section == "RANGES":
                raise ValueError("RANGES not supported")
            continue
        if section == "OBJSENSE":
            sense = -1.0 if tok[0].upper() in ("MAX", "MAXIMIZE") else 1.0
        elif section == "ROWS":
            if tok[0] == "N":
                obj_row = obj_row or tok[1]
            else:
                rows[tok[1]] = tok[0]
        elif section == "COLUMNS":
            if "MARKER" in tok:
                raise ValueError("integer markers not supported")
            j = cols.setdefault(tok[0], len(cols))
            for r, v in zip(tok[1::2], tok[2::2]):
                entries.append((r, j, float(v)))
        elif section == "RHS":
            for r, v in zip(tok[1::2], tok[2::2]):
                if r == obj_row:
                    obj_const = -float(v)
                else:
                    rhs[r] = float(v)
        elif section == "BOUNDS":
            kind, name = tok[0], tok[2]
            lo, up = bounds.get(name, (0.0, np.inf))
            val = float(tok[3]) if len(tok) > 3 else None
            if kind == "UP":
                up = val
            elif kind == "LO":
                lo = val
            elif kind == "FX":
                lo = up = val
            elif kind == "FR":
                lo, up = -np.inf, np.inf
            elif kind == "MI":
                lo = -np.inf
            elif kind == "PL":
                up = np.inf
            else:
                raise ValueError(f"bound type {kind}")
            bounds[name] = (lo, up)
    ridx = {r: i for i, r in enumerate(rows)}
    n = len(cols)
    c = np.zeros(n)
    I, J, V = [], [], []
    for r, j, v in entries:
        if r == obj_row:
            c[j] += v
        else:
            I.append(ridx[r]); J.append(j); V.append(v)
    A = coo_matrix((V, (I, J)), shape=(len(rows), n)).tocsr()
    b = np.array([rhs.get(r, 0.0) for r in rows])
    types = np.array(list(rows.values()))
    bnds = [bounds.get(name, (0.0, np.inf)) for name in cols]
    return dict(c=c, A=A, b=b, types=types, bounds=bnds, sense=sense, cols=list(cols), obj_const=obj_const)


def solve_with_scipy(lp):
    A, b, t = lp["A"], lp["b"], lp["types"]
    L, G, E = t == "L", t == "G", t == "E"
    from scipy.sparse import vstack
    A_ub = vstack([A[L], -A[G]]) if (L.any() or G.any()) else None
    b_ub = np.concatenate([b[L], -b[G]]) if A_ub is not None else None
    res = linprog(lp["sense"] * lp["c"], A_ub=A_ub, b_ub=b_ub, A_eq=A[E] if E.any() else None,
                  b_eq=b[E] if E.any() else None,
                  bounds=[(lo, None if np.isinf(up) else up) for lo, up in lp["bounds"]], method="highs")
    assert res.status == 0, res.message
    return lp["sense"] * res.fun + lp["obj_const"], res.x


def primal_violation(lp, x):
    A, b, t = lp["A"], lp["b"], lp["types"]
    ax = A @ x
    viol = np.concatenate([np.maximum(ax[t == "L"] - b[t == "L"], 0), np.maximum(b[t == "G"] - ax[t == "G"], 0),
                           np.abs(ax[t == "E"] - b[t == "E"])])
    lo = np.array([l for l, _ in lp["bounds"]]); up = np.array([u for _, u in lp["bounds"]])
    viol = np.concatenate([viol, np.maximum(lo - x, 0), np.maximum(x - up, 0)])
    return float(viol.max(initial=0.0))


def _models():
    from model.opt.pathlp import PathLP, path_from_state
    from model.opt.structural import calibrate_structural
    from model.opt.toy import toy_path, toy_structural
    from opt_fixtures import synthetic_state

    toy = PathLP(toy_structural(targets=(Target("ei", "energy_intensity", 1, 45.0), Target("g", "gdp_level", 1, 25.0))))
    toy_sol = toy.solve(toy_path())
    state = synthetic_state()
    sp = calibrate_structural(load_scenario("plan"), state)
    cal = PathLP(sp)
    cal_sol = cal.solve(path_from_state(state, sp.years))
    return {"toy": (toy, toy_sol), "calibrated16": (cal, cal_sol)}


@pytest.fixture(scope="module")
def models():
    return _models()


@pytest.mark.parametrize("name", ["toy", "calibrated16"])
def test_mps_resolve_with_scipy_matches(models, name, tmp_path):
    lp, sol = models[name]
    lp.solve(lp._path)                       # the LP as solved (the fixture's order of solves)
    path = tmp_path / "model.mps"
    lp.write_mps(path)
    mps = read_free_mps(path)
    obj, x = solve_with_scipy(mps)
    assert obj == pytest.approx(sol.objective, rel=1e-7, abs=1e-6)
    # our optimum is feasible for the parsed LP and attains the same objective
    xs = lp.values()[[int(c[1:]) for c in mps["cols"]]] if all(re.fullmatch(r"c\d+", c) for c in mps["cols"]) \
        else lp.values()
    scale = max(1.0, float(np.abs(mps["b"]).max()))
    assert primal_violation(mps, xs) <= 1e-6 * scale
    assert float(mps["c"] @ xs) + mps["obj_const"] == pytest.approx(sol.objective, rel=1e-7)


def test_mps_read_by_highspy_gives_same_objective(models, tmp_path):
    import highspy
    lp, sol = models["calibrated16"]
    path = tmp_path / "model.mps"
    lp.write_mps(path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert h.getInfo().objective_function_value == pytest.approx(sol.objective, rel=1e-7)
