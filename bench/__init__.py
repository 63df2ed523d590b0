"""Benchmarks for Rhythm: `make bench` (or `python -m bench`) prints one table of ratios.

Every number is a ratio against a baseline measured in the same run on the same
database: timings alone say nothing across machines (DESIGN.md, rule 4 of the brief).
"""
