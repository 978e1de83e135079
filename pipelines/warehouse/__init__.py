"""From parse outcomes to DuckDB and what is published from it: schema, loads, checks, exports,
the published copy, the HTML report, the run summary.

Enters: `ParseOutcome`s (or staged batches). Leaves: the warehouse file and its published outputs.
"""
