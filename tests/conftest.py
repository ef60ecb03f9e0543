import fcntl
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hostile_exports import hostile_edition


@pytest.fixture
def rng():
    """A seeded random generator, so every randomised test is repeatable."""
    return np.random.default_rng(seed=20200305)


@pytest.fixture(scope="session")
def made_once(tmp_path_factory, worker_id) -> Callable[[str, Callable[[Path], None]], Path]:
    """``made_once(name, make)``: a folder that ``make(folder)`` fills once per test run.

    The pytest-xdist workers share it (the first to ask makes it under a lock, the others wait and reuse
    it), so a demo store or an edition is built once however many workers need it. Tests only read it.
    """
    if worker_id == "master":

        def made_here(name: str, make: Callable[[Path], None]) -> Path:
            folder = tmp_path_factory.mktemp(name)
            make(folder)
            return folder

        return made_here
    shared_root = tmp_path_factory.getbasetemp().parent

    def made_by_one_worker(name: str, make: Callable[[Path], None]) -> Path:
        folder = shared_root / name
        finished = shared_root / f"{name}.finished"
        with open(shared_root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not finished.exists():
                shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half way
                folder.mkdir()
                make(folder)
                finished.touch()
        return folder

    return made_by_one_worker


@pytest.fixture(scope="session")
def hostile(made_once) -> dict:
    """Exports written by an attacker, ingested with ``voldata ingest`` and built with ``voldata build``, once per
    run (``tests/hostile_exports.py``): ``planted`` numbers, ``store``, ``edition`` (OUT/2020), the ``messages``."""
    return hostile_edition(made_once)
