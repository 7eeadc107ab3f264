"""The LP written to MPS, parsed here and solved by scipy, gives the same optimum.

What is independent: the MPS file is written by Pyomo's MPS writer (the solve
path uses Pyomo's standard-form compiler → highspy instead), parsed by the
small reader below (not by HiGHS), and solved with ``scipy.optimize.linprog``.
What is not: scipy's ``method="highs"`` is HiGHS too, so the solver is the
same family; to compensate, our own optimal point is also checked for primal
feasibility against the parsed arrays with numpy, and the highspy reader is
used as a second parser.
"""
from collections import OrderedDict

import numpy as np
import pyomo.environ as pyo
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from model.opt.calibrate import params_from_accounts, vendored_accounts
from model.opt.outputs import write_mps
from model.opt.params import Target
from model.opt.solve import solve_params
from model.opt.toy import toy_params
from model.scenario import load_scenario
from opt_fixtures import GDP_REAL_PATH

STATE = dict(year=2024, gdp_nominal=22128.3, energy_intensity_index=85.0, hightech_va=8300.0,
             gdp_real_ratio_2019=1.28, gdp_real_path=GDP_REAL_PATH)


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


def _pyomo_point(symbols, lp):
    # map MPS column names (the writer's symbol map) back to the model's optimal values
    return np.array([pyo.value(symbols[name]) for name in lp["cols"]])


def _models():
    sc = load_scenario("plan")
    toy = solve_params(toy_params((Target("ei", "energy_intensity", 1, 50.0), Target("g", "gdp_level", 1, 25.0))))
    cal = solve_params(params_from_accounts(vendored_accounts("cluster"), STATE, sc.optimisation))
    return {"toy": toy, "calibrated16": cal}


@pytest.fixture(scope="module")
def models():
    return _models()


@pytest.mark.parametrize("name", ["toy", "calibrated16"])
def test_mps_resolve_with_scipy_matches(models, name, tmp_path):
    out = models[name]
    path = tmp_path / "model.mps"
    symbols = write_mps(out.model, path)
    lp = read_free_mps(path)
    obj, x = solve_with_scipy(lp)
    assert obj == pytest.approx(out.info["objective"], rel=1e-7, abs=1e-6)
    # our optimum is feasible for the parsed LP and attains the same objective
    xs = _pyomo_point(symbols, lp)
    scale = max(1.0, float(np.abs(lp["b"]).max()))
    assert primal_violation(lp, xs) <= 1e-6 * scale
    assert float(lp["c"] @ xs) + lp["obj_const"] == pytest.approx(out.info["objective"], rel=1e-7)


def test_mps_read_by_highspy_gives_same_objective(models, tmp_path):
    import highspy
    out = models["calibrated16"]
    path = tmp_path / "model.mps"
    write_mps(out.model, path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert h.getInfo().objective_function_value == pytest.approx(out.info["objective"], rel=1e-7)
