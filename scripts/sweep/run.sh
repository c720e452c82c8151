#!/bin/sh
# Robustness sweep: the engine's CLI against R's lme4 on the models of scripts/sweep/cases.tsv
# (textbook data sets of lme4, nlme, mlmRev, MASS and R's datasets).
#
# Usage: sh scripts/sweep/run.sh [--refit-lme4] [--repeats N] [--cli FIT.js] [ID ...]
#   ID ...        only these cases (ids of cases.tsv; default all)
#   --refit-lme4  refit lme4 even where .out/lme4/ID.json is up to date
#   --repeats N   engine runs per case for the timing (default 3; one run when it takes over 2 s)
#   --cli FIT.js  another build of the CLI (e.g. of an older commit); the build step is skipped
#
# Steps: builds the CLI (npm run build:cli) when src/ is newer than the build; exports the data
# (export.R); fits lme4 (fit_lme4.R, kept per case in .out/lme4/ and reused while the CSV, the
# formula, the method and fit_lme4.R are unchanged); runs the engine's CLI on every case; prints
# one line per case (id, engine - lme4 log-likelihood, converged, engine ms, lme4 ms) and a
# summary; writes .out/report.md and .out/results.tsv. Outputs go to scripts/sweep/.out/.
# Exit status: 0 no problem, 1 a problem (engine log-likelihood more than 1e-4 below the better of
# lme4's default optimizer and bobyqa, engine not converged, an error), 2 could not run.
# Needs node (with npm ci done), /usr/bin/python3 and Rscript with lme4 (nlme, mlmRev and MASS for
# their data sets; missing ones are skipped): apt-get install -y r-base-core r-cran-lme4 r-cran-mlmrev
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

build=yes
for a in "$@"; do
  case $a in
    --cli) build=no ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  esac
done

if [ $build = yes ]; then
  cli="$ROOT/build/cli/src/cli/fit.js"
  info="$ROOT/build/cli/.tsbuildinfo"
  if [ ! -f "$cli" ] || [ ! -f "$info" ] ||
     [ -n "$(find "$ROOT/src/engine" "$ROOT/src/report" "$ROOT/src/cli" "$ROOT/bench" \
             "$ROOT/tsconfig.json" "$ROOT/tsconfig.cli.json" -newer "$info" -print | head -n 1)" ]; then
    if [ ! -d "$ROOT/node_modules/typescript" ]; then
      echo "sweep: run npm ci in $ROOT first (TypeScript is needed to build the CLI)" >&2
      exit 2
    fi
    echo "sweep: building the CLI (npm run build:cli)"
    (cd "$ROOT" && npm run --silent build:cli) || { echo "sweep: the CLI does not build" >&2; exit 2; }
  fi
fi

exec /usr/bin/python3 "$HERE/sweep.py" "$@"
