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

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import mistune
import pandas as pd
from IPython.display import HTML, display

from voldata import figures
from voldata.demo import DEMO_NOTICE
from voldata.edition.workbook import TABLE_META_DIR
from voldata.publish import RANGE_DASH, SECONDARY_MARK, count_bounds, suppress

__all__ = [
    "CSV_FORMULA_PREFIXES",
    "FORMATS",
    "FIGURE_META_DIR",
    "MISSING_ENGLISH",
    "column_formats",
    "published_value",
    "published_frame",
    "display_value",
    "html_table",
    "with_units",
    "demo_line",
    "read_published_csv",
    "read_figure_meta",
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


#: How a column is written, alike in the page, the CSV and the workbook:
#: ``count`` whole numbers (grouped by thousands on the page), ``decimal`` one decimal (hours, per-10k rates),
#: ``percent`` shares and growth as percentages with one decimal (the header says %), ``code`` years,
#: months, ranks and codes (never grouped), ``by_unit`` the value column of an indicator table (each row by
#: its unit), ``text``.
FORMATS = ("count", "decimal", "percent", "code", "by_unit", "text")
# Matched against the lower-cased header.
PERCENT_WORDS = ("率", "比例", "占比", "增长", "%", "rate", "share", "yoy", "change")
DECIMAL_WORDS = ("时长", "小时", "每万", "人均", "hours", "per_10k", "per 10,000", "average")
CODE_WORDS = ("年份", "年度", "月份", "代码", "排名", "year", "month", "code", "rank")
#: An indicator table's value and unit columns (:func:`voldata.edition.analysis.indicator_table`), by language.
VALUE_UNIT_COLUMNS = (("数值", "单位"), ("Value", "Unit"))
PERCENT_UNIT = "%"


def column_formats(frame: pd.DataFrame, counts: Sequence[str] = ()) -> dict[str, str]:
    """Each column's format (one of :data:`FORMATS`), from its header (after relabelling) and its values.

    ``counts`` are columns of people counts, which may hold ``<10`` or ``x`` (always ``count``).
    """
    value_column = next((v for v, u in VALUE_UNIT_COLUMNS if {v, u} <= set(frame.columns)), None)
    formats = {}
    for column in frame.columns:
        header = str(column).lower()
        series = frame[column]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if column == value_column:
            kind = "by_unit"
        elif column in counts:
            kind = "count"
        elif not numeric:
            kind = "text"
        elif any(word in header for word in PERCENT_WORDS):
            kind = "percent"
        elif any(word in header for word in CODE_WORDS):
            kind = "code"
        elif any(word in header for word in DECIMAL_WORDS):
            kind = "decimal"
        elif pd.api.types.is_integer_dtype(series) or bool((series.dropna() % 1 == 0).all()):
            kind = "count"
        else:
            kind = "decimal"
        formats[str(column)] = kind
    return formats


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))


def _unit_format(unit: object) -> str:
    """The format of an indicator value by its unit: percentages, ratios and indices keep their decimals."""
    if unit == PERCENT_UNIT:
        return "percent"
    return {"倍": "ratio", "times": "ratio", "系数": "index", "index": "index", "小时": "hours", "hours": "hours"}.get(
        str(unit), "decimal"
    )


def published_value(value: object, kind: str, *, unit: object = None) -> object:
    """A cell as the CSV and the workbook hold it: counts whole, one decimal, shares ×100; text unchanged."""
    if _missing(value) or isinstance(value, bool):
        return None if _missing(value) else value
    if isinstance(value, str):  # a published count ("12", "<10", "x") or text
        return int(value) if kind == "count" and value.isdigit() else value
    number = float(value)
    if kind == "by_unit":
        kind = _unit_format(unit)
        if kind == "decimal" and number == round(number):
            kind = "count"
        kind = "decimal" if kind == "hours" else kind
    if kind in ("count", "code"):
        return int(round(number))
    if kind == "percent":
        return round(number * 100, 1)
    if kind == "ratio":
        return round(number, 2)
    if kind == "index":
        return round(number, 3)
    return round(number, 1)


