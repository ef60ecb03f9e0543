"""Ingest: platform exports (CSV, XLSX) → the canonical, pseudonymised Parquet store.

``ingest(raw_paths, store=..., key=...)`` is the whole pipeline (:mod:`~voldata.ingest.pipeline`, which reads as its
steps): find the files; per file, recognise its table from its header row, read every cell as text, drop PII and
pseudonymise ID numbers at once (:mod:`~voldata.ingest.readers`, :mod:`~voldata.ingest.identity`), turn values into
canonical codes and types with each row's first problem (:mod:`~voldata.ingest.values`,
:mod:`~voldata.ingest.canonical`) and stage the result; per table, one lazy query quarantines duplicates and orphans
(:mod:`~voldata.ingest.quarantine`) and writes the rest sorted by key, one file per year
(:mod:`~voldata.ingest.writer`); finally the quarantine and the report are written and the store is replaced atomically.

Choices where the data contract is silent
-----------------------------------------
* ``id_valid`` is checked for 居民身份证 (and for a blank 证件类型); for every other document type it is null (not
  checked: no check digit to test). Unlisted document types (军官证 …) count as ``other_id``.
* Gender and birth year are taken from the ID number only when it passes the GB 11643 check. An unknown gender word is
  treated as blank.
* Fall-back vocabularies (education → unknown, political_status / team_type → other) also take blank cells.
* 合作社工机构 and 慈善资源: 否/无/没有/不是/0/false/no and blank are False; any other text is True.
* Hours: ``2.5``, ``2.5小时``, ``2小时30分``, ``30分钟``, ``2:30``; a number outside (0, 24], negative included, is
  ``out_of_range``; text that is not a number is ``bad_number``. Points and 招募人数: a number that is not whole (or
  below 1 / 0), or that is an ID or phone number (a shifted row), is ``out_of_range``.
* Dates: years outside 1900-2100 are ``bad_date``. Datetimes are naive local time; fractions of a second are dropped.
* A row's reason is its first problem, column by column in store order; duplicates are looked for among rows without a
  value problem, orphans among the rest (so a corrected later copy of a bad row is stored). An alternate key only counts
  when all its parts are present (manual records without a sign-in time are not duplicates of each other).
* Rows blank in every cell are not rows (not read, not counted). In CSV, short rows are padded with blanks and cells
  beyond the header are dropped.
* Columns not in the contract are ignored (named on stderr) and never reach the store or the quarantine, so an
  unexpected PII column cannot leak.
* ID and phone numbers in free text (``str`` columns that are not identifiers: titles, team names, streets, communities,
  service items) are masked (:mod:`voldata.personal`) and counted per file in the report (``numbers_masked``);
  identifiers and codes are left as they are. Every value and detail a quarantined row keeps is masked the same way.
* A control character (C0 but tab and line breaks, DEL, C1) in any cell read, the ID number's included, quarantines the
  row (``control_character``).
* A date after the ingest date (a birth year after this year) is ``out_of_range``. A bare number in a CSV date column is
  ``bad_date``: Excel serial dates are read from numbers in workbook date columns only.
* A workbook sheet whose header matches no table (notes, 说明) is skipped and listed under ``skipped_sheets``; a
  workbook with no table at all is an error. Two columns with the same (normalised) contract header are an error naming
  both. A merged range's cells all take its anchor's value.
* Files inside a RAW folder must be regular files inside it: a link to a file outside the folder, or a pipe or device,
  stops the ingest naming it.
* The pseudonymisation key has at least 32 characters (see :data:`~voldata.ingest.identity.KEY_MINIMUM`); nothing
  derived from it is written to the report.
* A CSV whose header is a demo generator's fault list (``file, sheet, row_number, table, fault, expected, ...``) is
  skipped like the non-export files, and listed under ``skipped_files`` in the report.
* Input order (for "first occurrence kept"): RAW arguments in the order given, files within a folder by relative path,
  sheets in workbook order.
* A STORE folder that exists but is not a voldata store is never replaced.
"""

from __future__ import annotations

from voldata.ingest.identity import KEY_ENV, KEY_MINIMUM, load_key
from voldata.ingest.pipeline import ingest
from voldata.ingest.quarantine import REASONS
from voldata.ingest.readers import IngestError

__all__ = ["ingest", "IngestError", "load_key", "KEY_ENV", "KEY_MINIMUM", "REASONS"]
