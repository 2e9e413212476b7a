"""The load and fault run of `make load` (see `__main__.py`); not collected by pytest."""
