#!/usr/bin/python3
"""Column names patsy gives to formulas on the dietox data (and a small frame with awkward values).

Writes test/fixtures/patsy_names.json: {formula: [column names]} so that the project's tests
check our coding and naming against patsy itself. Run with Debian's python:
    /usr/bin/python3 scripts/checks/patsy_names.py
"""
import json, os
import numpy as np, pandas as pd, patsy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
df = pd.read_csv(os.path.join(ROOT, "test/fixtures/data/dietox.csv"))
formulas = [
    "Weight ~ Time",
    "Weight ~ Time + C(Evit) + C(Cu)",
    "Weight ~ Time * C(Cu)",
    "Weight ~ C(Cu) * Time",
    "Weight ~ 0 + C(Cu)",
    "Weight ~ C(Cu) - 1",
    "Weight ~ C(Evit):C(Cu)",
    "Weight ~ C(Evit) + C(Evit):C(Cu)",
    "Weight ~ C(Evit) * C(Cu)",
    "Weight ~ Time + C(Evit, Treatment('Evit100'))",
    "Weight ~ Time + C(Evit, Treatment(reference='Evit200'))",
    "Weight ~ Evit + Cu",
    "Weight ~ np.log(Time) + I(Time ** 2)",
    "Weight ~ I(Time**2) + np.sqrt(Time)",
    "np.log(Weight) ~ Time",
    "Weight ~ C(Time)",
    "Weight ~ (Time + Start + C(Cu)) ** 2",
    "Weight ~ Time / C(Cu)",
    "Weight ~ C(Cu) / Time",
    "Weight ~ Time:Start + Time",
    "Weight ~ Time + Start - Start",
    "Weight ~ 0 + Time:C(Cu)",
    "Weight ~ C(Cu):Time + C(Evit)",
    "Weight ~ center(Time) + standardize(Start)",
    "Weight ~ Time + Q('Start')",
    "Weight ~ -1 + Time + C(Evit)",
    "Weight ~ Time + C(Litter)",
]
out = {}
for f in formulas:
    lhs, rhs = patsy.dmatrices(f, df, return_type="dataframe")
    out[f] = {"y": list(lhs.columns), "x": list(rhs.columns),
              "first_row": [float(v) for v in rhs.iloc[0].values]}
with open(os.path.join(ROOT, "test/fixtures/patsy_names.json"), "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", len(out), "formulas")
