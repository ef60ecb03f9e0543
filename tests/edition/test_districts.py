"""The district publication: kept by the build and read by the chapters as it was decided."""

import pandas.testing as pdt

import voldata
from voldata.edition import districts as d

YEAR = 2020


def test_a_kept_decision_publishes_exactly_what_was_decided(sample_store, tmp_path):
    decided = d.district_publication(voldata.tables(sample_store, engine="polars"), year=YEAR)
    kept = d.read_publication(d.write_publication(tmp_path, decided).parent)
    assert (kept.year, kept.threshold) == (YEAR, 10)
    # Parquet reads text columns back as str rather than object: the values are what must agree
    same = {"check_dtype": False}
    pdt.assert_frame_equal(kept.district_table(), decided.district_table(), **same)
    pdt.assert_frame_equal(kept.street_table(), decided.street_table(), **same)
    pdt.assert_frame_equal(kept.district_table(numeric=True), decided.district_table(numeric=True), **same)
    assert decided.decision.cells["hidden"].any()  # the sample hides cells: the comparison covers marks


def test_published_ranks_compare_published_values_only():
    import pandas as pd

    published = pd.DataFrame({"district_code": ["a", "b", "c", "d"], "v": [5.0, float("nan"), 7.0, 5.0]})
    ranks = d.published_ranks(published, ["v"])
    assert ranks["v_rank"].tolist() == [2, pd.NA, 1, 2]
    assert ranks["v_of"].tolist() == [3, 3, 3, 3]


def test_sorted_streets_place_hidden_ones_after_the_published():
    import pandas as pd

    published = pd.DataFrame(
        {
            "district_code": ["1", "1", "1", "1", "2"],
            "street": ["甲", "未填/无法识别", "乙", "丙", "丁"],
            "registered_volunteers": ["12", "<10", "x", "30", "<10"],
        }
    )
    shown = d.sorted_streets(published)
    assert shown["street"].tolist() == ["丙", "甲", "乙", "未填/无法识别", "丁"]