def published_frame(frame: pd.DataFrame, formats: Mapping[str, str], *, language: str = "zh") -> pd.DataFrame:
    """The frame with every cell as :func:`published_value` writes it (object columns; yes/no as words)."""
    units = next((frame[u] for v, u in VALUE_UNIT_COLUMNS if {v, u} <= set(frame.columns)), None)
    written = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        kind = formats[str(column)]
        if kind == "text":
            yes_no = ("是", "否") if language == "zh" else ("yes", "no")
            written[column] = [
                None if _missing(v) else (yes_no[0] if v else yes_no[1]) if isinstance(v, bool) else v
                for v in frame[column]
            ]
            continue
        unit_of = units if kind == "by_unit" and units is not None else pd.Series(None, index=frame.index)
        values = [published_value(v, kind, unit=u) for v, u in zip(frame[column], unit_of, strict=True)]
        written[column] = pd.Series(values, index=frame.index, dtype=object)
    return written


def display_value(value: object, kind: str) -> str:
    """A published cell (:func:`published_value`) as the page shows it: counts grouped, years and codes not."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if kind != "count":
            return value
        # digits, or a range of digits (publish.RANGE_DASH), grouped like every other count
        low, dash, high = value.partition(RANGE_DASH)
        if low.isdigit() and (not dash or high.isdigit()):
            return f"{int(low):,}" + (f"{dash}{int(high):,}" if dash else "")
        return value
    if kind == "code":
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if kind == "by_unit":
        return f"{value:,}"
    return f"{value:,.1f}"


def with_units(formats: Mapping[str, str], *, language: str = "zh") -> dict[str, str]:
    """Headers of percentage columns with their unit: 活跃率 → 活跃率（%）, Active rate → Active rate (%)."""
    suffix = "（%）" if language == "zh" else " (%)"
    return {c: c + suffix for c, kind in formats.items() if kind == "percent" and "%" not in c}


def html_table(
    frame: pd.DataFrame, caption: str, *, formats: Mapping[str, str] | None = None, language: str = "zh"
) -> str:
    """A table as HTML with its caption in a ``<caption>``, every cell written by its column's format.

    ``frame`` holds the values as computed (shares as fractions); ``formats`` as :func:`column_formats`;
    yes/no in ``language`` ({"zh", "en"}).
    """
    formats = dict(formats or column_formats(frame))
    frame = published_frame(frame, {str(c): formats.get(str(c), "text") for c in frame.columns}, language=language)
    shown = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        kind = formats.get(str(column), "text")
        shown[column] = [display_value(v, kind) for v in frame[column]]
    body = shown.to_html(index=False, escape=True, border=0)
    body = body.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)
    return f'<div class="voldata-table">{body}</div>'


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
    number: str = "",
    demo: bool = False,
    language: str = "zh",
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
    number : str
        The table's number in the edition (``表1-1``), kept for the workbook's 目录.
    demo : bool
        Demo data: the CSV's first line says so (:func:`demo_line`), and so does the workbook.
    language : {"zh", "en"}
        Language of the headers' units and of the demo line.

    Returns
    -------
    DataFrame
        The published table (suppressed, relabelled, percentage headers marked %;
        values as computed; ``attrs["formats"]`` holds each column's format).
        The CSV holds them as :func:`published_value` writes them: counts whole,
        one decimal, shares and growth ×100. Text cells that a spreadsheet would
        take for a formula are guarded in the CSV only.
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
    if labels:
        published = published.rename(columns=dict(labels))
    counted = [dict(labels or {}).get(c, c) for c in (*suppressed_counts, *decided)]
    formats = column_formats(published, counted)
    units = with_units(formats, language=language)
    published = published.rename(columns=units)
    formats = {units.get(c, c): kind for c, kind in formats.items()}
    published.attrs["formats"] = formats
    written = published_frame(published, formats, language=language)
    types = {c: "text" if kind == "text" else "number" for c, kind in formats.items()}
    folder = Path(output_dir) / "tables"
    (folder / TABLE_META_DIR).mkdir(parents=True, exist_ok=True)
    guarded = written.copy()
    for column, kind in types.items():
        if kind == "text":
            guarded[column] = guarded[column].map(guard_csv_text)
    with open(folder / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as handle:
        if demo:
            handle.write(demo_line(language) + "\n")
        guarded.to_csv(handle, index=False)
    meta = {
        "name": name,
        "number": number,
        "title": title,
        "city_level": city_level,
        "threshold": threshold,
        "demo": demo,
        "columns": types,
        "formats": formats,
        # The unguarded cells, for the workbook (which writes text as text, so needs no guard).
        "rows": [[_json_cell(v) for v in row] for row in written.itertuples(index=False)],
    }
    (folder / TABLE_META_DIR / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return published


def read_published_csv(path: str | Path, **read_csv) -> pd.DataFrame:
    """A published table's CSV read with pandas, its first line skipped when it is the demo notice."""
    with open(path, encoding="utf-8-sig") as handle:
        demo = handle.readline().startswith("# ")
    return pd.read_csv(path, encoding="utf-8-sig", skiprows=1 if demo else 0, **read_csv)


