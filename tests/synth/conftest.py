"""Fixtures for the demo-data generator: small generated export folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from synth_helpers import SMALL

from voldata.synth import generate


@pytest.fixture(scope="session")
def clean_raw(tmp_path_factory) -> Path:
    """Demo exports at scale 0.001 for 2018-2020, no faults."""
    out = tmp_path_factory.mktemp("synth_clean")
    generate(out, progress=False, **SMALL)
    return out


@pytest.fixture(scope="session")
def messy_raw(tmp_path_factory) -> Path:
    """The same exports with 3% of rows given faults."""
    out = tmp_path_factory.mktemp("synth_messy")
    generate(out, progress=False, messy=0.03, **SMALL)
    return out


@pytest.fixture(scope="session")
def calibration_raw(tmp_path_factory) -> Path:
    """A slightly bigger run (scale 0.003) for the relative calibration checks."""
    out = tmp_path_factory.mktemp("synth_calibration")
    generate(out, years=range(2018, 2021), scale=0.003, seed=2020, progress=False)
    return out
