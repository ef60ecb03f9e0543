"""Exports written by an attacker, and the edition the real commands build from them (once per test run).

Every free-text column of every table, in a GB18030 CSV and in a workbook, carries script, Markdown
links, autolinks, formulas and ID and phone numbers in every written form; rows are shifted so the ID
and the mobile number move into other columns; file and sheet names are hostile too. Used by
``tests/test_hostile_exports.py`` (nothing personal gets through) and ``tests/edition/test_hostile.py``
(nothing live in the edition; builds that stop leave it intact), through the ``hostile`` fixture.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from voldata.personal import id_check_digit

YEAR = 2020
KEY = "hostile-exports-test-key-not-a-secret-0123456789"
ROWS = 12  # hostile rows per table: every written form of every kind reaches every free-text column

MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "[点我](javascript:alert(4))",
    "![x](javascript:alert(5))",
    "<http://evil.example/a>",
    '<a href="javascript:alert(6)">链接</a>',
    '=HYPERLINK("http://evil.example","点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]

_FULL_WIDTH = str.maketrans("0123456789+-() ", "０１２３４５６７８９＋－（）\u3000")


def _wide(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def _mobile_forms(d: str) -> list[str]:
    a, b, c = d[:3], d[3:7], d[7:]
    return [
        d,
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"{a}.{b}.{c}",
        _wide(d),
        f"+86 {d}",
        f"+86-{a}-{b}-{c}",
        f"0086 {a} {b} {c}",
        _wide(f"+86 {a}-{b}-{c}"),
        f"(+86){d}",
        f"{a}\t{b}\t{c}",
        f"{a}\u200b{b}\u200b{c}",
    ]


def _landline_forms(local: str) -> list[str]:
    a, b = local[:4], local[4:]
    return [
        f"020-{a} {b}",
        f"020 {a} {b}",
        f"(020){local}",
        f"020-{local}",
        f"+86 20 {a} {b}",
        f"0086-20-{a}-{b}",
        _wide(f"020-{a} {b}"),
        f"020\u2014{a} {b}",
        f"020.{a}.{b}",
        f"（020）{a}-{b}",
        f"020\t{a}\t{b}",
        f"+86(20){local}",
    ]


def _id_forms(number: str) -> list[str]:
    return [
        number,
        number.lower(),
        f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:16]} {number[16:]}",
        f"{number[:6]}-{number[6:14]}-{number[14:]}",
        _wide(number[:17]) + number[17],
        f"身份证:{number}号",
    ]


class Planted:
    """Personal numbers handed out one by one, each new; ``keys`` are the digits every check looks for."""

    def __init__(self):
        self.keys: set[str] = set()
        self._next = 0

    def _serial(self) -> int:
        self._next += 1
        return self._next

    def mobile(self, form: int) -> str:
        digits = f"1376543{self._serial():04d}"
        self.keys.add(digits)
        forms = _mobile_forms(digits)
        return forms[form % len(forms)]

    def landline(self, form: int) -> str:
        local = f"8765{self._serial():04d}"
        self.keys.add("20" + local)
        forms = _landline_forms(local)
        return forms[form % len(forms)]

    def id_number(self, form: int) -> str:
        """A resident ID number with a valid check character; every written form is used ending in X too."""
        forms_count = len(_id_forms("0" * 18))
        want_x = (form // forms_count) % 2 == 1
        serial = self._serial()
        for last in range(100):  # the last two digits of the sequence pick the check character
            first17 = f"440106{1950 + serial // 10}0307{serial % 10}{last:02d}"
            if (id_check_digit(first17) == "X") == want_x:
                break
        number = first17 + id_check_digit(first17)
        self.keys.add(first17)
        forms = _id_forms(number)
        return forms[form % len(forms)]

    def text(self, row: int, column: int, words: str) -> str:
        """A free-text cell: markup or a formula first, then words and one number of each kind."""
        markup = MARKUP[(row + column) % len(MARKUP)]
        return (
            f"{markup}{words} 联系 {self.mobile(row + column)} 座机 {self.landline(row + 2 * column)}"
            f" 证件 {self.id_number(row + 3 * column)}"
        )


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, extra_rows: list[str] = ()) -> None:
    """A GB18030 CSV; ``extra_rows`` are written as they are (shifted rows, one line each)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    buffer.write("".join(line + "\r\n" for line in extra_rows))
    path.write_bytes(buffer.getvalue().encode("gb18030"))


def write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list[str]]) -> None:
    """A workbook with a title line above the header; every cell written as a string (formulas too)."""
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        worksheet = book.add_worksheet(sheet)
        worksheet.write_string(0, 0, "广州市志愿服务平台导出")
        for r, row in enumerate([header, *rows], start=1):
            for c, value in enumerate(row):
                if value != "":
                    worksheet.write_string(r, c, value)


