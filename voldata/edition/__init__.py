"""The annual edition: chapter parameters, generated prose, published tables, HTML, privacy gate.

Notebooks import from here; the heavy parts (nbconvert, the workbook reader)
are imported only by the functions that need them, so a chapter's kernel
starts quickly.
"""

from __future__ import annotations

from voldata.edition import text
from voldata.edition.chapter import (
    CHAPTERS,
    DEMO_MARK,
    Chapter,
    ParameterError,
    is_demo_store,
    open_chapter,
    resolve_store,
    validate_parameters,
)
from voldata.edition.output import demo_notice, publish_table, say, show_figure, show_table

__all__ = [
    "CHAPTERS",
    "DEMO_MARK",
    "Chapter",
    "ParameterError",
    "demo_notice",
    "is_demo_store",
    "open_chapter",
    "publish_table",
    "resolve_store",
    "say",
    "show_figure",
    "show_table",
    "text",
    "validate_parameters",
]
