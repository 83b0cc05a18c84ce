"""Benchmarks of clvlib against the reference libraries (run with ``python -m benchmarks``).

Never part of the test suite: timings depend on the machine and its load.
"""
