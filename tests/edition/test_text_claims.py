"""Words that claim no more than the numbers: the trend-word rule, zero growth, unadjusted ratios,
growth against a partial first year, and the nominal contribution value."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from voldata.edition import text as t


@pytest.mark.parametrize(
    ("growth", "word"),
    [
        (0.0501, "增长"),
        (0.05, "基本持平"),  # the band is inclusive
        (0.0, "基本持平"),
        (-0.05, "基本持平"),
        (-0.0501, "下降"),
        (27.03, "增长"),
        (None, None),
        (math.nan, None),
    ],
)
def test_trend_word_rule(growth, word):
    assert t.trend_word(growth) == word


def test_versus_last_year_wording():
    assert t.versus_last_year(0.123) == "比上年增长12.3%"
    assert t.versus_last_year(-0.06) == "比上年下降6.0%"
    assert t.versus_last_year(0.012) == "与上年基本持平（增长1.2%）"
    assert t.versus_last_year(-0.03) == "与上年基本持平（下降3.0%）"
    assert t.versus_last_year(None) == "无上年数据可比"
    for zero in (0.0, 0.0004, -0.0004):
        assert t.versus_last_year(zero) == "与上年持平"
        assert "比上年与上年" not in t.versus_last_year(zero)


def test_relative_change():
    assert t.relative_change(105, 100) == pytest.approx(0.05)
    assert t.relative_change(1, 0) is None and t.relative_change(None, 3) is None


def test_an_unadjusted_ratio_of_1004_makes_no_claim():
    phrase = t.compared_with(1.004, reference="非党员")
    assert phrase == "与非党员基本相当（1.00倍）"
    assert "体现" not in phrase and "作用" not in phrase
    assert t.compared_with(1.3, reference="非党员") == "是非党员的1.30倍"
    assert t.compared_with(0.9, reference="非党员") == "是非党员的0.90倍"
    assert t.compared_with(None, reference="非党员") == "与非党员的比较无法计算"


def test_growth_against_the_time_bank_launch_year_is_marked():
    assert t.TIMEBANK_LAUNCH == dt.date(2019, 8, 26)
    note = t.partial_year_note(2020)
    assert note == "（时间银行2019年8月26日上线，2019年数据不足一年，增长率不宜直接比较）"
    assert t.partial_year_note(2019) == "（时间银行2019年8月26日上线，2019年数据不足一年）"
    assert t.partial_year_note(2021) == ""
    assert t.partial_year_note(2020, started=dt.date(2019, 1, 1)) == ""


def test_nominal_value_change_shows_the_hours_effect_apart():
    change = {
        "value_yoy": 0.10,
        "hours_yoy": 0.02,
        "hourly_wage_yoy": 0.078,
        "hours_effect": 2_000_000.0,
        "wage_effect": 8_000_000.0,
    }
    phrase = t.nominal_value_change(change)
    assert phrase.startswith("按当年工资计算的名义价值比上年增长10.0%")
    assert "服务时长变化（与上年基本持平（增长2.0%））带来增加200.0万元" in phrase
    assert "小时工资变化（比上年增长7.8%）带来增加800.0万元" in phrase
    assert t.nominal_value_change({"value_yoy": None}) == "按当年工资计算的名义价值；无上年数据可比"


def test_a_planted_ratio_of_1_004_gives_no_causal_sentence(fixture_store, tmp_path):
    """总报告 executed with party_hours_ratio = 1.004 words it as about the same, with no cause read into it."""
    import papermill

    from voldata import paths
    from voldata.edition.chapter import open_chapter
    from voldata.edition.shared import write_indicators

    computed = open_chapter("01_general_report", year=2020, store=fixture_store, output_dir=tmp_path / "computed")
    planted = dict(computed.indicators, party_hours_ratio=1.004)
    indicators_file = write_indicators(tmp_path / "shared", planted, computed.district_indicators)
    executed = tmp_path / "01.ipynb"
    papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / "01_general_report.ipynb"),
        str(executed),
        parameters={
            "year": 2020,
            "store": str(fixture_store),
            "output_dir": str(tmp_path / "chapter"),
            "indicators_file": str(indicators_file),
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(paths.NOTEBOOKS_DIR),
    )
    shown = "".join(
        "".join(output.get("data", {}).get("text/html", ""))
        for cell in json.loads(executed.read_text(encoding="utf-8"))["cells"]
        for output in cell.get("outputs", [])
    )
    assert "活跃党员志愿者的人均服务时长与非党员基本相当（1.00倍）" in shown
    for causal in ("先锋模范", "体现了", "得益于", "导致"):
        assert causal not in shown
