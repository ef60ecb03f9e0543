"""Small parts of the generator, checked by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from voldata.synth.calendar import day, day_weights, month_of, to_date_text, year_of
from voldata.synth.faults import FaultInjector, _hours_text


@pytest.mark.parametrize(
    "value, text", [("2.5", "2小时30分"), ("3.0", "3小时"), ("0.5", "0.5小时"), ("1.5", "1小时30分")]
)
def test_hours_text(value, text):
    assert _hours_text(value) == text


def test_day_arithmetic():
    days = np.array([day("2020-03-05"), day("2019-12-31")])
    assert year_of(days).tolist() == [2020, 2019]
    assert month_of(days).tolist() == [3, 12]
    assert to_date_text(days, "%Y年%-m月%-d日").to_list() == ["2020年3月5日", "2019年12月31日"]


def test_seasons():
    days, p = day_weights(2019)
    monthly = np.bincount(month_of(days), weights=p, minlength=13)[1:]
    assert monthly[2] > np.median(monthly) and monthly[11] > np.median(monthly)  # March, December
    assert monthly[1] == monthly.min()  # Spring Festival
    days, p = day_weights(2020)
    ordinary_2020 = np.bincount(month_of(days), weights=p, minlength=13)[1:]
    assert ordinary_2020[1] < 0.5 * monthly[1]  # February 2020: ordinary activities stopped
    days, p = day_weights(2020, "epidemic")
    epidemic = np.bincount(month_of(days), weights=p, minlength=13)[1:]
    assert epidemic[1:4].sum() > 0.5


def _records(n):
    return pl.DataFrame(
        {
            "记录编号": [f"SR{i}" for i in range(n)],
            "志愿者编号": ["ZY000000001"] * n,
            "活动编号": ["HD20200000001"] * n,
            "服务日期": ["2020-03-05"] * n,
            "服务时长": ["2.5"] * n,
        }
    )


def test_every_row_gets_one_fault_at_rate_one():
    frame = _records(40)
    out, faults = FaultInjector(1.0, seed=3).inject("service_records", frame, eligible=np.ones(40, dtype=bool))
    duplicates = [f for f in faults if f["fault"] == "duplicate"]
    assert len(faults) == 40
    assert out.height == 40 + len(duplicates)
    # Copies come after all originals, and repeat a row that carries no fault itself.
    changed = {f["position"] for f in faults if f["fault"] != "duplicate"}
    for fault in duplicates:
        assert fault["position"] >= 40 and fault["original"] not in changed
        assert out.row(fault["position"]) == frame.row(fault["original"])
    for fault in faults:
        if fault["fault"] != "duplicate":
            assert (
                out[fault["column"]][fault["position"]] == fault["value"] != frame[fault["column"]][fault["position"]]
            )


def test_rows_not_eligible_get_only_harmless_faults():
    frame = _records(60)
    _, faults = FaultInjector(1.0, seed=4).inject("service_records", frame, eligible=np.zeros(60, dtype=bool))
    assert {f["expected"] for f in faults} <= {"stored", "duplicate"}


def test_no_rate_no_faults():
    frame = _records(10)
    out, faults = FaultInjector(0.0, seed=1).inject("service_records", frame)
    assert faults == [] and out.equals(frame)
