"""An edition built from hostile exports (the ``hostile`` fixture, ``tests/hostile_exports.py``): nothing live in
any page, table or workbook; a store ingested again during the build stops it cleanly; a killed build leaves the
previous edition."""

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile

import pytest
from hostile_exports import YEAR

from voldata import store
from voldata.edition import CHAPTERS, privacy
from voldata.edition.build import BuildError, build_edition
from voldata.edition.html import CONTENT_SECURITY_POLICY
from voldata.folders import private_work, writer_lock

pytestmark = pytest.mark.slow


def test_pages_carry_nothing_live(hostile):
    hostile_edition = hostile["edition"]
    for page in ["index", *CHAPTERS]:
        text = (hostile_edition / f"{page}.html").read_text(encoding="utf-8")
        # (Tags only: the planted text shows as text, e.g. &lt;a href="javascript:…"&gt;.)
        assert re.search(r"<script|<img[^>]*onerror|<a[^>]*href=\"(javascript|http)", text, re.IGNORECASE) is None, page
        assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">' in text, page
    cases = (hostile_edition / "03_practice_and_cases.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in cases  # the title is shown, as text


def test_policy_forbids_script_and_remote_loads():
    rules = dict(rule.strip().split(" ", 1) for rule in CONTENT_SECURITY_POLICY.split(";"))
    assert rules["default-src"] == "'none'"
    assert "script-src" not in rules  # falls back to default-src 'none'
    assert rules["img-src"] == "'self' data:" and "http" not in CONTENT_SECURITY_POLICY


def test_tables_guard_formula_text(hostile):
    streets = (hostile["edition"] / "tables" / "04_streets.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in streets and "'@SUM(1+1)" in streets
    assert not re.search(r"(^|,)\"?[=+\-@]", streets, re.MULTILINE)  # every formula-like cell is guarded
    featured = (hostile["edition"] / "tables" / "03_featured_projects.csv").read_text(encoding="utf-8-sig")
    assert "<img src=x onerror=alert(2)>" in featured  # CSV is text: kept as data, nothing to run


def test_workbook_holds_no_formula_or_link(hostile):
    with zipfile.ZipFile(hostile["edition"] / "tables" / f"voldata_{YEAR}_tables.xlsx") as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml and "<hyperlink" not in xml


def test_figures_are_text_only(hostile):
    for svg in (hostile["edition"] / "figures").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<script" not in text and "javascript:" not in text, svg.name


def test_store_ingested_again_during_the_build_stops_it(hostile, only_chapters, tmp_path, monkeypatch):
    out = tmp_path / "editions"
    shutil.copytree(hostile["edition"].parent, out)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    copy = tmp_path / "store"
    shutil.copytree(hostile["store"], copy)
    scan = privacy.scan_folder

    def scan_while_an_ingest_finishes(folder, **kwargs):
        report = copy / store.REPORT_FILE
        report.write_text(report.read_text(encoding="utf-8").replace("}", " }", 1), encoding="utf-8")
        return scan(folder, **kwargs)

    monkeypatch.setattr(privacy, "scan_folder", scan_while_an_ingest_finishes)
    # One chapter is enough: the store is checked once every chapter has run and the edition is scanned.
    with only_chapters("05_appendix"), pytest.raises(BuildError, match="changed .* during the build"):
        build_edition(year=YEAR, store=copy, out=out, progress=False)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_killed_build_leaves_the_previous_edition_and_the_next_writer_clears_its_work(hostile, tmp_path):
    out = tmp_path / "editions"
    shutil.copytree(hostile["edition"].parent, out)
    target = out / str(YEAR)
    before = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voldata",
            "build",
            "--year",
            str(YEAR),
            "--store",
            str(hostile["store"]),
            "--out",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kernels die with it
    )
    work = out / f".{YEAR}.work"
    deadline = time.monotonic() + 300
    while not list(work.glob("edition/notebooks/*.ipynb")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(build.pid, signal.SIGKILL)  # mid-chapters: the indicators written, notebooks being run
    build.wait()
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == before
    assert work.is_dir()  # left by the killed build, readable by its owner only
    assert stat.S_IMODE(work.stat().st_mode) == 0o700
    with writer_lock(target, command="the next build"), private_work(target):
        pass
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [str(YEAR)]
