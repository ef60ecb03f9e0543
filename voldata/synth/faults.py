"""Realistic faults injected into demo exports on request (``--messy RATE``).

Two families:

* faults ingest must *quarantine* (expected = the quarantine reason code):
  bad dates, unknown ids (orphans), exact duplicate rows placed later in input
  order, hours or points out of range, an end before its start;
* value variants ingest must *accept and store* (expected = ``"stored"``):
  historical, short and English district names, full-width digits in dates,
  hours and points, hours written as ``2小时30分``.

Quarantine faults go only into rows nothing else depends on (the caller marks
them ``eligible``), so no other row becomes an orphan as a side effect; a row
carries at most one fault, and a duplicate copies a clean row.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from voldata import reference

__all__ = ["FaultInjector", "QUARANTINE_FAULTS", "ACCEPTED_FAULTS", "FAULT_COLUMNS"]

FAULT_COLUMNS = ["file", "sheet", "row_number", "table", "fault", "expected", "column", "value"]

# table -> [(fault, column, expected reason)]
QUARANTINE_FAULTS: dict[str, list[tuple[str, str | None, str]]] = {
    "volunteers": [("bad_date", "注册时间", "bad_date"), ("duplicate", None, "duplicate")],
    "party_reports": [("bad_date", "报到时间", "bad_date"), ("duplicate", None, "duplicate")],
    "teams": [("duplicate", None, "duplicate")],
    "activities": [
        ("bad_date", "开始时间", "bad_date"),
        ("orphan_team", "发布队伍编号", "orphan"),
        ("end_before_start", "结束时间", "out_of_range"),
        ("duplicate", None, "duplicate"),
    ],
    "service_records": [
        ("bad_date", "服务日期", "bad_date"),
        ("orphan_volunteer", "志愿者编号", "orphan"),
        ("orphan_activity", "活动编号", "orphan"),
        ("duplicate", None, "duplicate"),
        ("hours_out_of_range", "服务时长", "out_of_range"),
    ],
    "timebank_accounts": [("duplicate", None, "duplicate")],
    "timebank_transactions": [
        ("bad_date", "交易时间", "bad_date"),
        ("orphan_account", "账户编号", "orphan"),
        ("duplicate", None, "duplicate"),
        ("points_out_of_range", "时长", "out_of_range"),
    ],
}
# Duplicates never hurt other rows (the first occurrence is kept), so any row may be copied.
ALWAYS_ELIGIBLE = {"duplicate"}

ACCEPTED_FAULTS: dict[str, list[tuple[str, str]]] = {
    "volunteers": [("district_alias", "所属区"), ("fullwidth_date", "注册时间")],
    "party_reports": [("district_alias", "报到区")],
    "teams": [("district_alias", "所属区")],
    "activities": [("district_alias", "活动区"), ("fullwidth_date", "开始时间")],
    "service_records": [
        ("fullwidth_date", "服务日期"),
        ("fullwidth_hours", "服务时长"),
        ("hours_text", "服务时长"),
    ],
    "timebank_accounts": [("district_alias", "所属区")],
    "timebank_transactions": [("fullwidth_points", "时长"), ("fullwidth_date", "交易时间")],
}

_FULLWIDTH = str.maketrans("0123456789.-/:", "０１２３４５６７８９．－／：")


def _district_aliases() -> dict[str, list[str]]:
    """Today's Chinese district name -> accepted other spellings (historical first)."""
    aliases = {}
    for row in reference.districts().itertuples(index=False):
        historical = [a for a in str(row.aliases).split("|") if a != row.name_zh.removesuffix("区")]
        aliases[row.name_zh] = historical + [row.name_en, row.name_zh.removesuffix("区")]
    return aliases


def _hours_text(value: str) -> str:
    hours = float(value)
    whole, minutes = int(hours), round((hours - int(hours)) * 60)
    if whole == 0:
        return f"{hours:g}小时"
    return f"{whole}小时{minutes}分" if minutes else f"{whole}小时"


