"""Fixtures of the edition tests: small stores ingested for real, and an edition built once.

* ``fixture_store``: the hand-made exports of ``tests/fixtures/ingest/city`` (a few rows, 2019–2020);
  enough for the parameter checks.
* ``sample_store``: the demo generator at scale 0.001, for the full edition.
* ``built_edition``: the one full edition the tests read: the sample store in both languages with the example
  editors' text (``data/editorial-example``, every slot filled in both languages), built once per run.
* ``only_chapters``: builds run only the chapters a test inspects or stops at (each chapter costs a kernel,
  its imports and its figures, whatever the store's size).
"""

from __future__ import annotations

import contextlib

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


def _ingest(folder, store):
    exports = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_EXPORTS | {FAULTS_FILE})
    ingest(exports, store=store, key=SAMPLE_KEY, progress=False)
    return store


@pytest.fixture(scope="session")
def fixture_store(made_once):
    """The hand-made city exports, ingested (service records of 2019 and 2020; not demo data)."""
    return made_once("fixture", lambda root: _ingest(CITY_EXPORTS, root / "store")) / "store"


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
