#!/usr/bin/python3
"""The engine's CLI against lme4 on the models of cases.tsv (run through run.sh, which builds the CLI).

    /usr/bin/python3 scripts/sweep/sweep.py [--refit-lme4] [--repeats N] [--cli FIT.js] [ID ...]

1. exports the data sets (export.R -> .out/data/);
2. fits each case with lme4 (fit_lme4.R -> .out/lme4/ID.json), or reuses that file when it was made
   from the same CSV, formula, method and fit_lme4.R (--refit-lme4 refits anyway);
3. fits each case with the engine's CLI (-> .out/engine/ID.json), N times (default 3, fewer when a
   run takes over 2 s) for the timing;
4. prints one line per case and a summary, writes .out/report.md and .out/results.tsv.

A problem is: the engine's log-likelihood below the better of lme4's default optimizer and bobyqa
by more than 1e-4, the engine reporting converged=false, or an error (engine or lme4). Exit
status 1 if there is any problem, 2 if the sweep could not run (unknown id, no Rscript), else 0.
The engine above lme4 is not a problem: lme4 stops short on some models (reported as a note).
Data sets whose R package is missing are skipped with a note. Standard library only.
"""
import csv, hashlib, json, math, os, re, shlex, shutil, signal, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, ".out")
LLF_TOL = 1e-4
ENGINE_TIMEOUT = 300  # seconds per CLI run
LME4_TIMEOUT = 1200   # seconds per case (up to 3 timing fits and a bobyqa refit)


def usage(msg=None):
    if msg:
        print(f"sweep: {msg}", file=sys.stderr)
    print("usage: sh scripts/sweep/run.sh [--refit-lme4] [--repeats N] [--cli FIT.js] [ID ...]", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    opts = {"refit": False, "repeats": 3, "cli": os.path.join(ROOT, "build", "cli", "src", "cli", "fit.js"), "ids": []}
    k = 0
    while k < len(argv):
        a = argv[k]
        if a == "--refit-lme4":
            opts["refit"] = True
        elif a in ("--repeats", "--cli"):
            if k + 1 >= len(argv):
                usage(f"{a} needs a value")
            v = argv[k + 1]; k += 1
            if a == "--cli":
                opts["cli"] = os.path.abspath(v)
            else:
                try:
                    opts["repeats"] = max(1, int(v))
                except ValueError:
                    usage(f"--repeats: not a number: {v}")
        elif a in ("-h", "--help"):
            print(__doc__.strip()); sys.exit(0)
        elif a.startswith("-"):
            usage(f"unknown option {a}")
        else:
            opts["ids"].append(a)
        k += 1
    return opts


def read_cases():
    with open(os.path.join(HERE, "cases.tsv"), newline="") as f:
        lines = [l for l in f if l.strip() and not l.startswith("#")]
    cases = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    seen = set()
    for c in cases:
        c["note"] = c.get("note") or ""
        if c["id"] in seen or c["method"] not in ("REML", "ML"):
            usage(f"cases.tsv: duplicate id or bad method in {c['id']}")
        seen.add(c["id"])
    return cases


def sha256_file(path, h):
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)


def lme4_key(c, csv_path):
    h = hashlib.sha256()
    sha256_file(os.path.join(HERE, "fit_lme4.R"), h)
    sha256_file(csv_path, h)
    h.update(f"\0{c['formula']}\0{c['method']}".encode())
    return h.hexdigest()


def load_json(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fit_lme4(c, csv_path, refit):
    path = os.path.join(OUT, "lme4", c["id"] + ".json")
    key = lme4_key(c, csv_path)
    old = None if refit else load_json(path)
    if old is not None and old.get("cacheKey") == key:
        return old, True
    cmd = ["Rscript", os.path.join(HERE, "fit_lme4.R"), csv_path, c["formula"], c["method"], path]
    if os.path.exists(path):
        os.remove(path)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=LME4_TIMEOUT)
        res = load_json(path) or {"ok": False, "error": f"Rscript exit {p.returncode}: {p.stderr.strip()[-600:]}"}
    except subprocess.TimeoutExpired:
        res = {"ok": False, "error": f"lme4 timed out after {LME4_TIMEOUT} s"}
    res["cacheKey"] = key
    with open(path, "w") as f:
        json.dump(res, f)
    return res, False


