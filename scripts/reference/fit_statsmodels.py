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

at_optimum: statsmodels' standard errors (bse_fe, bse_re) evaluated at the best optimum, for every
case. statsmodels' optimizer may stop short of the optimum (dietox_rs_reml: its lbfgs refit is
3.8e-6 log-likelihood units below lme4's, its default fit 3 units); its SEs there are not the SEs
at the optimum, which are what an engine reaching the optimum must reproduce. The fitted covariance
parameters are polished by Newton steps on statsmodels' own profile log-likelihood (model.loglike
and the analytic model.score, in its use_sqrt parameterisation; the Hessian by central differences
of the score), then statsmodels' own post-processing of MixedLM.fit is applied at the polished
point (get_fe_params, get_scale, model.hessian, inv(-hessian), MixedLMResults). The record holds
the llf there (compared with lme4's: llf_minus_lme4 is within 1e-6 when both reach the optimum) and
check_at_fit, the largest relative difference between that post-processing at the fit's own
parameters and the fit's bse_fe/bse_re (zero up to rounding: the reproduction is faithful).

    /usr/bin/python3 scripts/reference/fit_statsmodels.py --at-optimum-only [CASE ...] [--cases FILE]

adds (or replaces) only the at_optimum field of existing result files, starting from their stored
params, without refitting: for the dietox cases copied from /work/shared/reference, use
--cases test/fixtures/cases.json.
"""
import argparse
import json
import math
import os
import platform
import re
import statistics
import time
import traceback
import warnings

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.formula.api as smf
from statsmodels.regression.mixed_linear_model import MixedLMParams, MixedLMResults

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


def _prepare(model, reml):
    """The state MixedLM.fit sets before evaluating the likelihood (no penalties, no fixed parameters)."""
    model.reml = reml
    model.cov_pen = None
    model.fe_pen = None
    model._freepat = None
    model._cov_sing = 0


def results_at(model, packed_sqrt, reml):
    """MixedLM.fit's post-processing (statsmodels 0.13.5) at packed covariance parameters (use_sqrt, no fe):
    GLS fixed effects, the profiled scale, the analytic Hessian, its inverse, and a MixedLMResults."""
    _prepare(model, reml)
    params = MixedLMParams.from_packed(packed_sqrt, model.k_fe, model.k_re, use_sqrt=model.use_sqrt, has_fe=False)
    cov_re_unscaled = params.cov_re
    vcomp_unscaled = params.vcomp
    fe_params, _ = model.get_fe_params(cov_re_unscaled, vcomp_unscaled)
    params.fe_params = fe_params
    scale = model.get_scale(fe_params, cov_re_unscaled, vcomp_unscaled)
    hess, _ = model.hessian(params)
    pcov = np.linalg.inv(-hess)
    res = MixedLMResults(model, params.get_packed(use_sqrt=False, has_fe=True), pcov / scale)
    res.params_object = params
    res.fe_params = fe_params
    res.cov_re = scale * cov_re_unscaled
    res.vcomp = scale * vcomp_unscaled
    res.scale = scale
    res.cov_re_unscaled = cov_re_unscaled
    res.method = "REML" if reml else "ML"
    res.reml = reml
    res.cov_pen = None
    res.k_fe, res.k_re, res.k_re2, res.k_vc = model.k_fe, model.k_re, model.k_re2, model.k_vc
    res.use_sqrt = model.use_sqrt
    res.freepat = None
    return res


def polish(model, x, reml, max_iter=30):
    """Newton steps on statsmodels' profile log-likelihood from packed parameters x (use_sqrt, no fe):
    the analytic score, its Jacobian by central differences, a step halved until the llf does not drop.
    Returns the best point, its llf and its largest |score|."""
    _prepare(model, reml)

    def f(z):  # -inf where statsmodels cannot evaluate (a variance below its 1e-10 and a singular system)
        try:
            return model.loglike(z, profile_fe=True)
        except np.linalg.LinAlgError:
            return -np.inf

    g = lambda z: model.score(z, profile_fe=True)
    x = np.array(x, dtype=float)
    fx = f(x)
    gx = g(x)
    for _ in range(max_iter):
        if np.max(np.abs(gx)) < 1e-9:
            break
        k = len(x)
        H = np.zeros((k, k))
        try:
            for j in range(k):
                h = 1e-6 * max(1.0, abs(x[j]))
                e = np.zeros(k)
                e[j] = h
                H[:, j] = (g(x + e) - g(x - e)) / (2 * h)
        except np.linalg.LinAlgError:
            break
        H = (H + H.T) / 2
        # an ascent direction even where the Hessian is not negative definite: |eigenvalues|
        try:
            lam, V = np.linalg.eigh(H)
        except np.linalg.LinAlgError:
            break
        lam = -np.maximum(np.abs(lam), 1e-8 * max(1.0, np.max(np.abs(lam))))
        step = -V @ ((V.T @ gx) / lam)
        t = 1.0
        while t > 1e-6:
            xn = x + t * step
            fn = f(xn)
            if np.isfinite(fn) and fn >= fx:
                break
            t /= 2
        else:
            break
        try:
            gn = g(xn)
        except np.linalg.LinAlgError:
            break
        if fn - fx < 1e-13 and np.max(np.abs(gn)) >= np.max(np.abs(gx)):
            break
        x, fx, gx = xn, fn, gn
    return x, fx, float(np.max(np.abs(gx))) if len(gx) else 0.0


def canonical(name):
    """A name patsy's and R's coefficient names both map to (as test/helpers.ts canonicalName):
    "C(Cu)[T.Cu035]" and "factor(Cu)Cu035" become "Cu=Cu035"; interaction parts sorted."""
    if name in ("(Intercept)", "Intercept"):
        return "Intercept"
    parts = []
    for part in name.split(":"):
        m = re.match(r"^(?:C|factor)\(([^,)]+)(?:,[^)]*\))?\)\[(?:T\.)?(.+)\]$", part)
        if m:
            parts.append("%s=%s" % (m.group(1).strip(), m.group(2)))
            continue
        m = re.match(r"^factor\(([^)]+)\)(.+)$", part)
        if m:
            parts.append("%s=%s" % (m.group(1), m.group(2)))
            continue
        parts.append(re.sub(r"\s+", "", part).replace("**", "^"))
    return ":".join(sorted(parts))


def start_from_lme4(case, model, gcol):
    """lme4's optimum (test/fixtures/reference/<case>.lme4.json) in statsmodels' packed parameters
    (use_sqrt, no fe): cov_re by effect names, each variance component through the case's vc_map
    (default factor "<groups>:<name>", intercept), all divided by lme4's scale. None when a
    parameter has no counterpart."""
    path = os.path.join(OUT, case["name"] + ".lme4.json")
    if not os.path.exists(path) or case.get("compare", True) is False:
        return None
    with open(path) as f:
        lm = json.load(f)
    if lm.get("status", "ok") != "ok" or not isinstance(lm.get("cov_re"), dict):
        return None
    scale = lm["scale"]
    # lme4 variances and covariances keyed (factor, canonical effect names)
    var = {}
    for key, v in lm["cov_re"].items():
        factor = re.sub(r"\.\d+$", "", key)
        names = [canonical(n) for n in v["names"]]
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                var[(factor, a, b)] = v["matrix"][i][j]
    groups = case["statsmodels"]["groups"]
    factor = ":".join(groups) if isinstance(groups, list) else gcol

    def effect(n):
        return "Intercept" if n == gcol else canonical(n)

    k_re = model.k_re
    cov_re = np.zeros((k_re, k_re))
    names = [effect(n) for n in model.data.exog_re_names] if k_re > 0 else []
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            v = var.get((factor, a, b), 0.0 if i != j else None)
            if v is None:
                return None
            cov_re[i, j] = v
    vcomp = []
    vc_map = case.get("vc_map") or {}
    for n in (model.exog_vc.names if model.k_vc > 0 else []):
        m = vc_map.get(n) or {}
        f = m.get("factor", "%s:%s" % (factor, n))
        t = canonical(m.get("term", "(Intercept)"))
        v = var.get((f, t, t))
        if v is None:
            return None
        vcomp.append(v)
    # statsmodels cannot evaluate at a variance of exactly zero (it inverts them), where lme4 may stop
    # (a singular fit): start those at 1e-6 of the scale, from where the polish goes on towards zero
    cov_re = cov_re / scale + 1e-6 * np.diag(np.diag(cov_re) <= 1e-6 * scale)
    vcomp = np.maximum(np.asarray(vcomp, dtype=float) / scale, 1e-6)
    try:
        params = MixedLMParams.from_components(np.zeros(model.k_fe), cov_re=cov_re, vcomp=vcomp)
    except np.linalg.LinAlgError:  # a correlation of ±1 has no Cholesky factor
        return None
    return params.get_packed(use_sqrt=model.use_sqrt, has_fe=False)


def at_optimum(model, packed_sqrt, reml, fit_bse_fe, fit_bse_re, lme4_llf, lme4_start=None):
    """statsmodels' SEs at the best optimum (see the module docstring): the record stored as at_optimum.
    Polished from statsmodels' own fit and, when given, from lme4's optimum; the better point is kept."""
    packed_sqrt = np.asarray(packed_sqrt, dtype=float)
    at_fit = results_at(model, packed_sqrt, reml)
    fit_llf = float(at_fit.llf)
    # SEs statsmodels could not compute are null in the files (NaN here) and left out of the check
    check = []
    for ours, theirs in ((at_fit.bse_fe, fit_bse_fe), (at_fit.bse_re, fit_bse_re)):
        if theirs is None:
            continue
        theirs = np.array(theirs, dtype=float)
        rel = np.abs(np.asarray(ours, dtype=float) - theirs) / np.abs(theirs)
        if np.any(np.isfinite(rel)):
            check.append(np.nanmax(rel))
    _prepare(model, reml)
    fit_score = float(np.max(np.abs(model.score(packed_sqrt, profile_fe=True)))) if len(packed_sqrt) else 0.0
    # candidates: (llf, start, results, largest |score|); the fit's own point first, so the polish never loses
    candidates = [(fit_llf, "statsmodels' fit (not polished)", at_fit, fit_score)]
    starts = [("statsmodels' fit", packed_sqrt)]
    if lme4_start is not None:
        starts.append(("lme4's optimum", np.asarray(lme4_start, dtype=float)))
    for name, x0 in starts:
        try:  # e.g. a variance at exactly zero from lme4 leaves statsmodels' Hessian singular
            x, _, score = polish(model, x0, reml)
            r = results_at(model, x, reml)
            candidates.append((float(r.llf), name, r, score))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            pass
    llf, start, best, score_max = max(candidates, key=lambda c: c[0])
    k_fe = model.k_fe
    out = {
        "_doc": ("statsmodels' bse_fe and bse_re evaluated at the best optimum: the fitted covariance parameters "
                 "polished by Newton steps on statsmodels' profile log-likelihood, then MixedLM.fit's own "
                 "post-processing (model.hessian, inv(-hessian)); see scripts/reference/fit_statsmodels.py"),
        "start": start,
        "llf": float(best.llf),
        "llf_gain": float(best.llf) - fit_llf,
        "lme4_llf": lme4_llf,
        "llf_minus_lme4": (float(best.llf) - lme4_llf) if lme4_llf is not None else None,
        "score_max": score_max,
        "check_at_fit": float(max(check)) if check else None,
        "fe_names": list(model.exog_names),
        "fe_params": np.asarray(best.fe_params),
        "bse_fe": np.asarray(best.bse_fe),
        "bse_re": {"names": list(model.data.param_names[k_fe:]), "values": np.asarray(best.bse_re)},
        "cov_re": np.asarray(best.cov_re),
        "vcomp": np.asarray(best.vcomp),
        "scale": float(best.scale),
    }
    return jsonable(out)


def lme4_llf_of(case_name):
    path = os.path.join(OUT, case_name + ".lme4.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        d = json.load(f)
    return d.get("llf") if d.get("status", "ok") == "ok" else None


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
    out["at_optimum"] = attempt(
        lambda: at_optimum(model, res.params_object.get_packed(use_sqrt=model.use_sqrt, has_fe=False), spec["reml"],
                           np.asarray(res.bse_fe), np.asarray(res._results.bse_re), lme4_llf_of(case["name"]),
                           start_from_lme4(case, model, gcol)),
        errors, "at_optimum")
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


def add_at_optimum(case):
    """--at-optimum-only: the at_optimum field of an existing result file, from its stored params (no refit)."""
    path = os.path.join(OUT, case["name"] + ".statsmodels.json")
    with open(path) as f:
        out = json.load(f)
    if out.get("status") != "ok":
        return out, "skipped (status %s)" % out.get("status")
    spec = case["statsmodels"]
    df, gcol = read_case_data(case)
    model = build(df, gcol, spec)
    # the stored params: fe, then the lower triangle of cov_re / scale, then vcomp / scale (use_sqrt=False)
    params = MixedLMParams.from_packed(np.asarray(out["params"], dtype=float), model.k_fe, model.k_re,
                                       use_sqrt=False, has_fe=True)
    packed = params.get_packed(use_sqrt=model.use_sqrt, has_fe=False)
    bse_re = out.get("bse_re") or {}
    out["at_optimum"] = at_optimum(model, packed, spec["reml"], out["bse_fe"], bse_re.get("values"),
                                   lme4_llf_of(case["name"]), start_from_lme4(case, model, gcol))
    return out, "ok"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--at-optimum-only", action="store_true",
                    help="only add the at_optimum field to existing result files (no refit)")
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
    if a.at_optimum_only:
        for case in cases:
            if case.get("statsmodels") is None:
                continue
            out, what = add_at_optimum(case)
            if what == "ok":
                with open(os.path.join(OUT, case["name"] + ".statsmodels.json"), "w") as f:
                    json.dump(out, f, indent=1, allow_nan=False)
            report_at_optimum(case["name"], out.get("at_optimum"), what)
        return
    for case in cases:
        out = describe(case, a.repeats)
        out["env"] = env
        with open(os.path.join(OUT, case["name"] + ".statsmodels.json"), "w") as f:
            json.dump(out, f, indent=1, allow_nan=False)
        print("%-24s status=%s converged=%s llf=%s strategy=%s warnings=%s" % (
            case["name"], out.get("status"), out.get("converged"), out.get("llf"), out.get("fit_strategy"),
            out.get("warnings")), flush=True)
        if out.get("status") == "ok":
            report_at_optimum(case["name"], out.get("at_optimum"), "ok")


def report_at_optimum(name, ao, what):
    if not ao:
        print("%-24s at_optimum: %s" % (name, what), flush=True)
        return
    d = ao.get("llf_minus_lme4")
    flag = ("" if d is None or abs(d) <= 1e-6 else "  (lme4 stops short of this optimum)" if d > 0
            else "  <-- below lme4's optimum by more than 1e-6: not the optimum (or not the same model)")
    print("%-24s at_optimum: llf=%.10f gain=%.2e llf-lme4=%s |score|=%.1e check_at_fit=%.1e%s" % (
        name, ao["llf"], ao["llf_gain"], "n/a" if d is None else "%.2e" % d, ao["score_max"],
        ao["check_at_fit"] if ao["check_at_fit"] is not None else float("nan"), flag), flush=True)


if __name__ == "__main__":
    main()
