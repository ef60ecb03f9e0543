"""Transcoding big exports to UTF-8 with the C library's ``iconv``, outside the GIL.

Python's GB18030 codec decodes about 130 MB/s and holds the GIL while it
does, which stalls every other thread of an ingest. The C library's
``iconv`` (glibc on Linux, libiconv on macOS) is two to three times faster
and, called through :mod:`ctypes`, runs without the GIL. Where no ``iconv``
can be loaded (Windows), :func:`transcode_file` uses Python's codec instead,
more slowly.

The two differ on a few rare characters only (checked over every two-byte
code and the four-byte codes of the BMP): glibc follows the current edition
of the standard (GB18030-2022), which gives 26 two-byte codes (vertical
punctuation forms, a few rare ideographs) their standard code points where
Python's codec gives Private Use Area ones, and it refuses the 18 four-byte
codes those characters had before. A file that the C library refuses is
therefore transcoded again by Python's codec, which decides: no file is
refused that Python's codec reads.
"""

from __future__ import annotations

import codecs
import ctypes
import ctypes.util
import errno
from functools import lru_cache
from pathlib import Path

__all__ = ["DecodeFailure", "transcode_file", "native_available"]

_CHUNK = 1 << 23
_FAILED = ctypes.c_size_t(-1).value


class DecodeFailure(ValueError):
    """Bytes that are not valid in the encoding, at ``offset`` (from the start of the file)."""

    def __init__(self, offset: int):
        super().__init__(f"bad bytes near byte {offset}")
        self.offset = offset


@lru_cache(maxsize=1)
def _library() -> tuple | None:
    """(iconv_open, iconv, iconv_close) from the C library, or None."""
    for name in (None, ctypes.util.find_library("iconv"), ctypes.util.find_library("c")):
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except (OSError, TypeError):  # TypeError: Windows has no "the program itself"
            continue
        # (GNU libiconv names its functions libiconv_open, libiconv, ...)
        for prefix in ("", "lib"):
            functions = [getattr(lib, f"{prefix}{base}", None) for base in ("iconv_open", "iconv", "iconv_close")]
            if None not in functions:
                break
        else:
            continue
        iconv_open, iconv, iconv_close = functions
        iconv_open.restype = ctypes.c_void_p
        iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        pointer, size = ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)
        iconv.restype = ctypes.c_size_t
        iconv.argtypes = [ctypes.c_void_p, pointer, size, pointer, size]
        iconv_close.restype = ctypes.c_int
        iconv_close.argtypes = [ctypes.c_void_p]
        return iconv_open, iconv, iconv_close
    return None


def _open(encoding: str):
    library = _library()
    if library is None:
        return None
    handle = library[0](b"UTF-8", encoding.upper().encode("ascii"))
    if handle is None or handle == ctypes.c_void_p(-1).value:
        return None
    return handle


def native_available(encoding: str) -> bool:
    """Whether the C library can transcode ``encoding`` here."""
    handle = _open(encoding)
    if handle is None:
        return False
    _library()[2](handle)
    return True


def transcode_file(source: Path, target: Path, encoding: str, *, chunk: int = _CHUNK) -> None:
    """Write ``source`` (in ``encoding``) to ``target`` in UTF-8, chunk by chunk.

    Raises
    ------
    DecodeFailure
        The file holds bytes that are not valid ``encoding`` (or ends inside
        a character); ``target`` is then incomplete.
    """
    handle = _open(encoding)
    if handle is not None:
        try:
            _transcode_native(handle, source, target, chunk)
            return
        except DecodeFailure:
            pass  # Python's codec decides (see the module's notes)
        finally:
            _library()[2](handle)
    _transcode_python(source, target, encoding, chunk)


def _transcode_python(source: Path, target: Path, encoding: str, chunk: int) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0  # bytes handed to the decoder so far
    with open(source, "rb") as reader, open(target, "wb") as sink:
        while True:
            data = reader.read(chunk)
            # The decoder holds back a character cut at the end of a chunk;
            # an error's position counts from those bytes.
            held = len(decoder.getstate()[0])
            try:
                sink.write(decoder.decode(data, final=not data).encode("utf-8"))
            except UnicodeDecodeError as error:
                raise DecodeFailure(offset - held + error.start) from None
            if not data:
                return
            offset += len(data)


def _transcode_native(handle: int, source: Path, target: Path, chunk: int) -> None:
    iconv = _library()[1]
    # Input: the bytes left over from the last chunk (a character cut in
    # two), then the next chunk. UTF-8 needs at most 3 bytes for the 2 bytes
    # of a GB18030 character (4 for 4, 1 for 1, and 2 for 2 of UTF-16):
    # twice the input always fits.
    in_buffer = ctypes.create_string_buffer(chunk + 16)
    out_buffer = ctypes.create_string_buffer(2 * (chunk + 16))
    in_base, out_base = ctypes.addressof(in_buffer), ctypes.addressof(out_buffer)
    held = 0  # bytes carried over at the start of in_buffer
    consumed_before = 0  # file offset of in_buffer[0]
    with open(source, "rb") as reader, open(target, "wb") as sink:
        while True:
            data = reader.read(chunk)
            if data:
                ctypes.memmove(in_base + held, data, len(data))
            available = held + len(data)
            in_pointer, in_left = ctypes.c_void_p(in_base), ctypes.c_size_t(available)
            out_pointer, out_left = ctypes.c_void_p(out_base), ctypes.c_size_t(len(out_buffer))
            result = iconv(
                handle,
                ctypes.byref(in_pointer),
                ctypes.byref(in_left),
                ctypes.byref(out_pointer),
                ctypes.byref(out_left),
            )
            sink.write(memoryview(out_buffer)[: out_pointer.value - out_base])
            used = available - in_left.value
            if result == _FAILED:
                code = ctypes.get_errno()
                # EINVAL: the input ends inside a character (fine unless the file does).
                if code != errno.EINVAL or not data:
                    raise DecodeFailure(consumed_before + used)
            if not data:
                return
            held = in_left.value
            if held:
                ctypes.memmove(in_base, in_base + used, held)
            consumed_before += used
