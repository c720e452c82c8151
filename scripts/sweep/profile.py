#!/usr/bin/python3
"""Profile confidence intervals: the engine's CLI (--confint profile) against lme4's
confint(m, method = "profile") on the models of cases.tsv (run through profile.sh, which builds
the CLI).

    /usr/bin/python3 scripts/sweep/profile.py [--refit-lme4] [--zeta] [--jobs N] [--limit S] [--cli FIT.js] [ID ...]

1. exports the data sets (export.R -> .out/data/) unless .out/data/datasets.tsv exists;
2. profiles each case with lme4 (profile_lme4.R -> .out/profile/lme4/ID.json, N cases at once,
   default 2), or reuses that file when it was made from the same CSV, formula, method and
   profile_lme4.R (--refit-lme4 redoes it); lme4 gets S seconds per case (default 60);
3. runs the CLI with --confint profile --json on each case (-> .out/profile/engine/ID.json);
4. compares every bound: |engine - lme4| / (lme4's high - low) within 5e-3 (2e-2 for a
   correlation), and null exactly where lme4 gives NA; prints one line per case and every
   disagreement, writes .out/profile/report.md and .out/profile/results.tsv.

Variance rows are matched by lme4's name (and by position before sigma when names differ); fixed
effects by name with lme4's (Intercept)/SexMale mapped to the engine's Intercept/Sex[T.Male]
(the same mapping as sweep.py), else by position. Exit status: 0 all bounds agree, 1 a
disagreement or an engine error, 2 could not run. Cases where lme4's profile errors or runs out of
time are skipped with a note (not counted). Standard library only.
"""
import concurrent.futures, csv, hashlib, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, ".out")
POUT = os.path.join(OUT, "profile")
sys.path.insert(0, HERE)
from sweep import read_cases, norm_name, load_json  # noqa: E402

TOL = 5e-3       # of the interval's width (lme4's)
TOL_COR = 2e-2   # correlations
ENGINE_TIMEOUT = 300


def parse_args(argv):
    opts = {"refit": False, "zeta": False, "jobs": 2, "limit": 60.0, "cli": os.path.join(ROOT, "build", "cli", "mixedlm.js"), "ids": []}
    k = 0
    while k < len(argv):
        a = argv[k]
        if a == "--refit-lme4":
            opts["refit"] = True
        elif a == "--zeta":
            opts["zeta"] = True
        elif a in ("--jobs", "--limit", "--cli"):
            if k + 1 >= len(argv):
                usage(f"{a} needs a value")
            v = argv[k + 1]; k += 1
            try:
                if a == "--cli":
                    opts["cli"] = os.path.abspath(v)
                elif a == "--jobs":
                    opts["jobs"] = max(1, int(v))
                else:
                    opts["limit"] = float(v)
            except ValueError:
                usage(f"{a}: not a number: {v}")
        elif a in ("-h", "--help"):
            print(__doc__.strip()); sys.exit(0)
        elif a.startswith("-"):
            usage(f"unknown option {a}")
        else:
            opts["ids"].append(a)
        k += 1
    return opts


def usage(msg):
    print(f"profile: {msg}", file=sys.stderr)
    print("usage: sh scripts/sweep/profile.sh [--refit-lme4] [--zeta] [--jobs N] [--limit S] [--cli FIT.js] [ID ...]", file=sys.stderr)
    sys.exit(2)


def cache_key(c, csv_path, limit):
    h = hashlib.sha256()
    for p in (os.path.join(HERE, "profile_lme4.R"), csv_path):
        with open(p, "rb") as f:
            h.update(f.read())
    h.update(f"\0{c['formula']}\0{c['method']}\0{limit}".encode())
    return h.hexdigest()


