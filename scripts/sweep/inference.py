#!/usr/bin/python3
"""The engine's tests with df, ANOVA tables and likelihood-ratio tests against lmerTest, pbkrtest
and lme4's anova on the models of cases.tsv (run through inference.sh, which builds the CLI).

    /usr/bin/python3 scripts/sweep/inference.py [--refit-r] [--jobs N] [--cli FIT.js] [ID ...]

For every case with a fixed effect besides the intercept:
1. R (fit_inference.R, kept per case and part in .out/inference/r/): lmerTest's summary and
   anova types 1, 2, 3 with Satterthwaite df and lme4's anova(m0, m) against the model without its
   last fixed-effect term; for REML fits, the same summary and anova tables with Kenward-Roger df
   (pbkrtest), unless the model has more than KR_MAX_ROWS rows (pbkrtest forms n x n matrices) or
   R takes over KR_TIMEOUT seconds;
2. the CLI with --json --ddf satterthwaite|kenward-roger --anova 1|2|3 (and --compare REDUCED);
3. compares to the issue's tolerances: df 2e-3 relative, standard errors 1e-4 relative, p 1e-2
   relative (R's 0 asks for an underflow), ANOVA F 1e-3 and DenDF 2e-3 relative (NumDF equal,
   p 1e-2), LRT chi-square 2e-4 * max(1, chi-square).
Prints one line per case and a summary; writes .out/inference/report.md (every disagreement with
both numbers) and .out/inference/results.tsv. Exit status 1 if any comparison fails, 2 if the
sweep cannot run, else 0. Standard library only.
"""
import concurrent.futures as cf, hashlib, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sweep  # noqa: E402  (read_cases, load_json, sha256_file)

ROOT = sweep.ROOT
OUT = os.path.join(HERE, ".out", "inference")
KR_MAX_ROWS = 4000
KR_TIMEOUT = 60
SAT_TIMEOUT = 900
ENGINE_TIMEOUT = 300
SHORT = 1e-8  # R's log-likelihood this far below the engine's: lme4 stopped short, compared at the engine's theta too
TOL = {"df": 2e-3, "se": 1e-4, "p": 1e-2, "F": 1e-3, "denDF": 2e-3, "chisq": 2e-4}


def parse_args(argv):
    opts = {"refit": False, "jobs": 2, "cli": os.path.join(ROOT, "build", "cli", "src", "cli", "fit.js"), "ids": []}
    k = 0
    while k < len(argv):
        a = argv[k]
        if a == "--refit-r":
            opts["refit"] = True
        elif a in ("--jobs", "--cli"):
            if k + 1 >= len(argv):
                sys.exit(f"inference: {a} needs a value")
            k += 1
            opts["cli" if a == "--cli" else "jobs"] = os.path.abspath(argv[k]) if a == "--cli" else max(1, int(argv[k]))
        elif a in ("-h", "--help"):
            print(__doc__.strip()); sys.exit(0)
        elif a.startswith("-"):
            print(f"inference: unknown option {a}", file=sys.stderr); sys.exit(2)
        else:
            opts["ids"].append(a)
        k += 1
    return opts


def top_level_pieces(rhs):
    out, depth, cur = [], 0, ""
    for ch in rhs:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "+" and depth == 0:
            out.append(cur.strip()); cur = ""
        else:
            cur += ch
    return out + [cur.strip()]


def has_fixed_effect(formula):
    pieces = top_level_pieces(formula.split("~", 1)[1])
    return any(p not in ("1", "0") and not (p.startswith("(") and "|" in p) for p in pieces)


# ---- R ---------------------------------------------------------------------------------------

def r_part(c, csv_path, part, refit, theta=None):
    path = os.path.join(OUT, "r", f"{c['id']}.{part}{'.at-engine' if theta else ''}.json")
    h = hashlib.sha256()
    sweep.sha256_file(os.path.join(HERE, "fit_inference.R"), h)
    sweep.sha256_file(csv_path, h)
    h.update(f"\0{c['formula']}\0{c['method']}\0{part}\0{KR_TIMEOUT}\0{theta}".encode())
    key = h.hexdigest()
    old = None if refit else sweep.load_json(path)
    if old is not None and old.get("cacheKey") == key:
        return old
    tmp = path + ".tmp"
    cmd = ["Rscript", os.path.join(HERE, "fit_inference.R"), csv_path, c["formula"], c["method"], part, tmp] + ([theta] if theta else [])
    timeout = KR_TIMEOUT if part == "kenward-roger" else SAT_TIMEOUT
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        res = sweep.load_json(tmp) or {"error": f"Rscript exit {p.returncode}: {p.stderr.strip()[-600:]}"}
    except subprocess.TimeoutExpired:
        res = {"error": f"R took over {timeout} s", "timeout": True}
    res["rSeconds"] = time.perf_counter() - t0
    res["cacheKey"] = key
    if os.path.exists(tmp):
        os.remove(tmp)
    with open(path, "w") as f:
        json.dump(res, f)
    return res


