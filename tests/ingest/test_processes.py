"""Real processes: an ingest killed at injected points leaves the old store usable and nothing readable behind;
two ingests into one store give one success and one clear refusal; a closed pipe ends the CLI quietly."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from voldata.ingest import IngestError, ingest
from voldata.store import ingest_report

from .conftest import CITY, KEY, file_bytes

# Runs an ingest of argv[2] into argv[3], killed (SIGKILL) at the point named by argv[1].
KILLED_INGEST = r"""
import os, signal, sys
from voldata import folders
from voldata.ingest import ingest, readers, writer

point, raw, store, key = sys.argv[1:5]


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


if point == "transcoded":  # the plaintext UTF-8 copy of a GB18030 export has just been written
    real_transcode = readers.transcode_file

    def transcode_then_die(*args, **kwargs):
        real_transcode(*args, **kwargs)
        die()

    readers.transcode_file = transcode_then_die
elif point == "before_swap":  # the new store is complete
    writer.replace_folder = die
elif point == "between_renames":  # no one-step exchange here: killed between the swap's two renames
    folders._exchange = lambda a, b: False
    real_rename = os.rename
    renames = []

    def rename_then_die(src, dst):
        renames.append(src)
        real_rename(src, dst)
        die()

    def replace_folder(new, target):
        folders.os.rename = rename_then_die
        real_replace(new, target)

    real_replace = folders.replace_folder
    writer.replace_folder = replace_folder
elif point == "after_swap":  # the old store sits in the work folder
    real_replace = writer.replace_folder

    def replace_then_die(new, target):
        real_replace(new, target)
        die()

    writer.replace_folder = replace_then_die
ingest([raw], store=store, key=key, progress=False)
"""

# Holds the writer's lock of argv[2] (an ingest of argv[1], paused once it has the lock) until argv[4] exists.
PAUSED_INGEST = r"""
import sys, time
from pathlib import Path
from voldata.ingest import ingest, pipeline

raw, store, holding, release, key = sys.argv[1:6]
real_discover = pipeline.discover


def discover_when_released(*args, **kwargs):
    Path(holding).touch()
    while not Path(release).exists():
        time.sleep(0.05)
    return real_discover(*args, **kwargs)


pipeline.discover = discover_when_released
ingest([raw], store=store, key=key, progress=False)
"""


def _beside(store) -> dict[str, int]:
    """What lies beside the store but the store and its lock file, with each entry's permission bits."""
    return {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in store.parent.iterdir()
        if p.name not in (store.name, f".{store.name}.lock", "raw", "expected")
    }


@pytest.fixture
def old_store(city_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(city_store, store)
    return store


@pytest.mark.parametrize("point", ["transcoded", "before_swap", "between_renames", "after_swap"])
def test_a_killed_ingest_leaves_the_old_store_and_nothing_readable(old_store, city_store, tmp_path, point):
    before = file_bytes(old_store)
    # A different input, so a swapped store would show.
    raw = tmp_path / "raw"
    shutil.copytree(CITY, raw)
    (raw / "party_reports.csv").unlink()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, point, str(raw), str(old_store), KEY], capture_output=True, text=True
    )
    assert killed.returncode == -9, killed.stderr
    if point != "between_renames":
        # The store is there: the old one, or (killed after the swap) the whole new one.
        expected = before if point != "after_swap" else file_bytes(ingest_report_store(raw, tmp_path))
        assert file_bytes(old_store) == expected
    # Whatever is left is private to its owner: the one work folder (and a swap's previous store).
    assert set(_beside(old_store)) <= {".store.work", ".store.previous"}
    assert all(mode == 0o700 for mode in _beside(old_store).values())
    if point == "transcoded":
        assert any(p.name.startswith("transcoded-") for p in (tmp_path / ".store.work").rglob("*"))

    # The next writer restores or keeps the store and clears what the killed run left, even when it fails.
    (raw / "zz_unknown.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match="zz_unknown.csv"):
        ingest([raw], store=old_store, key=KEY, progress=False)
    assert _beside(old_store) == {}
    if point != "after_swap":
        assert file_bytes(old_store) == before
    assert ingest_report(old_store)["totals"]["files"] > 0


def ingest_report_store(raw, tmp_path):
    """The store an ingest of ``raw`` makes, built apart for comparison."""
    store = tmp_path / "expected" / "store"
    ingest([raw], store=store, key=KEY, progress=False)
    return store


def test_leftovers_of_an_earlier_version_are_removed(old_store):
    before = file_bytes(old_store)
    for name in (".store.work-abc123", ".store.new-def456"):
        (old_store.parent / name).mkdir()
        (old_store.parent / name / "transcoded.csv").write_text("姓名,证件号码\n张三,440106199003071231\n")
    ingest([CITY], store=old_store, key=KEY, progress=False)
    assert _beside(old_store) == {}
    assert file_bytes(old_store) == before


def test_two_ingests_into_one_store_give_one_success_and_one_clear_refusal(tmp_path):
    store, holding, release = tmp_path / "store", tmp_path / "holding", tmp_path / "release"
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSED_INGEST, str(CITY), str(store), str(holding), str(release), KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not holding.exists():
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        second = subprocess.run(
            [sys.executable, "-m", "voldata", "ingest", str(CITY), "--store", str(store), "--quiet"],
            capture_output=True,
            text=True,
            env=os.environ | {"VOLDATA_KEY": KEY},
        )
    finally:
        release.touch()
        _, first_err = first.communicate(timeout=120)
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in second.stderr
    assert lines[0].startswith("voldata ingest: ") and f"in use by voldata ingest (pid {first.pid}" in lines[0]
    assert first.returncode == 0, first_err
    assert ingest_report(store)["totals"]["rows_stored"] == 28


def test_closing_the_pipe_early_ends_the_cli_quietly(city_store):
    process = subprocess.Popen(
        [sys.executable, "-m", "voldata", "indicators", "--store", str(city_store), "--year", "2020"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first line (`| head -0`)
    stderr = process.stderr.read().decode()
    assert process.wait() == 141  # as a command ended by SIGPIPE
    assert stderr == ""
