#!/usr/bin/python3
"""Reference fits from statsmodels MixedLM for the cases in scripts/reference/cases.json.

    /usr/bin/python3 scripts/reference/fit_statsmodels.py [CASE ...] [--cases FILE] [--repeats N]

Writes test/fixtures/reference/<case>.statsmodels.json (the fields the shared reference files
carry; see /work/shared/reference/README.md). Run with Debian's /usr/bin/python3
(statsmodels 0.13.5); a pyenv python on PATH lacks statsmodels.

Optimizer: statsmodels' default (method=None: bfgs, then lbfgs, then cg). When that reports
non-convergence the case is refitted with method=case.get("fallback_method", ["lbfgs"]) and the
failed attempt is stored under "default_fit". A spec with "missing": "drop" drops rows with a
missing value in a column the model uses (listwise, what the engine does). It is not passed
otherwise: statsmodels' missing="drop" cannot resolve Q("name") columns.
Timing: median of N (default 3) runs of model construction + fit.
"""
import argparse
import json
import math
import os
import platform
import statistics
import time
import traceback
import warnings

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.formula.api as smf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "test", "fixtures", "data")
OUT = os.path.join(ROOT, "test", "fixtures", "reference")


def jsonable(x):
    """numpy / pandas values to plain JSON values; non-finite numbers become null."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (np.ndarray, pd.Series)):
        return jsonable(np.asarray(x).tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    return x


def key_of(v):
    """A group label as a JSON key: 308.0 -> '308'."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def read_case_data(case):
    df = pd.read_csv(os.path.join(DATA, os.path.basename(case["data"])))
    groups = case["statsmodels"]["groups"]
    if groups == "__all__":
        df["__all__"] = 1
        return df, "__all__"
    if isinstance(groups, list):
        col = ":".join(groups)
        df[col] = df[groups].astype(str).agg(":".join, axis=1)
        return df, col
    return df, groups


def build(df, gcol, spec):
    kw = {}
    if spec.get("missing") is not None:  # e.g. "drop" for data with missing values
        kw["missing"] = spec["missing"]
    if spec.get("re_formula") is not None:
        kw["re_formula"] = spec["re_formula"]
    if spec.get("vc_formula") is not None:
        kw["vc_formula"] = spec["vc_formula"]
    return smf.mixedlm(spec["formula"], df, groups=gcol, **kw)


def fit(df, gcol, spec, method, repeats):
    """Fit `repeats` times; return the first model/results, its warnings and the timings."""
    runs = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        model = build(df, gcol, spec)
        t1 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = model.fit(reml=spec["reml"], method=method)
        t2 = time.perf_counter()
        runs.append((model, res, ["%s: %s" % (w.category.__name__, w.message) for w in caught], t2 - t0, t2 - t1))
    model, res, msgs = runs[0][:3]
    return model, res, msgs, [r[3] for r in runs], [r[4] for r in runs]


def attempt(fn, errors, key):
    try:
        return fn()
    except Exception as e:  # keep going; record what failed
        errors[key] = "%s: %s" % (type(e).__name__, e)
        return None


