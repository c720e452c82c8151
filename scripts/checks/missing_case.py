#!/usr/bin/python3
"""Reference for listwise deletion: dietox's Feed column has 72 missing values.

statsmodels MixedLM with missing="drop" (what the engine does) on "Weight ~ Time + Feed",
groups Pig; writes test/fixtures/reference/dietox_feed_missing.statsmodels.json.
    /usr/bin/python3 scripts/checks/missing_case.py
"""
import json, os
import numpy as np, pandas as pd
import statsmodels.formula.api as smf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
df = pd.read_csv(os.path.join(ROOT, "test/fixtures/data/dietox.csv"))
m = smf.mixedlm("Weight ~ Time + Feed", df, groups="Pig", missing="drop")
r = m.fit(reml=True)
out = {
    "spec": {"formula": "Weight ~ Time + Feed", "groups": "Pig", "missing": "drop"},
    "converged": bool(r.converged),
    "n_obs": int(m.n_totobs),
    "n_dropped": int(len(df) - m.n_totobs),
    "fe_names": list(r.fe_params.index),
    "fe_params": [float(x) for x in r.fe_params],
    "bse_fe": [float(x) for x in r.bse_fe],
    "cov_re": float(np.asarray(r.cov_re)[0, 0]),
    "scale": float(r.scale),
    "llf": float(r.llf),
}
with open(os.path.join(ROOT, "test/fixtures/reference/dietox_feed_missing.statsmodels.json"), "w") as f:
    json.dump(out, f, indent=1)
print(out)