def profile_lme4(c, csv_path, opts):
    path = os.path.join(POUT, "lme4", c["id"] + ".json")
    key = cache_key(c, csv_path, opts["limit"])
    old = None if opts["refit"] else load_json(path)
    if old is not None and old.get("cacheKey") == key:
        return old
    cmd = ["Rscript", os.path.join(HERE, "profile_lme4.R"), csv_path, c["formula"], c["method"], path, str(opts["limit"])]
    if os.path.exists(path):
        os.remove(path)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=opts["limit"] * 3 + 60)
        res = load_json(path) or {"ok": False, "error": f"Rscript exit {p.returncode}: {p.stderr.strip()[-400:]}"}
    except subprocess.TimeoutExpired:
        res = {"ok": False, "error": f"lme4 ran over {opts['limit'] * 3 + 60:.0f} s (fit and profile)"}
    res["wall"] = time.perf_counter() - t0
    res["cacheKey"] = key
    with open(path, "w") as f:
        json.dump(res, f)
    return res


def run_engine(cli, c, csv_path):
    cmd = engine_cmd(cli, c, csv_path)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=ENGINE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"engine timed out after {ENGINE_TIMEOUT} s"}
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return {"ok": False, "error": f"exit {p.returncode}: {(p.stderr.strip() or p.stdout.strip())[-400:]}"}
    try:
        j = json.loads(p.stdout)
        j["confint"]["rows"]
    except (ValueError, KeyError, TypeError) as e:
        return {"ok": False, "error": f"unreadable output ({e!r})"}
    j["ok"] = True; j["wall"] = wall
    with open(os.path.join(POUT, "engine", c["id"] + ".json"), "w") as f:
        json.dump(j, f)
    return j


def engine_cmd(cli, c, csv_path):
    return ["node", cli, csv_path, "--formula", c["formula"], "--method", c["method"].lower(), "--confint", "profile", "--json"]


def match_rows(L, E):
    """Pairs (lme4 row, engine row or None, remark)."""
    lrows, erows = L["rows"], E["confint"]["rows"]
    lsig = next(i for i, r in enumerate(lrows) if r["name"] == "sigma") if any(r["name"] == "sigma" for r in lrows) else len(lrows) - len(L["fixef"])
    esig = next((i for i, r in enumerate(erows) if r["name"] == "sigma"), None)
    ebyname = {r["name"]: r for r in erows}
    pairs = []
    for i, r in enumerate(lrows[:lsig + 1] if lsig < len(lrows) and lrows[lsig]["name"] == "sigma" else lrows[:lsig]):
        e = ebyname.get(r["name"])
        if e is None and esig is not None and i < len(erows):
            pairs.append((r, erows[i], f"matched by position to {erows[i]['name']}"))
        else:
            pairs.append((r, e, "" if e else "no engine row"))
    nvar = len(pairs)
    efe = {norm_name(f["name"]): f["name"] for f in E["fixedEffects"]}
    lfe = lrows[nvar:]
    efe_rows = erows[len(erows) - len(E["fixedEffects"]):]
    for k, r in enumerate(lfe):
        en = efe.get(norm_name(r["name"]))
        e = ebyname.get(en) if en else None
        if e is None and k < len(efe_rows):
            pairs.append((r, efe_rows[k], f"matched by position to {efe_rows[k]['name']}"))
        else:
            pairs.append((r, e, "" if e else "no engine row"))
    return pairs


def compare(L, E):
    """Rows of (name, lme4 low, high, engine low, high, err/width, tol, ok, remark)."""
    out = []
    for lr, er, remark in match_rows(L, E):
        tol = TOL_COR if lr["name"].startswith("cor_") else TOL
        lo, hi = lr["low"], lr["high"]
        elo, ehi = (er["low"], er["high"]) if er else (None, None)
        width = abs(hi - lo) if lo is not None and hi is not None and hi != lo else None
        worst = 0.0; ok = er is not None; agree = 0; extra = False
        for a, b in ((lo, elo), (hi, ehi)):
            if a is None or b is None:
                # the engine's null must be lme4's NA; a bound where lme4 has NA (its spline
                # failed) is not a disagreement, and the exact check (--zeta) can confirm it
                if b is None and a is not None:
                    ok = False; worst = float("inf")
                else:
                    agree += er is not None; extra = extra or b is not None
                continue
            w = width if width else max(abs(a), 1e-300)
            e = abs(a - b) / w
            worst = max(worst, e)
            if e <= tol:
                agree += 1
            else:
                ok = False
        out.append({"name": lr["name"], "L": (lo, hi), "E": (elo, ehi), "err": worst, "tol": tol, "ok": ok, "agree": agree, "extra": extra,
                    "remark": remark or ("lme4 NA, engine a bound" if extra else "")})
    return out


