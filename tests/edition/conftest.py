"""Fixtures of the edition tests: one small demo store per session, and an edition built from it once."""

from __future__ import annotations

import pytest

SAMPLE_YEARS = range(2019, 2021)
SAMPLE_YEAR = 2020
SAMPLE_KEY = "voldata-build-tests-not-a-secret"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """A test-sample store: the demo generator at scale 0.001 (with a few faults), ingested for real."""
    from voldata.ingest import ingest
    from voldata.synth import FAULTS_FILE, generate

    root = tmp_path_factory.mktemp("sample")
    generate(root / "raw", years=SAMPLE_YEARS, scale=0.001, seed=2020, messy=0.01, progress=False)
    # The generator's list of injected faults sits beside the exports; it is not an export.
    exports = sorted(p for p in (root / "raw").iterdir() if p.name != FAULTS_FILE)
    ingest(exports, store=root / "store", key=SAMPLE_KEY, progress=False)
    return root / "store"


@pytest.fixture(scope="session")
def built_edition(sample_store, tmp_path_factory):
    """The edition of the sample year, built once: (editions folder, OUT/<year> folder)."""
    from voldata.build import build_edition

    out = tmp_path_factory.mktemp("editions")
    edition = build_edition(year=SAMPLE_YEAR, store=sample_store, out=out, jobs=2, progress=False)
    return out, edition
