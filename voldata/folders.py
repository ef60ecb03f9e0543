"""Replacing a whole folder safely: one writer at a time, a private work folder, an atomic swap.

The store and each edition are written the same way::

    with writer_lock(target, command="voldata ingest"), private_work(target) as work:
        new = work / "new"
        ...                      # write the complete new folder
        replace_folder(new, target)

* :func:`writer_lock` lets one writer at a time work on ``target``; a second
  one gets :class:`FolderBusy` naming the holder.
* :func:`private_work` gives the run one work folder, ``.<name>.work`` beside
  ``target`` (same file system, so the swap is a rename), readable by its
  owner only. It is removed when the run ends, however it ends, and a
  leftover from a killed run is removed when the next writer starts.
* :func:`replace_folder` swaps the new folder in. Where the system can
  exchange two paths in one step (Linux ``renameat2``), ``target`` is never
  missing; elsewhere a kill between the two renames leaves
  ``.<name>.previous``, which :func:`restore_folder` (called by the next
  writer when it takes the lock) puts back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["FolderBusy", "writer_lock", "private_work", "replace_folder", "restore_folder"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class FolderBusy(RuntimeError):
    """Another process is writing the same folder."""


def _sibling(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}.{suffix}")


@contextmanager
def writer_lock(target: str | Path, *, command: str) -> Iterator[None]:
    """Hold the writer's lock on ``target`` for the duration of the block.

    The lock is an advisory ``flock`` on ``.<name>.lock`` beside ``target``;
    the operating system releases it when the process ends, killed or not.

    Raises
    ------
    FolderBusy
        When another process holds the lock; the message names its command,
        process id, host and start time.
    """
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = _sibling(target, "lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            holder = os.pread(fd, 1024, 0).decode("utf-8", "replace").strip() or "another process"
            raise FolderBusy(f"{target} is in use by {holder}; try again when it has finished") from None
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{command} (pid {os.getpid()} on {socket.gethostname()}, since {started})".encode(), 0)
        restore_folder(target)
        yield
    finally:
        os.close(fd)


@contextmanager
def private_work(target: str | Path) -> Iterator[Path]:
    """A work folder for one run on ``target``, mode 0700, removed when the block ends.

    Call it while holding :func:`writer_lock`: a leftover from a killed run
    is removed first, which is safe only when no other writer is running.
    """
    work = _sibling(Path(target).absolute(), "work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` in one step; False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None) if libc_name else None
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def replace_folder(new: str | Path, target: str | Path) -> None:
    """Put the folder ``new`` at ``target``; the old ``target`` ends up at ``new`` (or is removed).

    ``new`` must be on the same file system as ``target`` (use
    :func:`private_work`). After the call the previous contents are at
    ``new``, to be removed with the work folder.
    """
    new, target = Path(new).absolute(), Path(target).absolute()
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    previous = _sibling(target, "previous")
    shutil.rmtree(previous, ignore_errors=True)
    os.rename(target, previous)
    # A kill here leaves only .<name>.previous: restore_folder puts it back.
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(previous, target)
        raise
    os.rename(previous, new)


def restore_folder(target: str | Path) -> None:
    """Undo a swap that was killed between its two renames (see :func:`replace_folder`)."""
    target = Path(target).absolute()
    previous = _sibling(target, "previous")
    if not previous.exists():
        return
    if target.exists():
        shutil.rmtree(previous, ignore_errors=True)
    else:
        os.rename(previous, target)