def exact_zeta(c, csv_path, r):
    """The exact ζ (profile_zeta.R) at lme4's and the engine's bounds of one row: the right bound
    has ζ = ±1.96. A bound at the parameter's limit (an sd's 0, a correlation's ±1) is left out."""
    limits = (-1.0, 1.0) if r["name"].startswith("cor_") else (0.0,) if r["name"].startswith("sd_") or r["name"] == "sigma" else ()
    values = []
    for who, pair in (("lme4", r["L"]), ("engine", r["E"])):
        for side, v in zip(("low", "high"), pair):
            if v is not None and v not in limits:
                values.append((f"{who} {side}", v))
    if not values:
        return ["(no bound away from the parameter's limits)"]
    cmd = ["Rscript", os.path.join(HERE, "profile_zeta.R"), csv_path, c["formula"], c["method"], r["name"]] + [repr(v) for _, v in values]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return ["profile_zeta.R timed out"]
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or len(lines) != len(values):
        return [f"profile_zeta.R failed: {p.stderr.strip()[-200:]}"]
    return [f"{who:11s} {line}" for (who, _), line in zip(values, lines)]


ZETA_TOL = 3.92 * TOL  # |ζ| off 1.96 by this is about TOL of the interval's width (ζ nearly linear)


def self_check(c, csv_path, E, z=1.959964):
    """Where lme4 cannot profile: the exact ζ at each of the engine's bounds (one profile_zeta.R
    run for the case). A bound at the parameter's limit (0, ±1) or null is listed, not checked.
    Returns (checked, agreeing, lines)."""
    groups, pending, lines = [], [], []
    for r in E["confint"]["rows"]:
        limits = (-1.0, 1.0) if r["name"].startswith("cor_") else (0.0,) if r["name"].startswith("sd_") or r["name"] == "sigma" else ()
        vals = []
        for side, v in (("low", r["low"]), ("high", r["high"])):
            if v is None or v in limits:
                lines.append(f"{r['name']} {side}: {fmt(v)} (not checked)")
            else:
                vals.append(v); pending.append((r["name"], side, v))
        if vals:
            groups += ["--", r["name"]] + [repr(v) for v in vals]
    if not pending:
        return 0, 0, lines
    cmd = ["Rscript", os.path.join(HERE, "profile_zeta.R"), csv_path, c["formula"], c["method"]] + groups[1:]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
        out = p.stdout.strip().splitlines()
    except subprocess.TimeoutExpired:
        out = []
    if len(out) != len(pending):
        return len(pending), 0, lines + [f"profile_zeta.R failed: {(p.stderr.strip() if out else 'timed out')[-200:]}"]
    good = 0
    for (name, side, v), line in zip(pending, out):
        zeta = float(line.rsplit("zeta", 1)[1])
        ok = abs(abs(zeta) - z) <= ZETA_TOL
        good += ok
        lines.append(f"{'ok ' if ok else 'BAD'} {name} {side}: {line}")
    return len(pending), good, lines


def fmt(x):
    return "NA" if x is None else f"{x:.6g}"


