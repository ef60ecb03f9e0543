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
    "choropleth",
    "district_polygons",
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


def save(fig: plt.Figure, name: str, *, output_dir: str | Path, close: bool = True) -> Path:
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

    Returns
    -------
    Path
        The PNG file.
    """
    if not name or any(ch in name for ch in "/\\ "):
        raise ValueError(f"figure name must be a plain file stem without spaces or slashes, not {name!r}")
    folder = Path(output_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
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


def choropleth(
    values: pd.Series,
    *,
    ax: plt.Axes | None = None,
    title: str = "",
    label: str = "",
    cmap: str = SEQUENTIAL,
    value_format: str = "{:,.0f}",
    annotate: bool = True,
) -> plt.Figure:
    """Draw the 11 districts coloured by a value (matplotlib patches; no GIS library needed).

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
    names = reference.district_names()
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
        for code, rings in shapes.items():
            x, y = _centroid(max(rings, key=_area))
            value = values.get(code, np.nan)
            text = names.get(code, code) + "\n" + ("无数据" if pd.isna(value) else value_format.format(value))
            ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="#111111",
                path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")],
            )
    everything = np.concatenate([r for rings in shapes.values() for r in rings])
    ax.set_xlim(everything[:, 0].min() - 0.02, everything[:, 0].max() + 0.02)
    ax.set_ylim(everything[:, 1].min() - 0.02, everything[:, 1].max() + 0.02)
    # Longitude degrees are shorter than latitude degrees at 23°N.
    ax.set_aspect(1 / np.cos(np.deg2rad(23.3)))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=colormap)
    fig.colorbar(mappable, ax=ax, shrink=0.6, label=label)
    return fig
