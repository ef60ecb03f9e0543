"""What a chapter shows and publishes: prose, tables (always suppressed), figures.

:func:`publish_table` is the one way a chapter writes a table: it passes the
frame through :func:`voldata.publish.suppress` and writes
``<output_dir>/tables/<name>.csv`` (UTF-8 with BOM, so Excel opens Chinese
correctly) with a small description beside it (title and each column's type,
``number`` or ``text``), from which the build writes the workbook.

:func:`render_prose` is the one way text reaches a page: Markdown for
emphasis, lists and code, with every HTML tag, link and autolink shown as
text, so no string from the data (a title, a team or street name) can become
live content however a sentence interpolates it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import mistune
import pandas as pd
from IPython.display import HTML, Image, display

from voldata import figures
from voldata.edition.workbook import TABLE_META_DIR
from voldata.publish import SECONDARY_MARK, suppress

__all__ = [
    "CSV_FORMULA_PREFIXES",
    "publish_table",
    "guard_csv_text",
    "show_table",
    "show_figure",
    "render_prose",
    "say",
]

_NAME = re.compile(r"^[0-9A-Za-z_]+$")
# Spreadsheet programs read a cell that starts with one of these as a formula (OWASP, CSV injection).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_csv_text(value: object) -> object:
    """A text cell as the CSV holds it: prefixed with ``'`` where a spreadsheet would read a formula.

    A carriage return becomes a line feed, which the CSV writer quotes (it leaves a lone CR
    unquoted, and a reader would end the row there). Anything but text is unchanged.
    """
    if not isinstance(value, str):
        return value
    guarded = "'" + value if value.startswith(CSV_FORMULA_PREFIXES) else value
    return guarded.replace("\r\n", "\n").replace("\r", "\n")


def _column_types(frame: pd.DataFrame, counts: Sequence[str]) -> dict[str, str]:
    """Each column's type: ``number`` for counts (digits or ``<10``) and numeric columns, ``text`` otherwise."""
    types = {}
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        types[str(column)] = "number" if column in counts or numeric else "text"
    return types


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
    decided: Sequence[str] = (),
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
    decided : sequence of str
        Count columns already published by one decision of :mod:`voldata.publish`
        (:meth:`~voldata.publish.Disclosure.publish_districts`,
        :func:`~voldata.publish.suppress_parts` …): text holding digits, ``<threshold``
        or the secondary mark, written as it is (typed as numbers). Anything else
        in them is refused, so a raw count cannot slip through.

    Returns
    -------
    DataFrame
        The published table (suppressed, relabelled). Text cells that a
        spreadsheet would take for a formula are guarded in the CSV only.
    """
    if not _NAME.match(name):
        raise ValueError(f"table name must use letters, digits and _ only, not {name!r}")
    rates = dict(rates or {})
    missing = [c for c in (*counts, *rates) if c not in frame.columns]
    if missing:
        raise KeyError(f"table {name}: columns {missing} are not in the frame ({list(frame.columns)})")
    suppressed_counts = [] if city_level else list(counts)
    for column in decided:
        _check_decided(frame, column, threshold, name)
    published = suppress(
        frame.reset_index(drop=True),
        counts=suppressed_counts,
        rates={} if city_level else rates,
        threshold=threshold,
    )
    types = _column_types(published, [*suppressed_counts, *decided])
    if labels:
        published = published.rename(columns=dict(labels))
        types = {labels.get(column, column): kind for column, kind in types.items()}
    folder = Path(output_dir) / "tables"
    (folder / TABLE_META_DIR).mkdir(parents=True, exist_ok=True)
    written = published.copy()
    for column, kind in types.items():
        if kind == "text":
            written[column] = written[column].map(guard_csv_text)
    written.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    meta = {"name": name, "title": title, "city_level": city_level, "threshold": threshold, "columns": types}
    (folder / TABLE_META_DIR / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return published


def _check_decided(frame: pd.DataFrame, column: str, threshold: int, name: str) -> None:
    if column not in frame.columns:
        raise KeyError(f"table {name}: decided column {column!r} is not in the frame")
    marks = {f"<{threshold}", SECONDARY_MARK}
    wrong = [v for v in frame[column].dropna() if not (isinstance(v, str) and (v.isdigit() or v in marks))]
    if wrong:
        raise ValueError(f"table {name}: column {column!r} is not published text (digits, <{threshold}, x)")


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
    if frame.empty:
        display(HTML(f'<p class="caption"><strong>{html.escape(caption)}</strong>：无。</p>'))
        return
    display(HTML(_html_table(frame, caption)))


def show_figure(fig, name: str, caption: str, *, output_dir: str | Path) -> Path:
    """Save a figure as PNG + SVG in ``output_dir/figures`` and show the PNG with its caption."""
    png = figures.save(fig, name, output_dir=output_dir)
    display(Image(filename=str(png)))
    say(zh=f"*{caption}*（图件：`figures/{png.stem}.png`，`.svg`）")
    return png


def _prose_renderer() -> mistune.Markdown:
    markdown = mistune.create_markdown(escape=True)
    for rule in ("link", "link_close", "auto_link", "auto_email", "inline_html"):
        markdown.inline.rules.remove(rule)
    markdown.block.rules.remove("ref_link")
    return markdown


_PROSE = _prose_renderer()


def render_prose(text: str) -> str:
    """Markdown prose as HTML: emphasis, lists, quotes and code; tags, links and autolinks stay text."""
    return _PROSE(text)


def say(zh: str, en: str | None = None, *, language: str = "zh") -> None:
    """Display one passage of the report (Markdown) in the edition's language.

    Parameters
    ----------
    zh : str
        The Chinese text.
    en : str, optional
        The English text, for the English edition.
    language : {"zh", "en"}
        Which of the two to show.
    """
    text = {"zh": zh, "en": en}[language]
    if text is None:
        raise ValueError(f"this passage has no {language!r} text yet: {zh[:40]!r}")
    display(HTML(render_prose(text)))
