#!/bin/sh
# Profile-interval sweep: the engine's CLI (--confint profile) against lme4's
# confint(m, method = "profile") on the models of scripts/sweep/cases.tsv.
#
# Usage: sh scripts/sweep/profile.sh [--refit-lme4] [--zeta] [--jobs N] [--limit S] [--cli FIT.js] [ID ...]
#   ID ...        only these cases (ids of cases.tsv; default all)
#   --refit-lme4  profile with lme4 again even where .out/profile/lme4/ID.json is up to date
#   --zeta        for each disagreement (and each bound where lme4 has NA), the exact ζ at both
#                 programs' bounds (profile_zeta.R): the right bound has ζ = ±1.96
#   --jobs N      lme4 profiles run at once (default 2)
#   --limit S     seconds for each lme4 profile (default 60); a profile over it is skipped
#   --cli FIT.js  another build of the CLI (its mixedlm.js); the build step is skipped
#
# Builds the CLI when src/ is newer than the build (as run.sh), then runs profile.py. Outputs in
# scripts/sweep/.out/profile/: lme4/ID.json (kept per case), engine/ID.json, report.md, results.tsv.
# Exit status: 0 every bound agrees, 1 a disagreement or an engine error, 2 could not run.
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
  if [ ! -f "$ROOT/build/cli/mixedlm.js" ] || [ ! -f "$info" ] ||
     [ -n "$(find "$ROOT/src/engine" "$ROOT/src/report" "$ROOT/src/cli" \
             "$ROOT/tsconfig.json" "$ROOT/tsconfig.cli.json" -newer "$info" -print | head -n 1)" ]; then
    echo "profile: building the CLI (npm run build:cli)"
    (cd "$ROOT" && npm run --silent build:cli) || { echo "profile: the CLI does not build" >&2; exit 2; }
  fi
fi

exec /usr/bin/python3 "$HERE/profile.py" "$@"
