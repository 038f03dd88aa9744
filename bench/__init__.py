"""Benchmarks for kg (issue 5): `python bench/run.py`, and `python bench/profile.py`."""
