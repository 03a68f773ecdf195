"""Benchmarks: run with `uv run pytest tests/benchmarks -o python_files='bench_*.py'` (not in the default run)."""
