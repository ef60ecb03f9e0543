"""The figure theme: the CJK font renders without missing glyphs or warnings; files are PNG and SVG."""

import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from voldata import figures, reference
from voldata.edition import privacy


def test_font_renders_chinese_without_warnings(tmp_path):
    figures.set_theme()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("广州市社区志愿服务：注册志愿者（人）")
        ax.set_xlabel("区")
        ax.plot([-1, 0, 1], [1, -2, 3])  # negative tick labels need axes.unicode_minus off
        path = figures.save(fig, "font_check", output_dir=tmp_path)
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "missing from font" in m or "findfont" in m.lower()], messages
    assert path.is_file() and path.with_suffix(".svg").is_file()


def test_theme_selects_the_bundled_cjk_font():
    figures.set_theme()
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert found.endswith("NotoSansCJKsc-Regular.otf")


def test_choropleth_draws_every_district_and_marks_missing(tmp_path):
    figures.set_theme()
    codes = list(reference.districts()["district_code"])
    values = pd.Series([float(i) for i in range(len(codes))], index=codes)
    values.iloc[0] = float("nan")
    fig = figures.choropleth(values, title="测试", label="人/万人")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert len(labels) == 11
    assert sum("无数据" in label for label in labels) == 1
    assert set(figures.district_polygons()) == set(codes)
    figures.save(fig, "map_check", output_dir=tmp_path)
    assert (tmp_path / "figures" / "map_check.svg").is_file()


def test_svg_text_is_text_so_the_privacy_gate_reads_it(tmp_path):
    figures.set_theme()
    fig, ax = plt.subplots()
    ax.set_title("联系电话 13812345678")  # a number that must never be published
    figures.save(fig, "leak", output_dir=tmp_path)
    svg = (tmp_path / "figures" / "leak.svg").read_text(encoding="utf-8")
    assert "联系电话" in svg
    assert [(f.file, f.kind) for f in privacy.scan_folder(tmp_path)] == [("figures/leak.svg", privacy.MOBILE_NUMBER)]