# ---- engine ----------------------------------------------------------------------------------

def engine(cli, c, csv_path, ddf, anova_type, reduced):
    cmd = ["node", cli, csv_path, "--formula", c["formula"], "--json", "--ddf", ddf, "--anova", str(anova_type)]
    if c["method"] == "ML":
        cmd += ["--method", "ml"]
    if reduced:
        cmd += ["--compare", reduced]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=ENGINE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"engine timed out after {ENGINE_TIMEOUT} s"}, cmd
    if p.returncode != 0:
        return {"error": f"exit {p.returncode}: {(p.stderr.strip() or p.stdout.strip())[-400:]}"}, cmd
    try:
        return json.loads(p.stdout), cmd
    except ValueError as e:
        return {"error": f"unreadable output {e!r}"}, cmd


# ---- comparison ------------------------------------------------------------------------------

def canonical(name):
    if name in ("(Intercept)", "Intercept"):
        return "Intercept"
    parts = []
    for part in name.split(":"):
        m = re.match(r"^(?:C|factor)\(([^,)]+)(?:,[^)]*\))?\)\[(?:T\.)?(.+)\]$", part)
        if m:
            parts.append(f"{m.group(1).strip()}={m.group(2)}"); continue
        m = re.match(r"^factor\(([^)]+)\)(.+)$", part)
        if m:
            parts.append(f"{m.group(1)}={m.group(2)}"); continue
        m = re.match(r"^(.+)\[(?:T\.)?(.+)\]$", part)
        if m:
            parts.append(f"{m.group(1)}{m.group(2)}"); continue
        parts.append(part.replace(" ", "").replace("**", "^"))
    return ":".join(sorted(parts))


def term_key(label):
    return ":".join(sorted(re.sub(r"^(?:factor|C)\((.*)\)$", r"\1", f).strip().replace(" ", "") for f in label.split(":")))


def rel(a, b):
    if a is None or b is None:
        return float("inf")
    return abs(a - b) / max(abs(b), 1e-300)


def p_close(ours, ref):
    if ref is None or ours is None:
        return ref is None and ours is None
    return ours < 1e-300 if ref == 0 else rel(ours, ref) < TOL["p"]


def compare_summary(E, R, what, fails):
    n = 0
    ours = {canonical(f["name"]): f for f in E["fixedEffects"]}
    for r in R["rows"]:
        n += 1
        o = ours.get(canonical(r["name"]))
        if o is None:
            fails.append(f"{what} {r['name']}: no such coefficient in the engine's output"); continue
        bad = []
        if rel(o.get("df"), r["df"]) >= TOL["df"]:
            bad.append(f"df {o.get('df')} vs {r['df']} (rel {rel(o.get('df'), r['df']):.1e})")
        if rel(o["stdErr"], r["Std. Error"]) >= TOL["se"]:
            bad.append(f"se {o['stdErr']} vs {r['Std. Error']} (rel {rel(o['stdErr'], r['Std. Error']):.1e})")
        if not p_close(o["p"], r["Pr(>|t|)"]):
            bad.append(f"p {o['p']} vs {r['Pr(>|t|)']}")
        if bad:
            fails.append(f"{what} {r['name']}: " + ", ".join(bad))
    return n


def compare_anova(A, R, what, fails):
    rows = A["rows"] if A else []
    ref = R.get("rows") or []
    ours = {term_key(x["term"]): x for x in rows}
    if sorted(ours) != sorted(term_key(r["name"]) for r in ref):
        fails.append(f"{what}: terms {[x['term'] for x in rows]} vs R's {[r['name'] for r in ref]}")
    n = 0
    for r in ref:
        n += 1
        o = ours.get(term_key(r["name"]))
        if o is None:
            continue
        bad = []
        if rel(o["F"], r["F value"]) >= TOL["F"]:
            bad.append(f"F {o['F']} vs {r['F value']} (rel {rel(o['F'], r['F value']):.1e})")
        if rel(o["denDF"], r["DenDF"]) >= TOL["denDF"]:
            bad.append(f"DenDF {o['denDF']} vs {r['DenDF']} (rel {rel(o['denDF'], r['DenDF']):.1e})")
        if o["numDF"] != r["NumDF"]:
            bad.append(f"NumDF {o['numDF']} vs {r['NumDF']}")
        if not p_close(o["p"], r["Pr(>F)"]):
            bad.append(f"p {o['p']} vs {r['Pr(>F)']}")
        if bad:
            fails.append(f"{what} {r['name']}: " + ", ".join(bad))
    return n


