"""Times statsmodels MixedLM on one model, for bench/bench.ts (run with a Python that has statsmodels).

Usage: python3 statsmodels_fit.py DATA.csv SPEC_JSON REPEATS
SPEC_JSON: {"formula", "groups", "re_formula", "vc_formula", "reml"}.
Prints one JSON object: readMs, fitMs (one per repeat, the first in a fresh interpreter), llf,
converged, peakRssMB (of this whole process).
"""
import json
import resource
import sys
import time
import warnings

warnings.simplefilter("ignore")
t0 = time.perf_counter()
import pandas as pd  # noqa: E402
import statsmodels.formula.api as smf  # noqa: E402

t1 = time.perf_counter()
path, spec, repeats = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
data = pd.read_csv(path)
t2 = time.perf_counter()
fit_ms = []
result = None
for _ in range(repeats):
    s = time.perf_counter()
    model = smf.mixedlm(spec["formula"], data, groups=data[spec["groups"]], re_formula=spec.get("re_formula"),
                        vc_formula=spec.get("vc_formula"))
    result = model.fit(reml=spec.get("reml", True))
    fit_ms.append((time.perf_counter() - s) * 1000)
print(json.dumps({
    "importMs": (t1 - t0) * 1000,
    "readMs": (t2 - t1) * 1000,
    "fitMs": fit_ms,
    "llf": float(result.llf),
    "converged": bool(result.converged),
    "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
