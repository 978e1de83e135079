#!/bin/bash
# A measured series over $ROOT/corpus (ROOT: /tmp/nights): a full run into a fresh warehouse, two unchanged
# nights, two 1% nights (modify.py rounds $ROUND and $ROUND+1). Every night through night.sh (time -v,
# RSS samples, step times); the summaries land in $ROOT/out/NAME.summary.
# usage: ROOT=/tmp/n18 ROUND=6 tools/nights/series.sh [PREFIX]
set -u
R=${ROOT:-/tmp/nights}; P=${1:-s}; N=${ROUND:-6}
cd "$(dirname "$0")/../.."
rm -rf "$R/wh" "$R/dh"; mkdir -p "$R/out"
for night in full unchanged1 unchanged2 pct1a pct1b; do
  case $night in
    pct1a) .venv/bin/python tools/nights/modify.py "$R/corpus/raw" "$N" ;;
    pct1b) .venv/bin/python tools/nights/modify.py "$R/corpus/raw" "$((N + 1))" ;;
  esac
  ROOT=$R tools/nights/night.sh "$P-$night" > "$R/out/$P-$night.summary" 2>&1
  echo "== $night"; cat "$R/out/$P-$night.summary"
done
