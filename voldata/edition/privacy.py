"""The privacy gate: no ID number or phone number may leave in a built edition.

Every output file is read as text and searched with the one rule of
:mod:`voldata.personal` (full-width forms and other scripts' digits folded,
numbers written with spaces, dashes, dots or a ``+86``/``0086`` prefix).
Text files of any kind are read whole (HTML, notebooks, CSV, JSON, SVG,
Markdown, and any file not known to be an image or a font); zip containers
(XLSX workbooks, with every sheet, the shared strings, comments and
properties) are read member by member. Character references (``&#49;``) and
JSON escapes (``\\u0031``) are decoded first, so an encoded digit is still a
digit.

Embedded images (base64), hexadecimal digests (the manifest's sha256 values)
and the fractions of decimal numbers (``0.0085959885386819``, SVG
coordinates) are blanked before the search: they are not text a reader sees
as a number to call, and their digits would otherwise look like phone
numbers now and then.

Findings name the file, the kind and count, and where the first one is, with
the number itself masked.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from voldata.personal import (
    ID_NUMBER,
    KINDS,
    LABELS,
    LANDLINE_NUMBER,
    MASK,
    MOBILE_NUMBER,
    find_personal_numbers,
    fold,
    mask_personal_numbers,
)

__all__ = [
    "Finding",
    "PrivacyError",
    "ID_NUMBER",
    "MOBILE_NUMBER",
    "LANDLINE_NUMBER",
    "scan_text",
    "scan_file",
    "scan_folder",
]

# Binary files whose bytes are no text to read.
SKIPPED_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp", ".woff", ".woff2", ".ttf", ".otf", ".eot"}
)
_BASE64_BLOB = re.compile(r"[A-Za-z0-9+/]{120,}={0,2}")
_HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z])")
# The fraction of a decimal number (not a dotted run of groups: 138.1234.5678 stays).
_DECIMAL = re.compile(r"(?<![0-9.])([0-9]+)\.[0-9]+(?![0-9]|\.[0-9])")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_EXCERPT = 24  # characters shown either side of a finding


class PrivacyError(RuntimeError):
    """An output file contains something that looks like personal information."""


@dataclass(frozen=True)
class Finding:
    """Personal numbers of one kind in one file: how many, and where the first is (its number masked)."""

    file: str
    kind: str
    count: int
    excerpt: str = ""

    def __str__(self) -> str:
        where = f" (first: …{self.excerpt}…)" if self.excerpt else ""
        return f"{self.file}: {self.count} × {LABELS[self.kind]}{where}"


def _readable(text: str) -> str:
    """The text as a reader sees it: escapes decoded, images, digests and decimal numbers blanked."""
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = html.unescape(text)
    text = _BASE64_BLOB.sub(" ", text)
    text = _HEX_DIGEST.sub(" ", text)
    # (The fraction becomes a mark no number runs across: 0.0085959885 is no phone, 13812345678.0 is.)
    return _DECIMAL.sub(r"\1|", fold(text))


def _excerpt(text: str) -> str:
    """Text around the first personal number, every number in it masked (and no line breaks)."""
    masked, _ = mask_personal_numbers(text)
    at = masked.find(MASK)
    piece = masked[max(0, at - _EXCERPT) : at + len(MASK) + _EXCERPT]
    return " ".join(piece.split())


def scan_text(text: str, *, name: str) -> list[Finding]:
    """Findings for one piece of text, attributed to ``name``."""
    readable = _readable(text)
    counts = find_personal_numbers(readable)
    if not counts:
        return []
    excerpt = _excerpt(readable)
    return [Finding(name, kind, counts[kind], excerpt) for kind in KINDS if kind in counts]


def _merge(findings: list[Finding], name: str) -> list[Finding]:
    """One finding per kind for a file whose parts were scanned apart."""
    merged: dict[str, Finding] = {}
    for finding in findings:
        if finding.kind in merged:
            first = merged[finding.kind]
            merged[finding.kind] = Finding(name, finding.kind, first.count + finding.count, first.excerpt)
        else:
            merged[finding.kind] = Finding(name, finding.kind, finding.count, finding.excerpt)
    return list(merged.values())


def scan_file(path: str | Path, *, root: str | Path | None = None) -> list[Finding]:
    """Findings for one output file: text of any kind, and every member of a zip container (XLSX)."""
    path = Path(path)
    name = path.relative_to(root).as_posix() if root is not None else path.as_posix()
    if path.suffix.lower() in SKIPPED_SUFFIXES:
        return []
    if zipfile.is_zipfile(path):
        found = []
        with zipfile.ZipFile(path) as container:
            for member in container.namelist():
                if Path(member).suffix.lower() not in SKIPPED_SUFFIXES:
                    text = container.read(member).decode("utf-8", errors="replace")
                    found += scan_text(text, name=f"{name}:{member}")
        return _merge(found, name)
    return scan_text(path.read_bytes().decode("utf-8", errors="replace"), name=name)


def scan_folder(folder: str | Path, *, files: Iterable[Path] | None = None) -> list[Finding]:
    """Scan every file under ``folder``; returns the findings (empty when clean)."""
    folder = Path(folder)
    candidates = sorted(p for p in folder.rglob("*") if p.is_file()) if files is None else files
    findings: list[Finding] = []
    for path in candidates:
        findings.extend(scan_file(path, root=folder))
    return findings
