#!/bin/sh
# Inference sweep: the CLI's t tests with Satterthwaite / Kenward-Roger df, ANOVA tables of types
# 1, 2, 3 and likelihood-ratio tests against lmerTest, pbkrtest and lme4's anova on the models of
# scripts/sweep/cases.tsv (those with a fixed effect besides the intercept).
#
# Usage: sh scripts/sweep/inference.sh [--refit-r] [--jobs N] [--cli FIT.js] [ID ...]
#   ID ...      only these cases (default all)
#   --refit-r   rerun R even where .out/inference/r/ID.PART.json is up to date
#   --jobs N    cases run at once (default 2)
#   --cli FIT.js  another build of the CLI; the build step is skipped
#
# Builds the CLI when src/ is newer than the build (as run.sh), then runs inference.py. Outputs in
# scripts/sweep/.out/inference/ (report.md, results.tsv, r/ with R's results per case and part).
# Exit status: 0 all within tolerance, 1 a comparison beyond tolerance, 2 could not run.
# Needs node (npm ci done), /usr/bin/python3 and Rscript with lme4, lmerTest, pbkrtest, jsonlite.
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
  info="$ROOT/build/cli/.tsbuildinfo"
  if [ ! -f "$ROOT/build/cli/src/cli/fit.js" ] || [ ! -f "$info" ] ||
     [ -n "$(find "$ROOT/src/engine" "$ROOT/src/report" "$ROOT/src/cli" -newer "$info" -print | head -n 1)" ]; then
    echo "inference: building the CLI (npm run build:cli)"
    (cd "$ROOT" && npm run --silent build:cli) || { echo "inference: the CLI does not build" >&2; exit 2; }
  fi
fi
exec /usr/bin/python3 "$HERE/inference.py" "$@"
