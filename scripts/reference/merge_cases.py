#!/usr/bin/python3
"""Merge the cases of scripts/reference/cases.json into the test fixtures.

    /usr/bin/python3 scripts/reference/merge_cases.py [--all]

A case goes to test/fixtures/cases.json, or to test/fixtures/cases.pending.json when it has a
"pending" field (the reason the engine does not pass it yet; the field itself is not copied).
--all puts every case in cases.json (to try pending cases against the engine).
A case already present (same name) is replaced in place and removed from the other file; cases
that did not come from scripts/reference are left untouched.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(os.path.dirname(HERE)), "test", "fixtures")
MAIN = os.path.join(FIX, "cases.json")
PENDING = os.path.join(FIX, "cases.pending.json")
PENDING_DOC = ("Reference cases the engine does not pass yet (same format as cases.json; the reference fits are in "
               "reference/). Made by scripts/reference; move a case to cases.json once the engine passes it. "
               "pending_reason says what fails.")


def load(path, doc):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {"_doc": doc, "cases": []}


def save(path, d):
    with open(path, "w") as f:
        f.write(json.dumps(d, indent=1, ensure_ascii=False))


def put(d, case):
    for i, c in enumerate(d["cases"]):
        if c["name"] == case["name"]:
            d["cases"][i] = case
            return
    d["cases"].append(case)


def main():
    everything = "--all" in sys.argv[1:]
    with open(os.path.join(HERE, "cases.json")) as f:
        src = json.load(f)["cases"]
    main_d = load(MAIN, None)
    pend_d = load(PENDING, PENDING_DOC)
    for case in src:
        case = dict(case)
        reason = case.pop("pending", None)
        target, other = (pend_d, main_d) if reason and not everything else (main_d, pend_d)
        if reason and not everything:
            case["pending_reason"] = reason
        put(target, case)
        other["cases"] = [c for c in other["cases"] if c["name"] != case["name"]]
        print("%-24s -> %s" % (case["name"], "cases.pending.json" if target is pend_d else "cases.json"))
    save(MAIN, main_d)
    if pend_d["cases"] or os.path.exists(PENDING):
        save(PENDING, pend_d)


if __name__ == "__main__":
    main()
