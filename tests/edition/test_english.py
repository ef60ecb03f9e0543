"""The English edition's names: districts, team types, categories and groups served translated in tables."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from voldata.edition import english


def test_translate_names_translates_known_names_and_keeps_the_rest():
    frame = pd.DataFrame(
        {
            "area": ["白云区", "未填/无法识别", "石牌街道"],
            "category": ["社区服务", "疫情防控", None],
            "title": ["白云区社区服务项目", "<b>x</b>", "老年人"],
            "people": [12, 3, 40],
        }
    )
    expected = pd.DataFrame(
        {
            "area": ["Baiyun District", "Not given / not recognised", "石牌街道"],
            "category": ["Community service", "Epidemic prevention", None],
            "title": ["白云区社区服务项目", "<b>x</b>", "Older people"],
            "people": [12, 3, 40],
        }
    )
    pdt.assert_frame_equal(english.translate_names(frame), expected)
    assert frame.loc[0, "area"] == "白云区"  # the caller's frame is left as it was


def test_a_frame_without_text_is_returned_as_it_is():
    frame = pd.DataFrame({"year": [2019, 2020], "people": [1.5, 2.0]})
    assert english.translate_names(frame) is frame