def main():
    opts = parse_args(sys.argv[1:])
    cases = read_cases()
    known = {c["id"] for c in cases}
    bad = [i for i in opts["ids"] if i not in known]
    if bad:
        usage(f"unknown case id(s): {', '.join(bad)}")
    if opts["ids"]:
        cases = [c for c in cases if c["id"] in set(opts["ids"])]
    if not os.path.exists(opts["cli"]):
        usage(f"no engine CLI at {opts['cli']} (profile.sh builds it)")
    for d in ("data", "profile/lme4", "profile/engine"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    status_path = os.path.join(OUT, "data", "datasets.tsv")
    if not os.path.exists(status_path):
        p = subprocess.run(["Rscript", os.path.join(HERE, "export.R"), os.path.join(OUT, "data")], capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stdout + p.stderr, file=sys.stderr)
            usage("export.R failed")
    with open(status_path, newline="") as f:
        status = {r["name"]: r["status"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}

    t_start = time.perf_counter()
    runnable = [c for c in cases if status.get(c["data"]) == "ok"]
    csvp = lambda c: os.path.join(OUT, "data", c["data"] + ".csv")  # noqa: E731
    with concurrent.futures.ThreadPoolExecutor(opts["jobs"]) as ex:
        lres = dict(zip([c["id"] for c in runnable], ex.map(lambda c: profile_lme4(c, csvp(c), opts), runnable)))
    t_lme4 = time.perf_counter() - t_start

    print(f"{'case':30s} {'bounds':>7s} {'agree':>6s} {'worst/tol':>9s} {'engine s':>8s} {'lme4 s':>7s}")
    summary = {"cases": 0, "bounds": 0, "agree": 0, "skipped": [], "bad": [], "errors": [], "selfcheck": []}
    rows = []
    for c in cases:
        if c["id"] not in lres:
            summary["skipped"].append((c["id"], f"data set {c['data']}: {status.get(c['data'], 'not exported')}"))
            print(f"{c['id']:30s} skipped (data set {c['data']})"); continue
        L = lres[c["id"]]
        if not L.get("ok"):
            summary["skipped"].append((c["id"], "lme4: " + L.get("error", "?")[:160]))
            print(f"{c['id']:30s} skipped (lme4: {L.get('error', '?')[:80]})")
            # the exact check refits the model a few times per bound with lme4: not where its profile ran out of time
            if opts["zeta"] and not re.search(r"time limit|ran over", L.get("error", "")):
                E = run_engine(opts["cli"], c, csvp(c))
                if not E.get("ok"):
                    summary["errors"].append((c["id"], E["error"]))
                    print(f"    ENGINE ERROR {E['error'][:100]}"); continue
                n, good, lines = self_check(c, csvp(c), E)
                summary["selfcheck"].append((c["id"], n, good, lines))
                print(f"    exact ζ at the engine's bounds: {good}/{n} within {ZETA_TOL:.3g} of ±1.96")
                for line in lines:
                    print(f"      {line}")
            continue
        E = run_engine(opts["cli"], c, csvp(c))
        if not E.get("ok"):
            summary["errors"].append((c["id"], E["error"]))
            print(f"{c['id']:30s} ENGINE ERROR {E['error'][:100]}"); continue
        cmp = compare(L, E)
        nb = 2 * len(cmp)
        nok = sum(r["agree"] for r in cmp)
        summary["cases"] += 1; summary["bounds"] += nb; summary["agree"] += nok
        worst = max((r["err"] / r["tol"] for r in cmp), default=0.0)
        print(f"{c['id']:30s} {nb:7d} {nok:6d} {worst:9.3g} {E['wall']:8.2f} {L.get('seconds') or 0:7.2f}", flush=True)
        for r in cmp:
            if not r["ok"]:
                summary["bad"].append((c, r))
                print(f"    {r['name']}: lme4 [{fmt(r['L'][0])}, {fmt(r['L'][1])}] engine [{fmt(r['E'][0])}, {fmt(r['E'][1])}] err/width {r['err']:.3g} {r['remark']}")
            if opts["zeta"] and (not r["ok"] or r["extra"]):
                r["zeta"] = exact_zeta(c, csvp(c), r)
                for line in r["zeta"]:
                    print(f"      {line}")
        rows.append((c, L, E, cmp, worst))
    write_report(rows, summary, opts, t_lme4, time.perf_counter() - t_start)
    print(f"\n{summary['cases']} cases profiled, {summary['agree']}/{summary['bounds']} bounds agree; "
          f"{len(summary['bad'])} rows disagree; {len(summary['errors'])} engine errors; {len(summary['skipped'])} skipped")
    for i, why in summary["skipped"]:
        print(f"  skipped {i}: {why}")
    if summary["selfcheck"]:
        n = sum(x[1] for x in summary["selfcheck"]); good = sum(x[2] for x in summary["selfcheck"])
        print(f"exact ζ where lme4 could not profile: {good}/{n} of the engine's bounds within {ZETA_TOL:.3g} of ±1.96 "
              f"({len(summary['selfcheck'])} cases)")
    print(f"report: {os.path.relpath(os.path.join(POUT, 'report.md'))}  ({time.perf_counter() - t_start:.0f} s)")
    selfbad = any(good < n for _, n, good, _ in summary["selfcheck"])
    sys.exit(1 if summary["bad"] or summary["errors"] or selfbad else 0)


def write_report(rows, summary, opts, t_lme4, t_all):
    with open(os.path.join(POUT, "results.tsv"), "w") as f:
        f.write("id\tparameter\tlme4_low\tlme4_high\tengine_low\tengine_high\terr_over_width\ttol\tok\n")
        for c, L, E, cmp, _ in rows:
            for r in cmp:
                f.write(f"{c['id']}\t{r['name']}\t{fmt(r['L'][0])}\t{fmt(r['L'][1])}\t{fmt(r['E'][0])}\t{fmt(r['E'][1])}\t{r['err']:.3g}\t{r['tol']}\t{'yes' if r['ok'] else 'NO'}\n")
    with open(os.path.join(POUT, "report.md"), "w") as f:
        f.write("# Profile intervals: engine against lme4\n\n")
        f.write(f"{summary['cases']} cases, {summary['agree']}/{summary['bounds']} bounds agree "
                f"(within {TOL} of lme4's width, {TOL_COR} for correlations; null only where lme4 gives NA). "
                f"lme4 stage {t_lme4:.0f} s, all {t_all:.0f} s.\n\n")
        f.write("| case | bounds | worst err/tol | engine s | lme4 profile s | lme4 warnings |\n|---|---|---|---|---|---|\n")
        for c, L, E, cmp, worst in rows:
            f.write(f"| {c['id']} | {2 * len(cmp)} | {worst:.3g} | {E['wall']:.2f} | {L.get('seconds') or 0:.2f} | {'; '.join(L.get('warnings') or [])[:120]} |\n")
        f.write("\n## Disagreements\n\n")
        for c, r in summary["bad"]:
            f.write(f"- `{c['id']}` {r['name']}: lme4 [{fmt(r['L'][0])}, {fmt(r['L'][1])}], engine [{fmt(r['E'][0])}, {fmt(r['E'][1])}], "
                    f"err/width {r['err']:.3g} (tol {r['tol']}) {r['remark']}\n")
            for line in r.get("zeta", []):
                f.write(f"  - {line}\n")
        f.write("\n## Skipped\n\n")
        for i, why in summary["skipped"]:
            f.write(f"- `{i}`: {why}\n")
        for i, why in summary["errors"]:
            f.write(f"- `{i}` engine error: {why}\n")
        if summary["selfcheck"]:
            f.write("\n## Exact ζ at the engine's bounds where lme4 could not profile\n\n")
            for i, n, good, lines in summary["selfcheck"]:
                f.write(f"- `{i}`: {good}/{n} within {ZETA_TOL:.3g} of ±1.96\n")
                for line in lines:
                    f.write(f"  - {line}\n")


if __name__ == "__main__":
    main()