def engine_cmd(cli, c, csv_path):
    cmd = ["node", cli, csv_path, "--formula", c["formula"]]
    if c["method"] == "ML":
        cmd += ["--method", "ml"]
    return cmd + ["--json"]


def fit_engine(cli, c, csv_path, repeats):
    best = None; runs = []; res = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        try:
            p = subprocess.run(engine_cmd(cli, c, csv_path), capture_output=True, text=True, timeout=ENGINE_TIMEOUT)
        except subprocess.TimeoutExpired:
            res = {"ok": False, "error": f"engine timed out after {ENGINE_TIMEOUT} s"}
            break
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            res = {"ok": False, "error": f"exit {p.returncode}: {(p.stderr.strip() or p.stdout.strip())[-600:]}"}
            break
        try:
            j = json.loads(p.stdout)
            ms = j["timing"]["parseMs"] + j["timing"]["fitMs"]
            j["logLik"] + 0, bool(j["converged"])
        except (ValueError, KeyError, TypeError) as e:
            res = {"ok": False, "error": f"unreadable output ({e!r}): {p.stdout[:300]}"}
            break
        runs.append({"wall": wall, "ms": ms})
        if best is None or ms < best["ms"]:
            best = j; best["ms"] = ms
        if wall > 2:
            break
    if res is None:
        res = best
        res.pop("randomEffects", None)
        res["ok"] = True
        res["wallMs"] = min(r["wall"] for r in runs) * 1000
        res["runs"] = runs
    with open(os.path.join(OUT, "engine", c["id"] + ".json"), "w") as f:
        json.dump(res, f)
    return res


# ---- comparison of the estimates (reported, not judged) --------------------------------------

def norm_name(n):
    if n in ("Intercept", "(Intercept)"):
        return "(Intercept)"
    parts = [re.sub(r"\[(?:T\.)?(.*)\]$", r"\1", p) for p in n.split(":")]
    return ":".join(sorted(parts))


def compare_estimates(L, E):
    """Largest fixed-effect difference in lme4 SEs, largest variance difference (relative, with a
    floor of 1e-2 of the residual variance on the covariates' scale), and remarks."""
    out = {"fe_se": None, "var_rel": None, "remarks": []}
    lfe = {norm_name(k): (v, L["se"].get(k)) for k, v in L["fixef"].items()}
    efe = {norm_name(f["name"]): f["coef"] for f in E["fixedEffects"]}
    if set(lfe) != set(efe):
        out["remarks"].append(f"fixed-effect names differ: lme4 only {sorted(set(lfe) - set(efe))[:4]}, "
                              f"engine only {sorted(set(efe) - set(lfe))[:4]}")
    worst = 0.0
    for k, (lv, se) in lfe.items():
        if k in efe and se:
            worst = max(worst, abs(efe[k] - lv) / se)
    out["fe_se"] = worst
    s2 = L["sigma2"]
    worst = abs(E["scale"] - s2) / s2
    eterms = [{"g": t["grouping"], "names": [norm_name(n) for n in t["names"]], "cov": t["cov"]} for t in E["randomTerms"]]
    used = set()
    for t in L["terms"]:
        names = [norm_name(n) for n in t["names"]]
        base = re.sub(r"\.\d+$", "", t["grouping"])
        cand = [i for i, et in enumerate(eterms)
                if i not in used and et["g"] in (t["grouping"], base) and sorted(et["names"]) == sorted(names)]
        if not cand:
            out["remarks"].append(f"lme4's term {t['grouping']} {names} not found among the engine's")
            continue
        i = cand[0]; used.add(i); et = eterms[i]
        idx = [et["names"].index(n) for n in names]
        m = t.get("zscale") or [1.0] * len(names)
        for a in range(len(names)):
            for b in range(a, len(names)):
                lv = t["cov"][a][b]; ev = et["cov"][idx[a]][idx[b]]
                floor = 1e-2 * s2 / math.sqrt(m[a] * m[b]) if m[a] > 0 and m[b] > 0 else 1e-2 * s2
                den = max(abs(lv), floor) if a == b else max(abs(lv), math.sqrt(abs(t["cov"][a][a] * t["cov"][b][b])), floor)
                worst = max(worst, abs(ev - lv) / den)
    out["var_rel"] = worst
    return out


