#!/bin/bash
# Reproduce: python -m tools.synth --out $R/corpus --n 20000 --seed 5 --formats tab_text,pipe_text,markdown,separator,line_text,pdf_text
# then night.sh full; night.sh unchanged; python tools/nights/modify.py $R/corpus/raw 1; night.sh pct1
# JOB=ingest_noreview uses tools/nights/bench_defs.py (ingest without review_page) — set the command below accordingly.
# usage: night.sh NAME  — one ingest run over $ROOT/corpus/raw into $ROOT/wh, sampled (ROOT: /tmp/nights).
set -u
NAME=$1
R=${ROOT:-/tmp/nights}
export DAGSTER_HOME=$R/dh DAGSTER_STORAGE_DIR=$R/dh/storage DAGSTER_ARTIFACT_DIR=$R/dh/artifacts \
  DAGSTER_COMPUTE_LOG_DIR=$R/dh/logs DISCLOSURE_RAW_DIR=${RAW:-$R/corpus/raw} \
  DISCLOSURE_DB_PATH=${DB:-$R/wh/disclosure.duckdb} DISCLOSURE_CORRECTIONS_DIR=$R/corrections
cd "$(dirname "$0")/../.."
mkdir -p $DAGSTER_HOME $R/corrections $R/out
ln -sf "$PWD/dagster.yaml" $DAGSTER_HOME/dagster.yaml
test -d $DAGSTER_STORAGE_DIR || .venv/bin/dagster instance migrate > /dev/null
/usr/bin/time -v -o $R/out/$NAME.time .venv/bin/python -m tools.peak_rss --interval 0.5 --samples $R/out/$NAME.rss -- \
  .venv/bin/dagster job execute -f tools/nights/bench_defs.py -j ${JOB:-ingest} > $R/out/$NAME.log 2>&1
echo "rc $?"
tail -8 $R/out/$NAME.log | grep -E "wall|pid" 
grep -E "Elapsed|Maximum resident" $R/out/$NAME.time
.venv/bin/python tools/nights/step_times.py --samples $R/out/$NAME.rss --json $R/out/$NAME.json
