#!/bin/sh
# Regenerate the reference cases made by scripts/reference:
#   1. export the textbook data sets (lme4, nlme) to test/fixtures/data/*.csv
#   2. fit every case of scripts/reference/cases.json with statsmodels and with lme4
#      -> test/fixtures/reference/<case>.{statsmodels,lme4}.json
#   3. redo statsmodels' at_optimum record with the fresh lme4 fits (lme4's optimum is one of its
#      starting points and its log-likelihood the check; see test/fixtures/reference/README.md)
#   4. merge the cases into test/fixtures/cases.json (cases marked "pending" go to
#      test/fixtures/cases.pending.json)
# Usage: sh scripts/reference/make.sh [CASE ...]     (REPEATS=N for the timing runs, default 3)
# Needs /usr/bin/python3 with statsmodels 0.13.5 + pandas, and Rscript with lme4 (+ nlme, jsonlite;
# lmerTest optional): apt-get install -y python3-statsmodels python3-pandas r-base-core r-cran-lme4
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPEATS=${REPEATS:-3}
Rscript "$HERE/export_data.R"
/usr/bin/python3 "$HERE/fit_statsmodels.py" --repeats "$REPEATS" "$@"
Rscript "$HERE/fit_lme4.R" --repeats "$REPEATS" "$@"
/usr/bin/python3 "$HERE/fit_statsmodels.py" --at-optimum-only "$@"
/usr/bin/python3 "$HERE/merge_cases.py"
