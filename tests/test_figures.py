"""The figure theme: the CJK font renders without missing glyphs or warnings; files are PNG and SVG."""

import warnings

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pandas as pd
import pytest
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


def _label_boxes(fig):
    """Each label's text as rendered (an annotation's own extent would include its leader line)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return {
        label.get_gid(): matplotlib.text.Text.get_window_extent(label, renderer)
        for label in figures.map_labels(fig.axes[0])
    }


def _leader_points(fig):
    """Points along each leader line (display coordinates), by label."""
    ax = fig.axes[0]
    lines = {}
    for label in figures.map_labels(ax):
        if isinstance(label, matplotlib.text.Annotation):
            start = np.asarray(ax.transData.transform(label.xyann))
            end = np.asarray(ax.transData.transform(label.xy))
            lines[label.get_gid()] = [start + (end - start) * k for k in np.linspace(0.15, 1, 40)]
    return lines


@pytest.mark.parametrize("value_format", ["{:,.1f}", "{:,.0f}"])
def test_map_labels_never_overlap(value_format):
    """Every pair of district labels, by their rendered extents, with the widest values the map shows."""
    figures.set_theme()
    codes = list(reference.districts()["district_code"])
    values = pd.Series([12345.6 - i for i in range(len(codes))], index=codes)
    values.iloc[1] = float("nan")  # 越秀区: the longest text, 无数据
    fig = figures.choropleth(values, label="人/万人", value_format=value_format)
    boxes = _label_boxes(fig)
    assert len(boxes) == 11
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in list(boxes)[i + 1 :] if boxes[a].overlaps(boxes[b])]
    assert overlaps == []
    crossings = [
        (gid, other)
        for gid, points in _leader_points(fig).items()
        for other, box in boxes.items()
        if other != gid and any(box.contains(*point) for point in points)
    ]
    assert crossings == []  # no leader line runs through another label
    # the callouts sit inside the drawing, not cut off at its edge
    frame = fig.axes[0].get_window_extent()
    for code in figures.CALLOUTS:
        box = boxes[f"district-label-{code}"]
        assert box.x0 >= frame.x0 - 1 and box.y0 >= frame.y0 - 1


def test_map_labels_would_overlap_at_the_centroids():
    """The check above can fail: without the callouts, the central districts' labels collide."""
    figures.set_theme()
    codes = list(reference.districts()["district_code"])
    values = pd.Series([12345.6] * len(codes), index=codes)
    saved = dict(figures.CALLOUTS)
    figures.CALLOUTS.clear()
    try:
        boxes = _label_boxes(figures.choropleth(values, value_format="{:,.1f}"))
    finally:
        figures.CALLOUTS.update(saved)
    assert any(boxes[a].overlaps(boxes[b]) for i, a in enumerate(boxes) for b in list(boxes)[i + 1 :])


def test_district_bars_sorted_with_the_city_marked():
    figures.set_theme()
    values = pd.Series({"甲区": 0.2, "乙区": float("nan"), "丙区": 0.4, "丁区": 0.3})
    fig = figures.district_bars(values, city=0.25, percent=True)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["丙区", "丁区", "甲区"]
    assert [round(p.get_width(), 2) for p in ax.patches] == [0.4, 0.3, 0.2]
    assert [tuple(line.get_xdata()) for line in ax.lines] == [(0.25, 0.25)]
    assert "全市 25.0%" in [t.get_text() for t in ax.texts]
    assert "乙区" in ax.get_xlabel()  # the hidden district is named, not silently dropped
