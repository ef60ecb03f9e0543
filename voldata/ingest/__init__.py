"""Ingest: platform exports (CSV, XLSX) → the canonical, pseudonymised Parquet store.

``ingest(raw_paths, store=..., key=...)`` is the whole pipeline: find the
files, recognise each table from its header row, read every cell as text,
drop PII and pseudonymise ID numbers at once, turn values into canonical
codes and types, quarantine what cannot be stored (with a reason), and
replace the store atomically. See ``voldata.ingest.quarantine`` for the
reasons.
"""
from __future__ import annotations

from voldata.ingest.identity import KEY_ENV, key_fingerprint, load_key
from voldata.ingest.pipeline import ingest
from voldata.ingest.quarantine import REASONS
from voldata.ingest.readers import IngestError

__all__ = ["ingest", "IngestError", "load_key", "key_fingerprint", "KEY_ENV", "REASONS"]