def _both(raw: Path, stem: str, sheet: str, header: list[str], rows: list[list[str]], **extra) -> None:
    """Even rows to a GB18030 CSV, odd rows to a workbook."""
    write_csv(raw / f"{stem}.csv", header, rows[0::2], **extra)
    write_xlsx(raw / f"{stem}.xlsx", sheet, header, rows[1::2])


def write_hostile_exports(raw: Path, planted: Planted) -> None:
    """Every table of the contract, its free text hostile; valid enough that most rows reach the edition."""
    raw.mkdir(parents=True)
    hostile_name = planted.text(0, 0, "文件")  # a file name as hostile as the cells
    file_stem = hostile_name.replace("\t", " ").replace("\r", " ").replace("/", "／")[:150]

    volunteer_header = [
        "志愿者编号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号码",
        "政治面貌", "学历", "所属区", "所属街道", "所属社区", "注册时间",
    ]  # fmt: skip
    volunteers = []
    for i in range(ROWS):
        volunteers.append(
            [f"HV{i:02d}", f"志愿者{i}", "居民身份证", planted.id_number(i), "", "", planted.mobile(i),
             "中共党员", "本科", "天河区", planted.text(i, 0, "街道"), planted.text(i, 1, "社区"),
             "2019-06-01 10:00"]
        )  # fmt: skip
    shifted = [
        # No name: the ID number moves into 证件类型, the mobile into 出生日期.
        f"HV90,居民身份证,{planted.id_number(0)},男,1990-03-07,{planted.mobile(1)},群众,本科,天河区,石牌街道,华师社区,"
        "2020-01-01 10:00",
        # A name holding a comma: everything moves one column on, the mobile into 政治面貌.
        f"HV91,张,三,居民身份证,{planted.id_number(3)},男,1990-03-07,{planted.mobile(2)},群众,本科,天河区,石牌街道,"
        "华师社区,2020-01-01 10:00",
    ]
    _both(raw, "志愿者信息导出", f"志愿者{planted.mobile(0)}", volunteer_header, volunteers, extra_rows=shifted)

    write_csv(
        raw / "在职党员报到.csv",
        ["证件号码", "姓名", "所在单位", "联系电话", "报到区", "报到街道", "报到社区", "报到时间"],
        [
            [
                planted.id_number(i),
                f"党员{i}",
                planted.text(i, 9, "单位"),
                planted.mobile(i),
                "天河区",
                planted.text(i, 2, "街道"),
                planted.text(i, 3, "社区"),
                "2020-04-01 09:00",
            ]
            for i in range(ROWS)
        ],  # fmt: skip
        extra_rows=[f"{planted.id_number(4)},某单位,{planted.mobile(5)},天河区,石牌街道,华师社区,2020-04-01 09:00"],
    )

    team_header = [
        "队伍编号",
        "队伍名称",
        "队伍类型",
        "所属区",
        "所属街道",
        "所属社区",
        "成立日期",
        "负责人",
        "联系电话",
    ]
    teams = [
        [f"HT{i:02d}", planted.text(i, 4, "服务队"), "社区志愿服务队", "天河区", planted.text(i, 5, "街道"),
         planted.text(i, 6, "社区"), "2018-05-04", f"队长{i}", planted.landline(i)]
        for i in range(ROWS)
    ]  # fmt: skip
    team_shifted = [
        f"HT90,社区志愿服务队,天河区,石牌街道,华师社区,2018-05-04,陈队长,{planted.mobile(3)}",
        f"HT91,石牌,服务队,社区志愿服务队,天河区,石牌街道,华师社区,2018-05-04,陈队长,{planted.mobile(4)}",
    ]
    _both(raw, file_stem, "队伍", team_header, teams, extra_rows=team_shifted)

    activity_header = [
        "活动编号", "活动名称", "发布队伍编号", "服务类别", "服务对象", "活动区", "活动街道", "活动社区",
        "开始时间", "结束时间", "合作社工机构", "慈善资源", "招募人数", "联系人",
    ]  # fmt: skip
    activities = []
    for i in range(ROWS):
        title = planted.text(i, 7, "敬老项目")
        for session in range(2):  # each project held twice, so the featured projects are the hostile ones
            activities.append(
                [f"HA{i:02d}{session}", title, f"HT{i:02d}", "疫情防控", "老年人", "天河区", planted.text(i, 8, "街道"),
                 planted.text(i, 10, "社区"), f"2020-03-{5 + session:02d} 08:00", f"2020-03-{5 + session:02d} 12:00",
                 planted.text(i, 11, "社工"), "是", "20", planted.mobile(i)]
            )  # fmt: skip
    write_csv(raw / "志愿活动导出_gb18030.csv", activity_header, activities[0::2])
    write_xlsx(raw / "志愿活动导出.xlsx", "活动", activity_header, activities[1::2])
    # Numbers where codes, dates and counts belong: quarantined, their values masked.
    write_csv(
        raw / "志愿活动导出_错位.csv",
        activity_header,
        [
            ["HA90", "错位", "HT00", planted.mobile(5), "老年人", "天河区", "", "", "2020-03-05 08:00", "", "", "否",
             "20", ""],
            ["HA91", "错位", "HT00", "疫情防控", "老年人", "天河区", "", "", planted.id_number(2), "", "", "否",
             "20", ""],
            ["HA92", "错位", "HT00", "疫情防控", "老年人", "天河区", "", "", "2020-03-05 08:00", "", "", "否",
             planted.mobile(0), ""],
        ],
    )  # fmt: skip

    record_header = ["记录编号", "志愿者编号", "姓名", "活动编号", "服务日期", "签到时间", "签退时间",
                     "服务时长（小时）", "记录方式", "审核状态"]  # fmt: skip
    records = [
        [f"HR{i:02d}{s}{v}", f"HV{(i + v) % ROWS:02d}", planted.mobile(i), f"HA{i:02d}{s}", f"2020-03-{5 + s:02d}",
         "", "", str(2 + v), "扫码签到", "已审核"]
        for i in range(ROWS) for s in range(2) for v in range(3)
    ]  # fmt: skip
    _both(
        raw,
        "服务时长记录",
        "记录",
        record_header,
        records,
        extra_rows=[f"HR99,HV00,HA000,2020-03-05,,,{planted.mobile(6)},扫码签到,已审核"],
    )

    account_header = ["账户编号", "证件号码", "姓名", "手机号码", "性别", "出生日期", "所属区", "开户时间"]
    accounts = [
        [f"HB{i:02d}", planted.id_number(i), f"会员{i}", planted.mobile(i), "", "", "天河区", "2020-01-01 10:00"]
        for i in range(ROWS)
    ]
    _both(
        raw,
        "时间银行账户",
        f"<svg onload=1>{planted.mobile(1)}",
        account_header,
        accounts,
        extra_rows=[
            f"HB90,{planted.id_number(5)},{planted.mobile(7)},女,1950-01-01,天河区,2020-01-01 10:00",
            f"{planted.id_number(6)},会员,{planted.mobile(8)},女,1950-01-01,天河区,2020-01-01 10:00",
        ],
    )

    txn_header = ["流水号", "账户编号", "交易类型", "时长（积分）", "对方账户编号", "服务项目", "交易时间"]
    txns = [
        [f"HX{i:02d}", f"HB{i:02d}", "存入", "2", f"HB{(i + 1) % ROWS:02d}", planted.text(i, 13, "服务"),
         "2020-05-01 10:00"]
        for i in range(ROWS)
    ]  # fmt: skip
    _both(raw, "时间银行流水", "流水", txn_header, txns)


