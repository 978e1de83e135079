"""Tools around the product, not part of it: the synthetic corpus generator, the accuracy harness,
benchmarks and the cluster test harness. Used by the tests and `make`; never imported by `pipelines`.
"""
