"""Fuzzing the readers with mutated real files: seeds, mutations, supervised cases, saved failures.

`make fuzz` runs it for minutes (tools/fuzz/__main__.py); tests/test_fuzz_readers.py runs a short,
derandomised slice of it in every test run and replays the failures saved in tests/fuzz_crashes/.
"""
