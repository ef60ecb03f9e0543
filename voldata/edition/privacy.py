"""The privacy gate: no ID number or mobile number may leave in a built edition.

Every output file is read as text (HTML, notebooks, CSV, JSON, SVG, Markdown;
the cells of XLSX workbooks) and searched for

* 18-character resident ID numbers (居民身份证) whose last character is the
  GB 11643-1999 check digit of the first 17, and
* mainland mobile numbers ``1[3-9]`` + 9 digits that are not part of a longer run
  of digits.

Digits after a decimal point (``0.0085959885386819``) are the fraction of a
number, not an identifier, and are not searched.

Embedded images (base64) and hexadecimal digests (the manifest's sha256 values)
are blanked before the search: they are not text a reader sees, and their random
digits would otherwise look like phone numbers now and then. Findings name the
file and the kind of number, never the number itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Finding",
    "PrivacyError",
    "id_check_digit",
    "is_valid_id_number",
    "find_personal_numbers",
    "scan_text",
    "scan_file",
    "scan_folder",
]

ID_NUMBER = "ID number (居民身份证号码)"
MOBILE_NUMBER = "mobile number (手机号码)"
TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".ipynb", ".csv", ".json", ".svg", ".md", ".txt", ".tsv", ".xml", ".css", ".js"}
)
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Not inside a longer run of digits, and not the fractional part of a decimal number
# (a ratio such as 0.008595988538681949 printed in full).
_ID_CANDIDATE = re.compile(r"(?<![0-9])(?<![0-9]\.)([0-9]{17}[0-9Xx])(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?<![0-9]\.)1[3-9][0-9]{9}(?![0-9])")
_BASE64_BLOB = re.compile(r"[A-Za-z0-9+/]{120,}={0,2}")
_HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z])")


class PrivacyError(RuntimeError):
    """An output file contains something that looks like personal information."""


@dataclass(frozen=True)
class Finding:
    """One file with personal numbers in it: which file, what kind, how many (never the value)."""

    file: str
    kind: str
    count: int

    def __str__(self) -> str:
        return f"{self.file}: {self.count} × {self.kind}"


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_valid_id_number(candidate: str) -> bool:
    """True for 18 characters, 17 digits then a matching check digit (0-9 or X)."""
    if len(candidate) != 18 or not candidate[:17].isdigit():
        return False
    return id_check_digit(candidate[:17]) == candidate[17].upper()


def _blank_non_text(text: str) -> str:
    text = _BASE64_BLOB.sub(" ", text)
    return _HEX_DIGEST.sub(" ", text)


def find_personal_numbers(text: str) -> dict[str, int]:
    """Count ID numbers and mobile numbers in ``text``: {kind: count} (kinds with no match left out)."""
    text = _blank_non_text(text)
    found: dict[str, int] = {}
    ids = sum(1 for m in _ID_CANDIDATE.finditer(text) if is_valid_id_number(m.group(1)))
    if ids:
        found[ID_NUMBER] = ids
    mobiles = len(_MOBILE.findall(text))
    if mobiles:
        found[MOBILE_NUMBER] = mobiles
    return found


def scan_text(text: str, *, name: str) -> list[Finding]:
    """Findings for one piece of text, attributed to ``name``."""
    return [Finding(name, kind, n) for kind, n in find_personal_numbers(text).items()]


def _workbook_text(path: Path) -> str:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    lines = []
    for sheet in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(sheet).to_python():
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def scan_file(path: str | Path, *, root: str | Path | None = None) -> list[Finding]:
    """Findings for one output file (text files and workbooks; images are skipped)."""
    path = Path(path)
    name = path.relative_to(root).as_posix() if root is not None else path.as_posix()
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return scan_text(_workbook_text(path), name=name)
    if suffix in TEXT_SUFFIXES:
        return scan_text(path.read_text(encoding="utf-8", errors="replace"), name=name)
    return []


def scan_folder(folder: str | Path, *, files: Iterable[Path] | None = None) -> list[Finding]:
    """Scan every file under ``folder``; returns the findings (empty when clean)."""
    folder = Path(folder)
    candidates = sorted(p for p in folder.rglob("*") if p.is_file()) if files is None else files
    findings: list[Finding] = []
    for path in candidates:
        findings.extend(scan_file(path, root=folder))
    return findings
