"""`python -m pipelines.ingest`: a whole ingest without Dagster (see pipelines.ingest.run)."""

from pipelines.ingest.run import main

main()