def _json_cell(value: object) -> object:
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def demo_line(language: str = "zh") -> str:
    """The first line of a demo edition's CSV files (and the workbook's first row)."""
    return f"# {DEMO_NOTICE[language]}"


def _check_decided(frame: pd.DataFrame, column: str, threshold: int, name: str) -> None:
    if column not in frame.columns:
        raise KeyError(f"table {name}: decided column {column!r} is not in the frame")
    wrong = [v for v in frame[column].dropna() if count_bounds(v, threshold=threshold) is None]
    if wrong:
        raise ValueError(
            f"table {name}: column {column!r} is not published text (digits, <{threshold}, {SECONDARY_MARK}, a range)"
        )


def show_table(
    frame: pd.DataFrame, caption: str, *, formats: Mapping[str, str] | None = None, language: str = "zh"
) -> None:
    """Display a table in the notebook under its caption, each column written by its format.

    ``formats`` (column -> one of :data:`FORMATS`) defaults to :func:`column_formats` of the frame.
    An empty table says so (in ``language``, {"zh", "en"}).
    """
    if frame.empty:
        none = "：无。" if language == "zh" else ": none."
        display(HTML(f'<p class="caption"><strong>{html.escape(caption)}</strong>{none}</p>'))
        return
    display(HTML(html_table(frame, caption, formats=formats, language=language)))


#: Where :func:`show_figure` leaves each figure's caption and alt text for the build (removed from the edition).
FIGURE_META_DIR = ".meta"


def read_figure_meta(figures_dir: str | Path) -> dict[str, dict]:
    """The captions and alt texts :func:`show_figure` left in ``figures/.meta``: name -> {caption, alt}."""
    folder = Path(figures_dir) / FIGURE_META_DIR
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def show_figure(
    fig,
    name: str,
    caption: str,
    *,
    output_dir: str | Path,
    alt: str = "",
    language: str = "zh",
    mark: str | None = None,
) -> Path:
    """Save a figure as PNG + SVG in ``output_dir/figures`` and show it as a captioned figure.

    ``alt`` is the image's text alternative (what it shows and its main finding); the caption
    (already numbered) follows the image, with the files it was saved as. ``mark`` (the demo
    mark) is drawn on the figure, so a copied file still says it.
    """
    png = figures.save(fig, name, output_dir=output_dir, mark=mark)
    meta = Path(output_dir) / "figures" / FIGURE_META_DIR
    meta.mkdir(exist_ok=True)
    (meta / f"{name}.json").write_text(
        json.dumps({"name": name, "caption": caption, "alt": alt or caption}, ensure_ascii=False), encoding="utf-8"
    )
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    stem = html.escape(png.stem)
    if language == "zh":
        files = f"（图件：<code>figures/{stem}.png</code>、<code>.svg</code>）"
    else:
        files = f" (files: <code>figures/{stem}.png</code>, <code>.svg</code>)"
    display(
        HTML(
            f'<figure class="voldata-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt or caption)}">'
            f'<figcaption>{html.escape(caption)}<span class="files">{files}</span></figcaption></figure>'
        )
    )
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


#: What the English edition shows for a passage that has no English text yet.
MISSING_ENGLISH = "*(This passage has no English text yet; see the Chinese edition.)*"


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
