"""Ingest: platform exports (CSV, XLSX) → the canonical, pseudonymised Parquet store.

``ingest(raw_paths, store=..., key=...)`` is the whole pipeline: start reading at :mod:`~voldata.ingest.pipeline`,
which lists its steps and the module doing each, and reads as them. The choices made where the data contract is silent
are listed in ``docs/ingest.md``.
"""

from __future__ import annotations

from voldata.ingest.identity import KEY_ENV, KEY_MINIMUM, load_key
from voldata.ingest.pipeline import ingest
from voldata.ingest.quarantine import REASONS
from voldata.ingest.readers import IngestError

__all__ = ["ingest", "IngestError", "load_key", "KEY_ENV", "KEY_MINIMUM", "REASONS"]