# ---- the sweep ---------------------------------------------------------------------------------

def fmt_ms(x):
    return "-" if x is None else (f"{x:.1f}" if x < 100 else f"{x:.0f}")


def secs(x):
    return f"{x:.1f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def yn(x):
    return "" if x is None else ("yes" if x else "no")


def git_state():
    def git(*a):
        try:
            return subprocess.run(["git", "-C", ROOT, *a], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src")
    return head + (" + uncommitted changes in src/" if dirty else "")


def main():
    opts = parse_args(sys.argv[1:])
    cases = read_cases()
    known = {c["id"] for c in cases}
    bad = [i for i in opts["ids"] if i not in known]
    if bad:
        usage(f"unknown case id(s): {', '.join(bad)} (see scripts/sweep/cases.tsv)")
    if opts["ids"]:
        cases = [c for c in cases if c["id"] in set(opts["ids"])]
    if not os.path.exists(opts["cli"]):
        usage(f"no engine CLI at {opts['cli']} (run.sh builds it)")
    if not shutil.which("Rscript"):
        usage("Rscript not found: apt-get install -y r-base-core r-cran-lme4 r-cran-mlmrev")
    for d in ("data", "lme4", "engine"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)

    t_start = time.perf_counter()
    p = subprocess.run(["Rscript", os.path.join(HERE, "export.R"), os.path.join(OUT, "data")], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout + p.stderr, file=sys.stderr)
        usage("export.R failed (is lme4 installed? apt-get install -y r-cran-lme4)")
    status = {}
    with open(os.path.join(OUT, "data", "datasets.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            status[r["name"]] = r["status"]
    skipped_sets = {}
    for name, st in status.items():
        if st != "ok":
            skipped_sets.setdefault(st, []).append(name)
    for st, names in skipped_sets.items():
        print(f"note: {st}: {', '.join(names)}")

    print(f"{'case':30s} {'eng-lme4 llf':>12s} {'conv':>5s} {'engine ms':>10s} {'lme4 ms':>8s}")
    rows = []
    for c in cases:
        r = {"c": c, "problems": [], "notes": [], "L": None, "E": None, "dllf": None}
        rows.append(r)
        csv_path = os.path.join(OUT, "data", c["data"] + ".csv")
        st = status.get(c["data"], "not defined in export.R")
        if st.startswith("skipped"):
            r["skip"] = f"{c['data']}: {st[len('skipped: '):]}"
            print(f"{c['id']:30s} skipped ({r['skip']})", flush=True)
            continue
        if st != "ok" or not os.path.exists(csv_path):
            r["problems"].append(f"data set {c['data']}: {st}")
            print(f"{c['id']:30s} {'ERROR':>12s}  PROBLEM: {r['problems'][0]}", flush=True)
            continue
        L, cached = fit_lme4(c, csv_path, opts["refit"])
        E = fit_engine(opts["cli"], c, csv_path, opts["repeats"])
        r["L"], r["E"], r["cached"] = L, E, cached
        if not E.get("ok"):
            r["problems"].append(f"engine error: {E.get('error')}")
        if not L.get("ok"):
            r["problems"].append(f"lme4 error: {L.get('error')} (kept in .out/lme4/; --refit-lme4 retries)")
        if E.get("ok") and L.get("ok"):
            best = max(x["logLik"] for x in (L, L.get("default") or L, L.get("bobyqa") or L) if x.get("logLik") is not None)
            r["dllf"] = E["logLik"] - best
            if r["dllf"] < -LLF_TOL:
                r["problems"].append(f"engine llf {-r['dllf']:.3g} below lme4's")
            elif r["dllf"] > LLF_TOL:
                r["notes"].append(f"lme4 stops {r['dllf']:.3g} short" + ("" if L["converged"] else " (with a convergence warning)"))
            if L.get("used") == "bobyqa":
                r["notes"].append("lme4: bobyqa's fit (the default optimizer warned)")
            try:
                r["cmp"] = compare_estimates(L, E)
            except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError) as e:
                r["cmp"] = {"remarks": [f"estimates not compared ({e!r})"]}
            r["notes"] += r["cmp"]["remarks"]
        if E.get("ok") and not E.get("converged"):
            r["problems"].append("engine not converged")
        d = "ERROR" if r["dllf"] is None else f"{r['dllf']:+.1e}"
        conv = "-" if not E.get("ok") else ("yes" if E["converged"] else "NO")
        lms = L.get("time") * 1000 if L.get("ok") else None
        tail = ("PROBLEM: " + "; ".join(r["problems"])) if r["problems"] else "; ".join(r["notes"])
        lms = "-" if lms is None else f"{lms:.0f}"
        print(f"{c['id']:30s} {d:>12s} {conv:>5s} {fmt_ms(E.get('ms')):>10s} {lms:>8s}  {tail}".rstrip(), flush=True)

    wall = time.perf_counter() - t_start
    ran = [r for r in rows if "skip" not in r]
    problems = [r for r in ran if r["problems"]]
    short = [r for r in ran if r["dllf"] is not None and r["dllf"] > LLF_TOL]
    skipped = [r for r in rows if "skip" in r]
    eng_s = sum(r["E"]["ms"] for r in ran if r["E"] and r["E"].get("ok")) / 1000
    lme_s = sum(r["L"]["time"] for r in ran if r["L"] and r["L"].get("ok"))
    n_cached = sum(1 for r in ran if r.get("cached"))
    summary = (f"{len(ran)} cases: {len(ran) - len(problems)} matched lme4 or better ({len(short)} above it), "
               f"{len(problems)} problem(s), {len(skipped)} skipped; engine {secs(eng_s)}, lme4 {secs(lme_s)} "
               f"(fits; lme4 cached for {n_cached}); wall {wall:.0f} s")
    write_report(rows, summary, opts)
    print()
    print(summary)
    for r in problems:
        print(f"  PROBLEM {r['c']['id']}: {'; '.join(r['problems'])}")
    for r in skipped:
        print(f"  skipped {r['c']['id']}: {r['skip']}")
    report = os.path.join(OUT, "report.md")
    rel = os.path.relpath(report)
    print(f"report: {report if rel.startswith('..') or not os.getcwd().startswith(ROOT) else rel}")
    return 1 if problems else 0


def write_report(rows, summary, opts):
    engine = git_state()
    lme4v = next((f"lme4 {r['L'].get('lme4')} on R {r['L'].get('R')}" for r in rows if r.get("L")), "lme4")
    res_lines = ["id\tmethod\tstatus\tllf_lme4\tllf_engine_minus_lme4\tengine_converged\tengine_ms\tlme4_ms\tfe_diff_se\tvar_rel_diff\tnotes"]
    md = ["# Sweep: engine CLI vs lme4", "",
          f"{time.strftime('%Y-%m-%d %H:%M')}; engine {engine}; {lme4v}.", "", summary, "",
          "Engine ms: the CLI's parse + fit (fastest of the runs); lme4 ms: lmer() with its default optimizer. "
          "FE diff: largest |engine - lme4| over the fixed effects, in lme4's SEs; var diff: largest relative "
          "difference of the variances, covariances and residual variance (floor: 1e-2 of the residual "
          "variance on the covariate's scale). Both are information: a difference matters only when the "
          "engine's log-likelihood is lower.", "",
          "| id | method | n | llf lme4 | engine − lme4 | FE diff (SE) | var diff | engine conv | lme4 conv (optimizer) | singular engine/lme4 | engine ms | lme4 ms |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        c, L, E = r["c"], r["L"] or {}, r["E"] or {}
        status = "skipped" if "skip" in r else ("problem" if r["problems"] else "ok")
        cmp = r.get("cmp") or {}
        fe = cmp.get("fe_se"); vr = cmp.get("var_rel")
        lms = L["time"] * 1000 if L.get("ok") else None
        res_lines.append("\t".join(str(x) for x in [
            c["id"], c["method"], status, L.get("logLik", ""), "" if r["dllf"] is None else f"{r['dllf']:.6g}",
            yn(E.get("converged")), "" if E.get("ms") is None else f"{E['ms']:.2f}", "" if lms is None else f"{lms:.0f}",
            "" if fe is None else f"{fe:.3g}", "" if vr is None else f"{vr:.3g}",
            "; ".join(r["problems"] + r["notes"] + ([r["skip"]] if "skip" in r else []))]))
        if "skip" in r:
            md.append(f"| {c['id']} | {c['method']} | | skipped: {r['skip']} | | | | | | | | |")
            continue
        lconv = "—"
        if L.get("ok"):
            lconv = ("yes" if L["converged"] else "no") + f" ({L.get('used')})"
        md.append("| " + " | ".join([
            c["id"], c["method"], str(E.get("nObs", "")), f"{L['logLik']:.6f}" if L.get("ok") else "ERROR",
            "ERROR" if r["dllf"] is None else f"{r['dllf']:+.2e}", "" if fe is None else f"{fe:.2g}",
            "" if vr is None else f"{vr:.1e}", yn(E.get("converged")), lconv,
            f"{yn(E.get('singular'))}/{yn(L.get('singular'))}", fmt_ms(E.get("ms")), "" if lms is None else f"{lms:.0f}"]) + " |")
    md += ["", "## Problems", ""]
    probs = [r for r in rows if r["problems"]]
    if not probs:
        md.append("None.")
    for r in probs:
        md += details(r, opts)
    md += ["", "## Notes (not problems)", ""]
    for r in rows:
        if r["notes"] and not r["problems"]:
            md.append(f"- {r['c']['id']}: {'; '.join(r['notes'])}")
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(OUT, "results.tsv"), "w") as f:
        f.write("\n".join(res_lines) + "\n")


def details(r, opts):
    c, L, E = r["c"], r["L"] or {}, r["E"] or {}
    csv_path = os.path.relpath(os.path.join(OUT, "data", c["data"] + ".csv"), ROOT)
    cli = os.path.relpath(opts["cli"], ROOT)
    if cli.startswith(".."):
        cli = opts["cli"]
    reml = "TRUE" if c["method"] == "REML" else "FALSE"
    out = [f"### {c['id']} ({c['method']}{'; ' + c['note'] if c['note'] else ''})", ""]
    out += [f"- {p}" for p in r["problems"]]
    out += [f"- engine (from the repository root): `{' '.join(shlex.quote(x) for x in engine_cmd(cli, c, csv_path))}`",
            f"- lme4: `Rscript -e 'library(lme4); d <- read.csv(\"{csv_path}\", na.strings = \"\", stringsAsFactors = TRUE); "
            f"m <- lmer({c['formula']}, d, REML = {reml}); print(logLik(m)); print(fixef(m)); print(VarCorr(m), comp = \"Variance\")'`"]
    if L.get("ok"):
        out.append(f"- lme4 ({L.get('used')}): logLik {L['logLik']!r}, converged {L['converged']}, singular {L['singular']}, "
                   f"sigma2 {L['sigma2']!r}, fixef {json.dumps(L['fixef'])}")
        out.append(f"  - VarCorr: " + "; ".join(f"{t['grouping']}[{','.join(t['names'])}] = {t['cov']}" for t in L["terms"]))
        for opt in ("default", "bobyqa"):
            if L.get(opt) and (L.get("bobyqa") or L["warnings"]):
                out.append(f"  - {opt}: logLik {L[opt]['logLik']!r}, warnings {L[opt]['warnings']}")
    if E.get("ok"):
        out.append(f"- engine: logLik {E['logLik']!r}, converged {E['converged']}, singular {E['singular']}, "
                   f"scale {E['scale']!r}, warnings {E.get('warnings')}")
        out.append("  - fixed effects: " + ", ".join(f"{f['name']}={f['coef']:.8g}" for f in E["fixedEffects"]))
        out.append("  - random terms: " + "; ".join(f"{t['grouping']}[{','.join(t['names'])}] = {t['cov']}" for t in E["randomTerms"]))
    out.append(f"- raw results: scripts/sweep/.out/lme4/{c['id']}.json, scripts/sweep/.out/engine/{c['id']}.json")
    out.append("")
    return out


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    sys.exit(main())