def compare_lrt(C, R, fails):
    ref = R["rows"][-1]
    o = (C or {}).get("rows", [{}])[-1] if C else {}
    chisq = o.get("chisq")
    tol = TOL["chisq"] * max(1.0, abs(ref["Chisq"]))
    if chisq is None or abs(chisq - ref["Chisq"]) > tol or o.get("df") != ref["Df"]:
        rows = (C or {}).get("rows") or [{}]
        dl = [fmt_llf(None if x.get("logLik") is None else x["logLik"] - y["logLik"]) for x, y in zip(rows, R["rows"])]
        fails.append(f"LRT: chisq {chisq} vs {ref['Chisq']}, df {o.get('df')} vs {ref['Df']} "
                     f"(engine - R logLik: reduced {dl[0]}, full {dl[-1]})")
    return 1


def r_parts(c, csv_path, opts, r, S, theta=None):
    """R's results per df method: Satterthwaite always, Kenward-Roger for REML fits that pbkrtest manages."""
    parts = [("satterthwaite", S)]
    if c["method"] != "REML":
        return parts
    if S["nobs"] > KR_MAX_ROWS:
        r["notes"].append(f"Kenward-Roger not compared: {S['nobs']} rows (pbkrtest forms n x n matrices)")
        return parts
    K = r_part(c, csv_path, "kenward-roger", opts["refit"], theta)
    if K.get("timeout"):
        r["notes"].append(f"Kenward-Roger not compared: pbkrtest over {KR_TIMEOUT} s")
    elif "error" in K:
        r["notes"].append(f"R (Kenward-Roger) failed: {K['error']}")
    elif fell_back(K, S):
        r["notes"].append("Kenward-Roger not compared: pbkrtest failed and lmerTest used Satterthwaite's df instead")
    else:
        parts.append(("kenward-roger", K))
    return parts


def fell_back(K, S):
    """lmerTest's "Unable to compute Kenward-Roger t-test: using Satterthwaite instead" (a warning
    only): its Kenward-Roger summary is then its Satterthwaite summary, df for df."""
    k, s = K.get("summary", {}).get("rows"), S.get("summary", {}).get("rows")
    return bool(k) and bool(s) and [x["df"] for x in k] == [x["df"] for x in s]


def compare_all(parts, engines, r, S, fails, with_lrt):
    n = 0
    for ddf, R in parts:
        for ty in ("1", "2", "3"):
            E = engines[(ddf, ty)]
            if "error" in E:
                fails.append(f"engine {ddf} type {ty}: {E['error']}"); continue
            if ty == "1":
                if "error" in R["summary"]:
                    r["notes"].append(f"R summary {ddf}: {R['summary']['error']}")
                else:
                    n += compare_summary(E, R["summary"], f"t {ddf}", fails)
            Ra = R["anova"][ty]
            if "error" in Ra:
                r["notes"].append(f"R anova type {ty} {ddf}: {Ra['error']}")
            else:
                n += compare_anova(E.get("anova"), Ra, f"anova {ty} {ddf}", fails)
    if with_lrt and S.get("lrt"):
        if "error" in S["lrt"]:
            r["notes"].append(f"R LRT: {S['lrt']['error']}")
        else:
            n += compare_lrt(engines[("satterthwaite", "1")].get("comparison"), S["lrt"], fails)
    return n


