"""The privacy gate: planted ID numbers and mobile numbers are found in every kind of output file;
clean output (images, digests, longer digit runs) passes; findings never show the number."""

import base64
import hashlib

import pandas as pd
import pytest

from voldata.edition import privacy

# Worked by hand with the GB 11643 weights: 4·7+4·9+0·10+1·5+0·8+6·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+1·8+2·4+3·2
# = 242; 242 mod 11 = 0 -> check character "1".
PLANTED_ID = "440106199003071231"
WRONG_CHECK_ID = "440106199003071232"
PLANTED_MOBILE = "13812345678"


def test_check_digit_worked_examples():
    assert privacy.id_check_digit("44010619900307123") == "1"
    # The example number of the standard itself ends in X.
    assert privacy.is_valid_id_number("11010519491231002X")
    assert privacy.is_valid_id_number("11010519491231002x")
    assert not privacy.is_valid_id_number(WRONG_CHECK_ID)
    assert not privacy.is_valid_id_number("4401061990030712")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"<td>{PLANTED_ID}</td>", {privacy.ID_NUMBER: 1}),
        (f"志愿者,{WRONG_CHECK_ID}", {}),
        (f"联系电话：{PLANTED_MOBILE}。", {privacy.MOBILE_NUMBER: 1}),
        (f"tel {PLANTED_MOBILE}, {PLANTED_MOBILE[:-1]}9", {privacy.MOBILE_NUMBER: 2}),
        ("记录编号 9" + PLANTED_MOBILE + "0", {}),  # inside a longer run of digits
        ("12345678901", {}),  # 12… is not a mobile prefix
        ("registered 4000, hours 17730.5, 2020-03-05", {}),
        # the fraction of a ratio printed in full is not an identifier (this one has a valid check digit)
        ('"withdrawal_ratio": 0.008595988538681949,', {}),
        ("share 0.13812345678", {}),
        (f"population {PLANTED_MOBILE}.0", {privacy.MOBILE_NUMBER: 1}),
    ],
)
def test_find_personal_numbers(content, expected):
    assert privacy.find_personal_numbers(content) == expected


def test_digests_and_embedded_images_are_not_findings():
    digest = hashlib.sha256(b"x").hexdigest() + "13800000000" + "a" * 8
    image = base64.b64encode(bytes(range(256)) * 20 + PLANTED_MOBILE.encode()).decode()
    assert privacy.find_personal_numbers(f'"sha256": "{digest}"') == {}
    assert privacy.find_personal_numbers(f'<img src="data:image/png;base64,{image}">') == {}


@pytest.mark.parametrize("suffix", [".html", ".ipynb", ".csv", ".json", ".svg"])
def test_planted_numbers_are_found_in_text_files(tmp_path, suffix):
    (tmp_path / "clean.csv").write_text("区,人数\n荔湾区,<10\n", encoding="utf-8")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / f"leak{suffix}").write_text(f"x {PLANTED_ID} y {PLANTED_MOBILE} z", encoding="utf-8")
    findings = privacy.scan_folder(tmp_path)
    assert {(f.file, f.kind, f.count) for f in findings} == {
        (f"figures/leak{suffix}", privacy.ID_NUMBER, 1),
        (f"figures/leak{suffix}", privacy.MOBILE_NUMBER, 1),
    }


def test_planted_number_is_found_in_a_workbook_cell(tmp_path):
    with pd.ExcelWriter(tmp_path / "tables.xlsx", engine="xlsxwriter") as writer:
        pd.DataFrame({"区": ["荔湾区"], "人数": [12]}).to_excel(writer, sheet_name="目录", index=False)
        pd.DataFrame({"备注": ["请联系" + PLANTED_MOBILE]}).to_excel(writer, sheet_name="04_streets", index=False)
    findings = privacy.scan_folder(tmp_path)
    assert [(f.file, f.kind) for f in findings] == [("tables.xlsx", privacy.MOBILE_NUMBER)]


def test_findings_never_show_the_number(tmp_path):
    (tmp_path / "page.html").write_text(PLANTED_ID + " " + PLANTED_MOBILE, encoding="utf-8")
    message = "; ".join(str(f) for f in privacy.scan_folder(tmp_path))
    assert "page.html" in message
    assert PLANTED_ID not in message and PLANTED_MOBILE not in message


def test_clean_folder_passes(tmp_path):
    (tmp_path / "index.html").write_text("<p>注册志愿者 4,000人，服务时长 17,730小时</p>", encoding="utf-8")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG" + PLANTED_MOBILE.encode())  # images are not text
    assert privacy.scan_folder(tmp_path) == []