def describe(case, repeats):
    spec = case["statsmodels"]
    out = {"case": case["name"], "engine": "statsmodels", "engine_version": statsmodels.__version__,
           "spec": spec, "compare": case.get("compare", True)}
    if spec is None:
        out["status"] = "not_expressible"
        return out
    df, gcol = read_case_data(case)
    try:
        model, res, msgs, times, fit_times = fit(df, gcol, spec, None, repeats)
        out["fit_strategy"] = "default (method=None: bfgs -> lbfgs -> cg)"
        if not res.converged:
            fallback = case.get("fallback_method", ["lbfgs"])
            out["default_fit"] = {
                "method": "default (bfgs -> lbfgs -> cg)", "converged": False, "warnings": msgs,
                "fe_names": list(res.fe_params.index), "fe_params": res.fe_params.values,
                "cov_re": np.asarray(res.cov_re), "vcomp": np.asarray(res.vcomp), "scale": res.scale,
                "llf": res.llf, "fit_seconds": statistics.median(times), "fit_seconds_all": times}
            model, res, msgs, times, fit_times = fit(df, gcol, spec, fallback, repeats)
            out["fit_strategy"] = ("default optimizer did not converge (see default_fit); refitted with method=%s"
                                   % fallback)
    except Exception as e:
        out.update(status="error", error="%s: %s" % (type(e).__name__, e), traceback=traceback.format_exc())
        return jsonable(out)

    errors = {}
    k_fe = len(res.fe_params)
    out.update(status="ok", warnings=msgs, converged=bool(res.converged), method=res.method, groups_column=gcol)
    out["fe_names"] = list(res.fe_params.index)
    out["fe_params"] = res.fe_params.values
    out["bse_fe"] = attempt(lambda: res.bse_fe.values, errors, "bse_fe")
    out["tvalues"] = attempt(lambda: (res.fe_params / res.bse_fe).values, errors, "tvalues")
    out["tvalues_kind"] = "z"
    out["pvalues"] = attempt(lambda: np.asarray(res.pvalues)[:k_fe], errors, "pvalues")
    out["conf_int"] = attempt(lambda: np.asarray(res.conf_int(alpha=0.05))[:k_fe], errors, "conf_int")
    out["cov_re"] = {"names": list(model.data.exog_re_names), "matrix": np.asarray(res.cov_re)}
    out["cov_re_unscaled"] = np.asarray(res.cov_re_unscaled)
    out["vcomp"] = {"names": list(model.exog_vc.names) if model.k_vc > 0 else [], "values": np.asarray(res.vcomp)}
    out["scale"] = res.scale
    out["sigma"] = math.sqrt(res.scale)
    out["llf"] = res.llf
    out["llf_kind"] = "REML" if spec["reml"] else "ML"
    out["aic"] = res.aic
    out["bic"] = res.bic
    out["aic_bic_note"] = ("statsmodels returns nan for aic/bic of REML fits (recorded as null)"
                           if spec["reml"] else "df = len(params) + 1")
    out["param_names"] = list(res.model.data.param_names)
    out["params"] = np.asarray(res.params)
    out["bse"] = attempt(lambda: np.asarray(res.bse), errors, "bse")
    out["cov_params"] = attempt(lambda: np.asarray(res.cov_params()), errors, "cov_params")
    # The summary's Std.Err. for the variance rows, sqrt(scale * diag(cov_params())[k_fe:]). Taken from
    # the unwrapped results: the wrapper's bse_re raises in 0.13.5 when there are variance components.
    out["bse_re"] = attempt(lambda: {"names": list(res.model.data.param_names[k_fe:]),
                                     "values": np.asarray(res._results.bse_re)}, errors, "bse_re")
    try:
        res.bse_re
        out["bse_re_wrapper_error"] = None
    except Exception as e:
        out["bse_re_wrapper_error"] = "%s: %s" % (type(e).__name__, e)
    out["random_effects"] = attempt(
        lambda: {key_of(g): {str(n): float(v) for n, v in eff.items()} for g, eff in res.random_effects.items()},
        errors, "random_effects")
    sizes = np.array([len(y) for y in model.endog_li])
    out["n_obs"] = int(model.n_totobs)
    out["n_dropped"] = int(len(df) - model.n_totobs)
    out["n_groups"] = {gcol: int(model.n_groups)}
    out["group_size"] = {gcol: {"min": int(sizes.min()), "max": int(sizes.max()), "mean": float(sizes.mean())}}
    out["summary"] = attempt(lambda: str(res.summary()), errors, "summary")
    out["fit_seconds"] = statistics.median(times)
    out["fit_only_seconds"] = statistics.median(fit_times)
    out["fit_seconds_all"] = times
    out["fit_only_seconds_all"] = fit_times
    out["timing_note"] = ("fit_seconds: smf.mixedlm(...) construction + .fit(); fit_only_seconds: .fit() only; "
                          "median of %d run(s)" % len(times))
    if errors:
        out["errors"] = errors
    return jsonable(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    with open(a.cases) as f:
        cases = json.load(f)["cases"]
    if a.names:
        missing = sorted(set(a.names) - {c["name"] for c in cases})
        if missing:
            raise SystemExit("unknown case(s): %s" % missing)
        cases = [c for c in cases if c["name"] in a.names]
    env = {"python": platform.python_version(), "statsmodels": statsmodels.__version__, "numpy": np.__version__,
           "scipy": scipy.__version__, "pandas": pd.__version__, "machine": platform.machine(),
           "cpus": os.cpu_count()}
    os.makedirs(OUT, exist_ok=True)
    for case in cases:
        out = describe(case, a.repeats)
        out["env"] = env
        with open(os.path.join(OUT, case["name"] + ".statsmodels.json"), "w") as f:
            json.dump(out, f, indent=1, allow_nan=False)
        print("%-24s status=%s converged=%s llf=%s strategy=%s warnings=%s" % (
            case["name"], out.get("status"), out.get("converged"), out.get("llf"), out.get("fit_strategy"),
            out.get("warnings")), flush=True)


if __name__ == "__main__":
    main()
