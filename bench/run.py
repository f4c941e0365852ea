"""Run every benchmark in bench/ and print its figures.

Usage (README): ``pip install -e '.[bench]' && python bench/run.py [NAME ...]``

Each ``bench/bench_*.py`` has a ``main()`` that measures batchtui and a peer in the same run and
prints a table of figures and ratios. Benchmarks print; they never assert timings.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench modules share bench/common.py


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    wanted = [f"bench_{n}" if not n.startswith("bench_") else n for n in argv] or names
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(names)}", file=sys.stderr
        )
        return 2
    failed = 0
    for name in wanted:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"\n## {name}")
        t0 = time.perf_counter()
        try:
            module.main()
        except Exception as e:  # one broken benchmark must not hide the others' figures
            failed += 1
            print(f"{name} failed: {type(e).__name__}: {e}")
        print(f"({name} took {time.perf_counter() - t0:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
