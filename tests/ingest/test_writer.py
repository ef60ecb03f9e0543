"""Writing the store: the same rows give the same bytes, however they were collected."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from voldata.ingest import writer


def test_the_same_rows_in_other_chunks_give_the_same_file(tmp_path, rng):
    # A streaming collect hands a frame back in a varying number of chunks; the file must not show it.
    # Pages are cut by size (1 MB), so it takes more than a row group of text to see the chunks.
    numbers = rng.integers(0, 1_000_000, size=writer.ROWS_PER_GROUP + 400_000)
    whole = pl.DataFrame({"number": numbers}).with_columns(
        text=pl.when(pl.col("number") % 7 == 0).then(None).otherwise(pl.format("v{}", "number"))
    )
    chunked = pl.concat([whole.slice(start, 96_123) for start in range(0, whole.height, 96_123)], rechunk=False)
    assert chunked.n_chunks() > 1 and whole.n_chunks() == 1
    schema = pa.schema([("number", pa.int64()), ("text", pa.string())])
    writer.write_parquet(chunked, schema, tmp_path / "chunked.parquet")
    writer.write_parquet(whole, schema, tmp_path / "whole.parquet")
    assert (tmp_path / "chunked.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
