import multiprocessing
import os
import stat

import pytest

from voldata import folders
from voldata.folders import FolderBusy, private_work, replace_folder, restore_folder, writer_lock


def _hold_lock(target, ready, release):
    with writer_lock(target, command="voldata ingest"):
        ready.set()
        release.wait(30)


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    target = tmp_path / "store"
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(target, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(FolderBusy, match=rf"voldata ingest \(pid {holder.pid} "):
            with writer_lock(target, command="voldata ingest"):
                pass
    finally:
        release.set()
        holder.join(30)
    with writer_lock(target, command="voldata ingest"):
        pass


def test_the_lock_dies_with_its_process(tmp_path):
    target = tmp_path / "store"
    pid = os.fork()
    if pid == 0:
        with writer_lock(target, command="killed"):
            os._exit(0)
    os.waitpid(pid, 0)
    with writer_lock(target, command="next"):
        pass


def test_work_folder_is_private_and_removed_even_on_failure(tmp_path):
    target = tmp_path / "store"
    leftover = tmp_path / ".store.work"
    leftover.mkdir()
    (leftover / "plaintext.csv").write_text("姓名,身份证号\n")
    with pytest.raises(ValueError):
        with private_work(target) as work:
            assert work == leftover
            assert not (work / "plaintext.csv").exists()
            assert stat.S_IMODE(work.stat().st_mode) == 0o700
            raise ValueError("boom")
    assert not leftover.exists()


def _folder(path, text):
    path.mkdir()
    (path / "f.txt").write_text(text)


def test_replace_folder_swaps_and_leaves_the_old_at_new(tmp_path):
    target, new = tmp_path / "store", tmp_path / "new"
    _folder(target, "old")
    _folder(new, "fresh")
    replace_folder(new, target)
    assert (target / "f.txt").read_text() == "fresh"
    assert (new / "f.txt").read_text() == "old"


def test_replace_folder_without_exchange_and_a_kill_between_renames_is_restored(tmp_path, monkeypatch):
    target, new = tmp_path / "store", tmp_path / "new"
    _folder(target, "old")
    _folder(new, "fresh")
    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    renames = []
    real_rename = os.rename

    def rename_then_die(a, b):
        renames.append((a, b))
        real_rename(a, b)
        if len(renames) == 1:
            raise KeyboardInterrupt  # killed after the first rename

    monkeypatch.setattr(folders.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        replace_folder(new, target)
    monkeypatch.setattr(folders.os, "rename", real_rename)
    assert not target.exists()
    restore_folder(target)
    assert (target / "f.txt").read_text() == "old"
    with writer_lock(target, command="next"):
        pass
    assert not (tmp_path / ".store.previous").exists()
