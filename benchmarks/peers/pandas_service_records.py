"""The script an analyst would write instead of ``voldata ingest``: the service records only, with pandas.

    python benchmarks/peers/pandas_service_records.py RAW OUT

Reads every service-record CSV under ``RAW/service_records/`` (the encoding
told by the byte-order mark or by trying UTF-8, as an analyst would after
a first garbled attempt), parses the dates, times and hours, and writes
each file to ``OUT/<name>.parquet``. No checks, no pseudonymisation, no
quarantine, no duplicates or orphans: a floor to compare the ingest with.
Prints ``{"rows": N}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

COLUMNS = {
    "记录编号": "record_id",
    "志愿者编号": "volunteer_id",
    "活动编号": "activity_id",
    "服务日期": "service_date",
    "签到时间": "sign_in_at",
    "签退时间": "sign_out_at",
    "服务时长": "hours",
    "记录方式": "record_method",
    "审核状态": "status",
}


def encoding_of(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        return "utf-8" if error.start > len(head) - 4 else "gb18030"


def as_datetime(text: pd.Series) -> pd.Series:
    """``2020-03-05``, ``2020/3/5`` and ``2020年3月5日``, with or without a time."""
    text = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    return pd.to_datetime(text, format="ISO8601", errors="coerce")


def main(raw: str, out: str) -> int:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    rows = 0
    for path in sorted(Path(raw, "service_records").glob("*.csv")):
        frame = pd.read_csv(path, encoding=encoding_of(path), dtype=str)
        frame.columns = [COLUMNS[name.split("（")[0].split("(")[0].strip()] for name in frame.columns]
        for column in ("service_date", "sign_in_at", "sign_out_at"):
            frame[column] = as_datetime(frame[column])
        frame["service_date"] = frame["service_date"].dt.normalize()
        frame["hours"] = pd.to_numeric(frame["hours"], errors="coerce")
        frame.to_parquet(target / f"{path.stem}.parquet", index=False)
        rows += len(frame)
    print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