def run_case(c, opts, csv_path):
    r = {"c": c, "fails": [], "notes": [], "n": 0, "cmds": [], "dllf": None}
    S = r_part(c, csv_path, "satterthwaite", opts["refit"])
    if "error" in S:
        r["notes"].append(f"R (Satterthwaite) failed: {S['error']}")
        return r
    r["singular"] = S.get("singular")
    parts = r_parts(c, csv_path, opts, r, S)
    engines = {}
    for ddf, _ in parts:
        for ty in ("1", "2", "3"):
            reduced = S.get("reduced") if (ddf, ty) == ("satterthwaite", "1") and S.get("lrt") else None
            E, cmd = engine(opts["cli"], c, csv_path, ddf, ty, reduced)
            r["cmds"].append(" ".join(map(sh_quote, cmd)))
            engines[(ddf, ty)] = E
    E1 = engines[("satterthwaite", "1")]
    if "error" not in E1:
        r["dllf"] = E1["logLik"] - S["logLik"]
    r["n"] = compare_all(parts, engines, r, S, r["fails"], True)
    if r["dllf"] is not None and r["dllf"] > SHORT:
        # lme4 stops short of the engine's optimum: lmerTest's tables at the engine's theta instead
        theta = ",".join(repr(x) for x in E1["theta"])
        At = r_part(c, csv_path, "satterthwaite", opts["refit"], theta)
        if "error" in At or abs(At["logLik"] - E1["logLik"]) > 1e-6:
            r["notes"].append(f"R at the engine's theta failed: {At.get('error') or 'another log-likelihood (theta order?)'}")
            return r
        notes = r["notes"]; r["notes"] = []
        at_parts = r_parts(c, csv_path, opts, r, At, theta)
        fails = []
        n = compare_all(at_parts, engines, r, At, fails, False)
        r["notes"] = notes + [f"R's own fit is {r['dllf']:.1e} short: {len(r['fails'])} of {r['n']} beyond tolerance "
                              f"against it; the counts are lmerTest's at the engine's theta"]
        lrt_fails = [f for f in r["fails"] if f.startswith("LRT")]
        r["own_fails"] = r["fails"]
        r["fails"] = fails + lrt_fails
        r["n"] = n + (1 if S.get("lrt") and "error" not in S["lrt"] else 0)
    return r


def sh_quote(s):
    return s if re.match(r"^[\w./=:-]+$", s) else "'" + s.replace("'", "'\\''") + "'"


def main():
    opts = parse_args(sys.argv[1:])
    cases = [c for c in sweep.read_cases() if has_fixed_effect(c["formula"])]
    if opts["ids"]:
        unknown = set(opts["ids"]) - {c["id"] for c in cases}
        if unknown:
            print(f"inference: unknown case id(s) or no fixed effect: {', '.join(sorted(unknown))}", file=sys.stderr)
            sys.exit(2)
        cases = [c for c in cases if c["id"] in set(opts["ids"])]
    os.makedirs(os.path.join(OUT, "r"), exist_ok=True)
    data = os.path.join(HERE, ".out", "data")
    p = subprocess.run(["Rscript", os.path.join(HERE, "export.R"), data], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout + p.stderr, file=sys.stderr); sys.exit(2)
    t0 = time.perf_counter()
    print(f"{'case':30s} {'tests':>6s} {'fail':>5s} {'eng-R llf':>10s}  notes", flush=True)
    results = []
    with cf.ThreadPoolExecutor(opts["jobs"]) as ex:
        futs = [ex.submit(run_case, c, opts, os.path.join(data, c["data"] + ".csv")) for c in cases]
        for f in futs:
            r = f.result()
            results.append(r)
            print(f"{r['c']['id']:30s} {r['n']:6d} {len(r['fails']):5d} {fmt_llf(r['dllf']):>10s}  {'; '.join(r['notes'])}", flush=True)
    n = sum(r["n"] for r in results)
    nf = sum(len(r["fails"]) for r in results)
    bad = [r for r in results if r["fails"]]
    print(f"\n{len(results)} models, {n} comparisons, {n - nf} within tolerance, {nf} not, "
          f"in {len(bad)} models; {time.perf_counter() - t0:.0f} s")
    write_report(results, n, nf)
    sys.exit(1 if nf else 0)


def fmt_llf(x):
    return "" if x is None else f"{x:+.1e}"


def write_report(results, n, nf):
    with open(os.path.join(OUT, "results.tsv"), "w") as f:
        f.write("case\tcompared\tfailed\tengine-R logLik\tnotes\n")
        for r in results:
            f.write(f"{r['c']['id']}\t{r['n']}\t{len(r['fails'])}\t{fmt_llf(r['dllf'])}\t{'; '.join(r['notes'])}\n")
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write(f"# Inference sweep\n\n{len(results)} models, {n} comparisons, {nf} beyond tolerance.\n\n")
        for r in results:
            if not r["fails"] and not r["notes"]:
                continue
            f.write(f"## {r['c']['id']}: `{r['c']['formula']}` ({r['c']['method']})\n\n")
            if r["dllf"] is not None:
                f.write(f"- engine - R log-likelihood: {r['dllf']:+.2e}"
                        + (" (R's fit is short of the engine's: its tables belong to another fit)" if r["dllf"] > SHORT else "")
                        + (f"; R's fit is singular" if r.get("singular") else "") + "\n")
            for x in r["notes"]:
                f.write(f"- note: {x}\n")
            for x in r["fails"]:
                f.write(f"- {x}\n")
            for x in r.get("own_fails", []):
                f.write(f"- against R's own (short) fit: {x}\n")
            if r["fails"]:
                f.write("\n" + "\n".join(f"    {c}" for c in r["cmds"]) + "\n")
            f.write("\n")


if __name__ == "__main__":
    main()
