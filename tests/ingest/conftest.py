"""Fixtures of the ingest tests: the committed city exports, a key, and a store built from them."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from voldata.ingest import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
CITY = FIXTURES / "city"
EXPECTED = FIXTURES / "expected"
KEY = "test-key-not-for-real-data-0123456789"


def _load_fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _load_fixture_module()


@pytest.fixture(scope="session")
def key() -> str:
    return KEY


@pytest.fixture(scope="session")
def city_store(tmp_path_factory) -> Path:
    """A store ingested once from the committed city fixtures (read-only for the tests)."""
    store = tmp_path_factory.mktemp("city") / "store"
    ingest([CITY], store=store, key=KEY, progress=False)
    return store


@pytest.fixture
def city_copy(tmp_path) -> Path:
    """A private copy of the city exports, for tests that change them."""
    target = tmp_path / "raw"
    shutil.copytree(CITY, target)
    return target


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