def _run(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "voldata", *args]
    return subprocess.run(command, capture_output=True, text=True, env=os.environ | {"VOLDATA_KEY": KEY})


def hostile_edition(made_once: Callable[[str, Callable[[Path], None]], Path]) -> dict:
    """The hostile exports, ingested with ``voldata ingest`` and built with ``voldata build``, once per run.

    The workers share the folder; the planted numbers and the commands' messages are kept beside it in files.
    """

    def make(root: Path) -> None:
        planted = Planted()
        write_hostile_exports(root / "raw", planted)
        ingested = _run("ingest", str(root / "raw"), "--store", str(root / "store"), "--quiet")
        assert ingested.returncode == 0, ingested.stderr
        built = _run("build", "--year", str(YEAR), "--store", str(root / "store"), "--out", str(root / "editions"))
        assert built.returncode == 0, built.stderr
        (root / "planted.json").write_text(json.dumps(sorted(planted.keys)), encoding="utf-8")
        messages = ingested.stdout + ingested.stderr + built.stdout + built.stderr
        (root / "messages.txt").write_bytes(messages.encode("utf-8"))  # bytes: progress bars' \r kept

    root = made_once("hostile_exports", make)
    planted = Planted()
    planted.keys = set(json.loads((root / "planted.json").read_text(encoding="utf-8")))
    return {
        "planted": planted,
        "store": root / "store",
        "edition": root / "editions" / str(YEAR),
        "messages": (root / "messages.txt").read_bytes().decode("utf-8"),
    }