class FaultInjector:
    """Inject faults at ``rate`` into chunks of rows, deterministically from ``seed``.

    Parameters
    ----------
    rate : float
        Share of rows that get a fault (0 disables injection).
    seed : int
        Seed of the fault stream (independent of the data's own stream, so
        ``--messy`` changes only the faulted rows).
    """

    def __init__(self, rate: float, seed: int):
        self.rate = float(rate)
        self.rng = np.random.default_rng([seed, 7])
        self.aliases = _district_aliases()
        self._orphan_serial = 0

    def _orphan_id(self, kind: str) -> str:
        # Ids of the generator's own shape that can never exist (the real ones stay far below).
        self._orphan_serial += 1
        n = self._orphan_serial
        return {
            "orphan_volunteer": f"ZY{999_000_000 + n:09d}",
            "orphan_activity": f"HD9999{n:07d}",
            "orphan_team": f"DW9{n:06d}",
            "orphan_account": f"SJ9{n:07d}",
        }[kind]

    def _bad_date(self, value: str) -> str:
        year = value[:4] if value[:4].isdigit() else "2020"
        choice = int(self.rng.integers(0, 4))
        return [f"{year}-02-30", f"{year}-13-05", f"{year}/00/12", f"{year}1341"][choice]

    def inject(self, table: str, frame: pl.DataFrame, *, eligible: np.ndarray | None = None):
        """Return ``(frame, faults)``; each fault dict has ``position`` (row in the returned frame),
        ``fault``, ``expected``, ``column`` and ``value`` (the bad value, blank for PII)."""
        n = frame.height
        if self.rate <= 0 or n == 0:
            return frame, []
        hit = np.flatnonzero(self.rng.random(n) < self.rate)
        if len(hit) == 0:
            return frame, []
        if eligible is None:
            eligible = np.zeros(n, dtype=bool)
        quarantine = QUARANTINE_FAULTS.get(table, [])
        accepted = [(f, c, "stored") for f, c in ACCEPTED_FAULTS.get(table, [])]
        choices = self.rng.random(len(hit))
        faults, duplicates = [], []
        replacements: dict[str, dict[int, str]] = {}
        for position, u in zip(hit.tolist(), choices.tolist()):
            options = [q for q in quarantine if eligible[position] or q[0] in ALWAYS_ELIGIBLE] + accepted
            if not options:
                continue
            fault, column, expected = options[int(u * len(options))]
            if fault == "duplicate":
                duplicates.append(position)
                continue
            old = frame[column][position]
            old = "" if old is None else str(old)
            if fault == "bad_date":
                new = self._bad_date(old)
            elif fault.startswith("orphan_"):
                new = self._orphan_id(fault)
            elif fault == "end_before_start":
                start = frame["开始时间"][position]
                new = f"{int(start[:4]) - 1}{start[4:]}"  # a year before the start
            elif fault == "hours_out_of_range":
                new = ["0", "30", "-1"][int(self.rng.integers(0, 3))]
            elif fault == "points_out_of_range":
                new = ["0", "-3"][int(self.rng.integers(0, 2))]
            elif fault == "district_alias":
                spellings = self.aliases.get(old)
                if not spellings:
                    continue
                new = spellings[int(self.rng.integers(0, len(spellings)))] if len(spellings) > 2 else spellings[0]
            elif fault in ("fullwidth_date", "fullwidth_hours", "fullwidth_points"):
                new = old.translate(_FULLWIDTH)
            elif fault == "hours_text":
                new = _hours_text(old)
            else:  # pragma: no cover - the tables above list every fault
                raise ValueError(fault)
            replacements.setdefault(column, {})[position] = new
            faults.append({"position": position, "fault": fault, "expected": expected, "column": column, "value": new})
        if replacements:
            frame = frame.with_columns(
                frame[column].scatter(list(values), list(values.values())) for column, values in replacements.items()
            )
        if duplicates:
            # Exact repeats of clean rows, placed after every original of the chunk.
            clean = [p for p in duplicates if all(p not in values for values in replacements.values())]
            frame = pl.concat([frame, frame[clean]])
            for k, original in enumerate(clean):
                faults.append(
                    {
                        "position": n + k,
                        "fault": "duplicate",
                        "expected": "duplicate",
                        "column": "",
                        "value": "",
                        "original": original,
                    }
                )
        faults.sort(key=lambda f: f["position"])
        return frame, faults
