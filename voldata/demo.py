"""The demo data's mark: every file the demo generator writes carries it in its name, and an edition built
from such files says so on every page."""

from __future__ import annotations

__all__ = ["DEMO_MARK", "DEMO_MARK_EN", "is_demo_store"]

DEMO_MARK = "示例数据"
#: The mark in the English edition.
DEMO_MARK_EN = "Demo data"


def is_demo_store(report: dict) -> bool:
    """True when the store was ingested from the demo generator's files (an ingest report's file names)."""
    return any(DEMO_MARK in str(entry.get("file", "")) for entry in report.get("files", []))
