#!/bin/bash
# Reproduce: python -m tools.synth --out /tmp/nights/corpus --n 20000 --seed 5 --formats tab_text,pipe_text,markdown,separator,line_text,pdf_text
# then night.sh full; night.sh unchanged; python tools/nights/modify.py /tmp/nights/corpus/raw 1; night.sh pct1
# JOB=ingest_noreview uses tools/nights/bench_defs.py (ingest without review_page) — set the command below accordingly.
# usage: night.sh NAME  — one ingest run over /tmp/nights/corpus/raw into /tmp/nights/wh, sampled.
set -u
NAME=$1
export DAGSTER_HOME=/tmp/nights/dh DAGSTER_STORAGE_DIR=/tmp/nights/dh/storage DAGSTER_ARTIFACT_DIR=/tmp/nights/dh/artifacts \
  DAGSTER_COMPUTE_LOG_DIR=/tmp/nights/dh/logs DISCLOSURE_RAW_DIR=${RAW:-/tmp/nights/corpus/raw} \
  DISCLOSURE_DB_PATH=${DB:-/tmp/nights/wh/disclosure.duckdb} DISCLOSURE_CORRECTIONS_DIR=/tmp/nights/corrections
cd "$(dirname "$0")/../.."
mkdir -p $DAGSTER_HOME /tmp/nights/corrections /tmp/nights/out
ln -sf "$PWD/dagster.yaml" $DAGSTER_HOME/dagster.yaml
test -d $DAGSTER_STORAGE_DIR || .venv/bin/dagster instance migrate > /dev/null
/usr/bin/time -v -o /tmp/nights/out/$NAME.time .venv/bin/python tools/nights/sampled.py --samples /tmp/nights/out/$NAME.rss -- \
  .venv/bin/dagster job execute -f tools/nights/bench_defs.py -j ${JOB:-ingest} > /tmp/nights/out/$NAME.log 2>&1
echo "rc $?"
tail -8 /tmp/nights/out/$NAME.log | grep -E "wall|pid" 
grep -E "Elapsed|Maximum resident" /tmp/nights/out/$NAME.time
.venv/bin/python tools/nights/step_times.py --samples /tmp/nights/out/$NAME.rss --json /tmp/nights/out/$NAME.json
