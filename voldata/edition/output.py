"""What a chapter shows and publishes: tables (always suppressed), figures, prose.

:func:`publish_table` is the one way a chapter writes a table: it passes the
frame through :func:`voldata.publish.suppress`, writes
``<output_dir>/tables/<name>.csv`` (UTF-8 with BOM, so Excel opens Chinese
correctly) plus a small description the build uses for the workbook, and
returns the published frame for display. The build collects these files.
"""
from __future__ import annotations

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
    rates: Sequence[str] = (),
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
    counts, rates : sequence of str
        Columns counting people, and rates or shares derived from them, as
        :func:`voldata.publish.suppress` takes them. Ignored for ``city_level`` tables.
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
    missing = [c for c in (*counts, *rates) if c not in frame.columns]
    if missing:
        raise KeyError(f"table {name}: columns {missing} are not in the frame ({list(frame.columns)})")
    published = suppress(
        frame.reset_index(drop=True),
        counts=[] if city_level else list(counts),
        rates=[] if city_level else list(rates),
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


def _html_table(frame: pd.DataFrame, caption: str) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            if pd.isna(value):
                return ""
            return f"{value:,.0f}" if value == round(value) and abs(value) >= 100 else f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
        if value is None or value is pd.NA:
            return ""
        return str(value)

    shown = frame.map(cell)
    return (
        f'<div class="voldata-table"><p class="caption"><strong>{caption}</strong></p>'
        + shown.to_html(index=False, escape=True, border=0)
        + "</div>"
    )


def show_table(frame: pd.DataFrame, caption: str) -> None:
    """Display a (published) table in the notebook with a caption, numbers formatted."""
    from IPython.display import HTML, display

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
