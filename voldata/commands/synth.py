"""``voldata synth --out RAW --years 2018-2020 --scale S --seed N [--messy RATE]``: seeded demo exports."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

__all__ = ["add_arguments", "run", "parse_years"]

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


def parse_years(text: str) -> list[int]:
    """``"2018-2020"`` -> ``[2018, 2019, 2020]``; ``"2020"`` -> ``[2020]``."""
    match = _YEARS.match(text)
    if not match:
        raise ValueError(f"--years must look like 2018-2020 or 2020, not {text!r}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise ValueError(f"--years {text}: the last year comes before the first")
    if first < 2000 or last > 2100:
        raise ValueError(f"--years {text}: years must lie between 2000 and 2100")
    return list(range(first, last + 1))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write the demo exports into (RAW)")
    parser.add_argument("--years", default="2018-2020", help="first-last year, e.g. 2018-2020 (default %(default)s)")
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 = city scale (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2020, help="random seed (default %(default)s)")
    parser.add_argument(
        "--messy", type=float, default=0.0, metavar="RATE", help="share of rows given realistic faults (default 0)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    try:
        years = parse_years(args.years)
        if not 0 < args.scale <= 5:
            raise ValueError(f"--scale must be in (0, 5], not {args.scale}")
        if not 0 <= args.messy <= 0.2:
            raise ValueError(f"--messy must be in [0, 0.2], not {args.messy}")
        if args.seed < 0:
            raise ValueError(f"--seed must be >= 0, not {args.seed}")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out {out} exists and is not a folder")
    except ValueError as error:
        print(f"voldata synth: {error}", file=sys.stderr)
        return 2
    from voldata.synth import generate

    summary = generate(out, years=years, scale=args.scale, seed=args.seed, messy=args.messy, progress=not args.quiet)
    counts = ", ".join(f"{t} {n:,}" for t, n in summary["tables"].items())
    print(f"voldata synth: wrote {out} ({counts})", file=sys.stderr)
    return 0
