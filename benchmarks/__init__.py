"""Benchmarks of agent-lint: ``python -m benchmarks`` from the repository root.

Measures whole ``agent-lint check`` processes (cold, warm, after one change,
one file) against the floor of reading and parsing the same files, on the
real corpus and on synthetic trees at several scales, and reports the ratios
between them. Measurement only: nothing here is imported by agent-lint.
"""
