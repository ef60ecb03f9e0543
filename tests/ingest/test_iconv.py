"""Transcoding with the C library's iconv gives what Python's codecs give, errors included."""

from __future__ import annotations

import pytest

from voldata.ingest import iconv

TEXT = "记录编号,服务街道\nSR1,石牌街道\nSR2,𠀾北京路\n" * 50  # includes a 4-byte GB18030 character

needs_native = pytest.mark.skipif(not iconv.native_available("GB18030"), reason="no iconv with GB18030 here")


@needs_native
@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_native_and_python_transcoding_agree(tmp_path, encoding, chunk):
    source = tmp_path / "in.csv"
    source.write_bytes(TEXT.encode(encoding))
    native, python = tmp_path / "native.csv", tmp_path / "python.csv"
    iconv.transcode_file(source, native, encoding, chunk=chunk)
    iconv._transcode_python(source, python, encoding, chunk)
    assert native.read_bytes() == python.read_bytes() == TEXT.encode("utf-8")


@pytest.mark.parametrize("native", [True, False])
def test_bad_bytes_are_reported_at_their_offset(tmp_path, monkeypatch, native):
    if native and not iconv.native_available("GB18030"):
        pytest.skip("no iconv with GB18030 here")
    if not native:
        monkeypatch.setattr(iconv, "_open", lambda encoding: None)  # as where no iconv loads
    good = "石牌街道\n".encode("gb18030") * 10
    source = tmp_path / "in.csv"
    source.write_bytes(good + b"\x81\x30\xff\xff" + good)
    with pytest.raises(iconv.DecodeFailure) as failure:
        iconv.transcode_file(source, tmp_path / "out.csv", "gb18030", chunk=16)
    assert failure.value.offset == len(good)


@pytest.mark.parametrize("native", [True, False])
def test_a_file_ending_inside_a_character_is_refused(tmp_path, monkeypatch, native):
    if not native:
        monkeypatch.setattr(iconv, "_open", lambda encoding: None)
    source = tmp_path / "in.csv"
    source.write_bytes("石牌".encode("gb18030") + b"\x81")
    with pytest.raises(iconv.DecodeFailure) as failure:
        iconv.transcode_file(source, tmp_path / "out.csv", "gb18030")
    assert failure.value.offset == 4


def test_a_file_the_c_library_refuses_is_read_by_pythons_codec(tmp_path):
    """Four-byte codes retired by GB18030-2022 (here U+9FB4) are still read, as Python's codec reads them."""
    text = "记录编号,服务街道\nSR1,石牌街道\n" * 5 + "SR2,\u9fb4\n"
    source = tmp_path / "in.csv"
    source.write_bytes(text.encode("gb18030"))
    iconv.transcode_file(source, tmp_path / "out.csv", "gb18030", chunk=16)
    assert (tmp_path / "out.csv").read_bytes() == text.encode("utf-8")
