"""The edition's manifest: what was built, from which inputs, with which software.

``manifest.json`` records the parameters, the store's generation (sha256 of
its ingest report) and input checksums, the versions of :data:`PACKAGES`, the
git commit, the build time and every output file. It names no key: the store's
key is never identified in a published file.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from voldata import paths

__all__ = ["PACKAGES", "package_versions", "git_commit", "write_manifest"]

# The software whose versions the edition records (manifest and the appendix's table).
PACKAGES = (
    "voldata",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "narwhals",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "mplfonts",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "xlsxwriter",
    "python-calamine",
    "tqdm",
)


def package_versions() -> dict[str, str | None]:
    """Python's version and each of :data:`PACKAGES`' (None when not installed)."""
    versions: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> str | None:
    """The project's git commit, or None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "-C", str(paths.PROJECT_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def write_manifest(
    folder: Path,
    *,
    config: dict,
    report: dict,
    store_generation: str,
    population_source: str,
    demo: bool,
    build_seconds: float,
    chapter_seconds: dict[str, float],
    editorial: dict | None = None,
) -> Path:
    """Write ``folder/manifest.json`` listing every file already in ``folder``.

    ``editorial``: :meth:`voldata.editorial.Editorial.summary` (the folder, the filled and the empty slots).
    """
    year = config["year"]
    outputs = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    manifest = {
        "edition": f"广州市社区志愿服务发展报告（{year}）",
        "year": year,
        "demo_data": demo,
        "parameters": {
            "year": year,
            "store": str(config["store"]),
            "population": population_source,
            "suppression_threshold": config["suppression_threshold"],
            "language": config["language"],
            "jobs": config["jobs"],
            "editorial": None if editorial is None else editorial["folder"],
        },
        "editorial": editorial,
        "inputs": [
            {"file": f.get("file"), "table": f.get("table"), "sha256": f.get("sha256"), "rows_read": f.get("rows_read")}
            for f in report.get("files", [])
        ],
        "store": {"voldata_version": report.get("voldata_version"), "ingest_report_sha256": store_generation},
        "packages": package_versions(),
        "git_commit": git_commit(),
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "build_seconds": round(build_seconds, 1),
        "chapter_seconds": chapter_seconds,
        "outputs": outputs + ["manifest.json"],
    }
    target = folder / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target
