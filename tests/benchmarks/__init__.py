"""Benchmarks run by `make bench` (see `__main__.py`); not collected by pytest."""
