"""``python -m benchmarks [options]``: the benchmark's command line (see :mod:`benchmarks.cli`)."""

from benchmarks.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
