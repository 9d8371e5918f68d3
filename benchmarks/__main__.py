"""Run the benchmarks: ``python -m benchmarks [SUITE …]`` (all by default; suites are listed in SUITES)."""

from __future__ import annotations

import argparse
import importlib
import sys

SUITES = ["api", "feeds", "briefs", "dates", "serve", "pages", "scale", "imports"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "suites", nargs="*", metavar="SUITE", help=f"which suites to run: {', '.join(SUITES)} (default: all)"
    )
    parser.add_argument("--events", type=int, default=10_000, help="synthetic events to seed (default 10000)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.suites) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    from benchmarks.harness import setup_django

    setup_django()
    for name in args.suites or SUITES:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                print(f"(no {name} benchmark yet)")
                continue
            raise
        module.run(events=args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
