"""voldata: the Guangzhou Community Volunteer Service Development Report, computed from platform exports."""

from __future__ import annotations

from voldata.store import load, scan, tables

__all__ = ["load", "scan", "tables", "__version__"]
__version__ = "0.1.0"
