"""Project paths, anchored on the package, never on the working directory."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_DIR", "PROJECT_DIR", "DATA_DIR", "REFERENCE_DIR", "DEMO_DIR", "NOTEBOOKS_DIR", "REPORTS_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
REFERENCE_DIR = DATA_DIR / "reference"
# Generated demo exports and the demo store (git-ignored).
DEMO_DIR = DATA_DIR / "demo"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
# Built editions (git-ignored).
REPORTS_DIR = PROJECT_DIR / "reports"
