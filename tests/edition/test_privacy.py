"""The privacy gate: planted ID and phone numbers are found in every kind of output file and every
written form; clean output (images, digests, decimals, longer digit runs) passes; findings never show
the number."""

import base64
import hashlib
import json

import pandas as pd
import pytest

from voldata.edition import privacy

# Worked by hand with the GB 11643 weights (see tests/test_personal.py): check character "1".
PLANTED_ID = "440106199003071231"
WRONG_CHECK_ID = "440106199003071232"
PLANTED_MOBILE = "13812345678"
ID, PHONE, LANDLINE = privacy.ID_NUMBER, privacy.MOBILE_NUMBER, privacy.LANDLINE_NUMBER


def _found(text: str) -> dict[str, int]:
    return {f.kind: f.count for f in privacy.scan_text(text, name="t")}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"<td>{PLANTED_ID}</td>", {ID: 1}),
        (f"志愿者,{WRONG_CHECK_ID}", {}),
        (f"联系电话：{PLANTED_MOBILE}。", {PHONE: 1}),
        (f"tel {PLANTED_MOBILE}, {PLANTED_MOBILE[:-1]}9", {PHONE: 2}),
        ("记录编号 9" + PLANTED_MOBILE + "0", {}),  # inside a longer run of digits
        ("12345678901", {}),  # 12… is not a mobile prefix
        ("registered 4000, hours 17730.5, 2020-03-05", {}),
        # the fraction of a ratio printed in full is not an identifier (this one has a valid check digit)
        ('"withdrawal_ratio": 0.008595988538681949,', {}),
        ("share 0.13812345678", {}),
        (f"population {PLANTED_MOBILE}.0", {PHONE: 1}),
        # every written form
        ("电话：１３８１２３４５６７８", {PHONE: 1}),
        ("电话 +86 138 1234 5678", {PHONE: 1}),
        ("电话 0086-138-1234-5678", {PHONE: 1}),
        ("电话 138.1234.5678 或 138 - 1234 - 5678", {PHONE: 2}),
        ("座机 (020) 8888 1234，020-88881234，+86 20 8888 1234", {LANDLINE: 3}),
        ("证件 4401 0619 9003 0712 31", {ID: 1}),
        ("证件 ４４０１０６１９９００３０７１２３１", {ID: 1}),
        ("电话 138\u200b1234\u200b5678", {PHONE: 1}),
        ("电话 &#49;&#51;&#56;12345678", {PHONE: 1}),
        ('{"t": "\\u0031\\u0033\\u0038\\u0031\\u0032\\u0033\\u0034\\u0035\\u0036\\u0037\\u0038"}', {PHONE: 1}),
        ('<path d="M 138.12 345.67 L 150.25 123.4 Z"/>', {}),
    ],
)
def test_every_written_form_is_found(content, expected):
    assert _found(content) == expected


def test_digests_and_embedded_images_are_not_findings():
    digest = hashlib.sha256(b"x").hexdigest() + "13800000000" + "a" * 8
    image = base64.b64encode(bytes(range(256)) * 20 + PLANTED_MOBILE.encode()).decode()
    assert _found(f'"sha256": "{digest}"') == {}
    assert _found(f'<img src="data:image/png;base64,{image}">') == {}


@pytest.mark.parametrize("suffix", [".html", ".ipynb", ".csv", ".json", ".svg", ".md", ".dat"])
def test_planted_numbers_are_found_in_text_files(tmp_path, suffix):
    (tmp_path / "clean.csv").write_text("区,人数\n荔湾区,<10\n", encoding="utf-8")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / f"leak{suffix}").write_text(f"x {PLANTED_ID} y +86 138-1234-5678 z", encoding="utf-8")
    findings = privacy.scan_folder(tmp_path)
    assert {(f.file, f.kind, f.count) for f in findings} == {
        (f"figures/leak{suffix}", ID, 1),
        (f"figures/leak{suffix}", PHONE, 1),
    }


def test_a_notebook_output_is_scanned(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "outputs": [{"text": ["联系 １３８ １２３４ ５６７８\n"]}]}]}
    (tmp_path / "chapter.ipynb").write_text(json.dumps(notebook), encoding="utf-8")  # ensure_ascii: \uFF11 ...
    assert [(f.file, f.kind) for f in privacy.scan_folder(tmp_path)] == [("chapter.ipynb", PHONE)]


@pytest.mark.parametrize("written", ["请联系" + PLANTED_MOBILE, "请联系 １３８-１２３４-５６７８", "证件" + PLANTED_ID])
def test_planted_number_is_found_in_any_workbook_sheet(tmp_path, written):
    with pd.ExcelWriter(tmp_path / "tables.xlsx", engine="xlsxwriter") as writer:
        pd.DataFrame({"区": ["荔湾区"], "人数": [12]}).to_excel(writer, sheet_name="目录", index=False)
        pd.DataFrame({"备注": ["无", written]}).to_excel(writer, sheet_name="04_streets", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="hidden", index=False)
        writer.sheets["hidden"].hide()
    findings = privacy.scan_folder(tmp_path)
    assert [(f.file, f.count) for f in findings] == [("tables.xlsx", 1)]


def test_a_number_in_a_hidden_sheet_is_found(tmp_path):
    with pd.ExcelWriter(tmp_path / "tables.xlsx", engine="xlsxwriter") as writer:
        pd.DataFrame({"区": ["荔湾区"]}).to_excel(writer, sheet_name="目录", index=False)
        pd.DataFrame({"备注": [f"tel {PLANTED_MOBILE}"]}).to_excel(writer, sheet_name="notes", index=False)
        writer.sheets["notes"].hide()
    assert [f.kind for f in privacy.scan_folder(tmp_path)] == [PHONE]


def test_findings_never_show_the_number(tmp_path):
    (tmp_path / "page.html").write_text(f"<p>队伍负责人 {PLANTED_ID} 电话 +86 138 1234 5678</p>", encoding="utf-8")
    findings = privacy.scan_folder(tmp_path)
    message = "; ".join(str(f) for f in findings)
    assert "page.html" in message and "队伍负责人" in message and "[已遮蔽]" in message
    for digits in (PLANTED_ID, PLANTED_MOBILE, "1234 5678", "138 1234"):
        assert digits not in message


def test_clean_folder_passes(tmp_path):
    (tmp_path / "index.html").write_text("<p>注册志愿者 4,000人，服务时长 17,730小时</p>", encoding="utf-8")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG" + PLANTED_MOBILE.encode())  # images are not text
    assert privacy.scan_folder(tmp_path) == []
