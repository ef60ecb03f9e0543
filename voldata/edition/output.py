"""What a chapter shows and publishes: tables (always suppressed), figures, prose.

:func:`publish_table` is the one way a chapter writes a table: it passes the
frame through :func:`voldata.publish.suppress`, writes
``<output_dir>/tables/<name>.csv`` (UTF-8 with BOM, so Excel opens Chinese
correctly) plus a small description the build uses for the workbook, and
returns the published frame for display. The build collects these files.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from voldata.edition.chapter import DEMO_MARK, Chapter

__all__ = [
    "TABLE_META_DIR",
    "publish_table",
    "show_table",
    "show_figure",
    "say",
    "demo_notice",
    "read_table_meta",
]

TABLE_META_DIR = ".meta"
_NAME = re.compile(r"^[0-9A-Za-z_]+$")


def publish_table(
    frame: pd.DataFrame,
    name: str,
    *,
    output_dir: str | Path,
    title: str,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | Sequence[str]] | None = None,
    threshold: int = 10,
    labels: Mapping[str, str] | None = None,
    city_level: bool = False,
) -> pd.DataFrame:
    """Suppress small cells, write the table as CSV and return what was published.

    Parameters
    ----------
    frame : DataFrame
        One row per published unit (district, street, category …), never per person.
    name : str
        File stem: letters, digits and ``_``; chapters prefix their number (``"04_districts"``).
    output_dir : str or Path
        The chapter's output folder; the CSV goes to ``tables/``.
    title : str
        Chinese title (the workbook's table of contents uses it).
    counts : sequence of str
        Columns counting people (shown as ``<10`` below the threshold).
    rates : mapping, optional
        Derived column -> the count column(s) it is computed from (blank where
        any of them is suppressed), as :func:`voldata.publish.suppress` takes it.
        ``counts`` and ``rates`` are ignored for ``city_level`` tables.
    threshold : int
        Small-cell threshold.
    labels : mapping, optional
        Column name -> Chinese header, applied after suppression.
    city_level : bool
        City totals (one row for the whole city, or city-wide breakdowns that
        count no people) are not suppressed; they still pass through ``suppress``
        with no count columns.

    Returns
    -------
    DataFrame
        The published table (suppressed, relabelled).
    """
    from voldata.publish import suppress

    if not _NAME.match(name):
        raise ValueError(f"table name must use letters, digits and _ only, not {name!r}")
    rates = dict(rates or {})
    missing = [c for c in (*counts, *rates) if c not in frame.columns]
    if missing:
        raise KeyError(f"table {name}: columns {missing} are not in the frame ({list(frame.columns)})")
    published = suppress(
        frame.reset_index(drop=True),
        counts=[] if city_level else list(counts),
        rates={} if city_level else rates,
        threshold=threshold,
    )
    if labels:
        published = published.rename(columns=dict(labels))
    folder = Path(output_dir) / "tables"
    (folder / TABLE_META_DIR).mkdir(parents=True, exist_ok=True)
    published.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    meta = {"name": name, "title": title, "city_level": city_level, "threshold": threshold}
    (folder / TABLE_META_DIR / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return published


def read_table_meta(tables_dir: str | Path) -> dict[str, dict]:
    """The descriptions :func:`publish_table` left in ``tables/.meta``: name -> {title, …}."""
    folder = Path(tables_dir) / TABLE_META_DIR
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


PERCENT_HEADERS = ("率", "比例", "占比", "增长")


def _format_cell(value: object, *, percent: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return f"{int(value):,}" if value.isdigit() else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        number = float(value)
        if percent:
            return f"{number * 100:.1f}%"
        if number == round(number):
            return f"{number:,.0f}"
        return f"{number:,.1f}" if abs(number) >= 1 else f"{number:.3f}"
    return str(value)


def _html_table(frame: pd.DataFrame, caption: str) -> str:
    """A published table as HTML: shares and growth as percentages, counts with separators, blanks empty.

    Tables of indicators (columns 数值 and 单位) format each value by its unit.
    """
    shown = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        header = str(column)
        percent = any(word in header for word in PERCENT_HEADERS) and header not in ("单位",)
        shown[column] = [_format_cell(v, percent=percent) for v in frame[column]]
    if {"数值", "单位"} <= set(frame.columns):
        shown["数值"] = [
            _format_cell(v, percent=unit == "比例") for v, unit in zip(frame["数值"], frame["单位"], strict=True)
        ]
    body = shown.to_html(index=False, escape=True, border=0)
    return f'<div class="voldata-table"><p class="caption"><strong>{html.escape(caption)}</strong></p>{body}</div>'


def show_table(frame: pd.DataFrame, caption: str) -> None:
    """Display a (published) table in the notebook with a caption, numbers formatted; an empty one says so."""
    from IPython.display import HTML, display

    if frame.empty:
        display(HTML(f'<p class="caption"><strong>{html.escape(caption)}</strong>：无。</p>'))
        return
    display(HTML(_html_table(frame, caption)))


def show_figure(chapter: Chapter, fig, name: str, caption: str) -> Path:
    """Save a figure as PNG + SVG in the chapter's ``figures/`` and show the PNG with its caption."""
    from IPython.display import Image, Markdown, display

    from voldata import figures

    png = figures.save(fig, name, output_dir=chapter.output_dir)
    display(Image(filename=str(png)))
    display(Markdown(f"*{caption}*（图件：`figures/{png.stem}.png`，`.svg`）"))
    return png


def say(text: str) -> None:
    """Display generated Chinese prose (Markdown)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def demo_notice(chapter: Chapter) -> str:
    """The banner every chapter shows first: 示例数据 for demo stores, the data source otherwise."""
    if chapter.is_demo:
        return (
            f"> **{DEMO_MARK}**：本篇所有数字均由演示数据生成器产生，仅用于展示报告的计算方法，"
            "不代表广州市志愿服务的真实情况。"
        )
    files = len(chapter.ingest_report.get("files", []))
    return f"> 数据来源：志愿服务平台导出数据（{files}个文件），经 voldata 清洗、去标识化后计算。"
