"""Fixtures of the edition tests: small stores ingested for real, and an edition built once.

* ``fixture_store``: the hand-made exports of ``tests/fixtures/ingest/city`` (a few rows, 2019–2020);
  enough for the parameter checks.
* ``hostile_store``: the same exports with script, links, formulas and formula-like text in the
  titles, team names and streets that reach the chapters' prose and tables.
* ``sample_store``: the demo generator at scale 0.001, for the full edition.
* ``built_edition``: the one full edition the tests read: the sample store in both languages with the example
  editors' text (``data/editorial-example``, every slot filled in both languages), built once per run.
* ``only_chapters``: builds run only the chapters a test inspects or stops at (each chapter costs a kernel,
  its imports and its figures, whatever the store's size).
"""

from __future__ import annotations

import contextlib
import shutil

import pytest

from voldata import paths
from voldata.edition import build
from voldata.edition.build import build_edition
from voldata.ingest import ingest
from voldata.synth import FAULTS_FILE, generate

SAMPLE_YEARS = range(2019, 2021)
SAMPLE_YEAR = 2020
SAMPLE_KEY = "voldata-build-tests-not-a-secret-key"
CITY_EXPORTS = paths.PROJECT_DIR / "tests" / "fixtures" / "ingest" / "city"
NOT_EXPORTS = {"faults.txt"}
EDITORIAL_EXAMPLE = paths.PROJECT_DIR / "data" / "editorial-example"

SCRIPT_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3)) <http://evil.example>"
FORMULA_TITLE = '=HYPERLINK("http://evil.example","点击")'
FORMULA_STREET = "@SUM(1+1)"
HOSTILE_TEAM = "+cmd|' /C calc'!A0"


def _ingest(folder, store):
    exports = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_EXPORTS | {FAULTS_FILE})
    ingest(exports, store=store, key=SAMPLE_KEY, progress=False)
    return store


@pytest.fixture(scope="session")
def fixture_store(made_once):
    """The hand-made city exports, ingested (service records of 2019 and 2020; not demo data)."""
    return made_once("fixture", lambda root: _ingest(CITY_EXPORTS, root / "store")) / "store"


def _replace_line(path, old_start, new_line, *, encoding):
    lines = path.read_text(encoding=encoding).splitlines()
    lines = [new_line if line.startswith(old_start) else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)


@pytest.fixture(scope="session")
def hostile_text():
    """The hostile strings ``hostile_store`` carries."""
    return {"script": SCRIPT_TITLE, "formula": FORMULA_TITLE, "street": FORMULA_STREET, "team": HOSTILE_TEAM}


@pytest.fixture(scope="session")
def hostile_store(made_once):
    """The city exports with hostile text: activity A1 (and A8, the same project held again) is titled with
    script and links, A6 with a formula; team T1 and volunteer V001's street begin like formulas."""

    def make(root):
        raw = root / "raw"
        shutil.copytree(CITY_EXPORTS, raw)
        activities = raw / "activities_gb18030.csv"
        title = SCRIPT_TITLE.replace('"', '""')
        _replace_line(
            activities,
            "A1,",
            f'A1,"{title}",T1,疫情防控,老年人,天河区,石牌街道,华师社区,2020-03-05 08:00,2020-03-05 12:00,,否,20,',
            encoding="gb18030",
        )
        _replace_line(
            activities,
            "A6,",
            f'A6,"{FORMULA_TITLE.replace(chr(34), chr(34) * 2)}",T4,文明风尚,社会公众,越秀区,,,'
            "2019-12-30 09:00:00,2019-12-30 11:00:00,,有,8,",
            encoding="gb18030",
        )
        with activities.open("a", encoding="gb18030") as handle:
            held_again = "T1,疫情防控,老年人,天河区,石牌街道,华师社区,2020-04-05 08:00,2020-04-05 12:00,,否,20,"
            handle.write(f'A8,"{title}",{held_again}\n')
        teams = raw / "teams_bom.csv"
        text = teams.read_text(encoding="utf-8-sig").replace("石牌党员服务队", HOSTILE_TEAM)
        teams.write_text(text, encoding="utf-8-sig")
        volunteers = raw / "volunteers_utf8.csv"
        volunteers.write_text(
            volunteers.read_text(encoding="utf-8").replace("石牌街道", FORMULA_STREET), encoding="utf-8"
        )
        _ingest(raw, root / "store")

    return made_once("hostile", make) / "store"


@pytest.fixture(scope="session")
def hostile_edition(hostile_store, made_once):
    """The edition of 2020 built from ``hostile_store`` (once per run, shared by the workers)."""
    made = made_once(
        "hostile_editions", lambda out: build_edition(year=SAMPLE_YEAR, store=hostile_store, out=out, progress=False)
    )
    return made / str(SAMPLE_YEAR)


@pytest.fixture(scope="session")
def sample_store(made_once):
    """A test-sample store: the demo generator at scale 0.001 (with a few faults), ingested for real."""

    def make(root):
        generate(root / "raw", years=SAMPLE_YEARS, scale=0.001, seed=2020, messy=0.01, progress=False)
        _ingest(root / "raw", root / "store")

    return made_once("sample", make) / "store"


@pytest.fixture(scope="session")
def built_edition(sample_store, made_once):
    """The edition of the sample year in both languages with the example editors' text, built once per run:
    (editions folder, OUT/<year> folder)."""
    out = made_once(
        "editions",
        lambda out: build_edition(
            year=SAMPLE_YEAR,
            store=sample_store,
            out=out,
            editorial=EDITORIAL_EXAMPLE,
            languages="zh,en",
            progress=False,
        ),
    )
    return out, out / str(SAMPLE_YEAR)


@pytest.fixture(scope="session")
def only_chapters():
    """``with only_chapters(*keys):`` builds inside the block execute only the chapters ``keys``, in this order
    (the rest of the build runs as always). For tests that inspect a few chapters, or stop the build at one."""

    @contextlib.contextmanager
    def running(*keys):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(build, "RUN_ORDER", keys)
            yield

    return running
