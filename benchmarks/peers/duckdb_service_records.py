"""DuckDB copying the service records into typed Parquet: what a user who knows DuckDB would run instead.

    python benchmarks/peers/duckdb_service_records.py RAW OUT

DuckDB reads UTF-8 only, so each GB18030 file is first converted with the
system's ``iconv`` into ``OUT`` (timed as part of the run, and removed at
the end). Then one ``COPY`` reads every service-record CSV under
``RAW/service_records/`` and writes ``OUT/service_records.parquet`` with
typed columns (dates in the three written forms, hours as a number). No
checks, no pseudonymisation, no quarantine, no duplicates or orphans.
Needs the ``bench`` extra (``pip install -e ".[bench]"``). Prints
``{"rows": N}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

# The written forms of the demo exports' dates and times.
FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M', '%Y年%m月%d日 %H:%M', "
    "'%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日']"
)


def utf8(path: Path, out: Path) -> Path:
    """``path`` itself when it is UTF-8, else a UTF-8 copy made by iconv in ``out``."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    try:
        head.decode("utf-8")
        return path
    except UnicodeDecodeError as error:
        if error.start > len(head) - 4:
            return path
    copy = out / f"{path.stem}.utf8.csv"
    with open(copy, "wb") as sink:
        subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", str(path)], stdout=sink, check=True)
    return copy


def main(raw: str, out: str) -> int:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    files = [utf8(path, target) for path in sorted(Path(raw, "service_records").glob("*.csv"))]
    listed = ", ".join(f"'{path}'" for path in files)
    con = duckdb.connect()
    con.execute("SET threads = 2")

    def moment(column: int) -> str:
        return f"try_strptime(column{column}, {FORMATS})"

    rows = con.execute(
        f"""
        COPY (
            SELECT column0 AS record_id, column1 AS volunteer_id, column2 AS activity_id,
                   CAST({moment(3)} AS DATE) AS service_date, {moment(4)} AS sign_in_at,
                   {moment(5)} AS sign_out_at, TRY_CAST(column6 AS DOUBLE) AS hours,
                   column7 AS record_method, column8 AS status
            FROM read_csv([{listed}], header = true, all_varchar = true, union_by_name = false,
                          names = ['column0', 'column1', 'column2', 'column3', 'column4', 'column5',
                                   'column6', 'column7', 'column8'])
        ) TO '{target / "service_records.parquet"}' (FORMAT parquet, COMPRESSION zstd)
        """
    ).fetchone()[0]
    for path in files:
        if path.parent == target:
            path.unlink()
    print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
