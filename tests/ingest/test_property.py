"""Property: whatever bad rows are mixed in, every row is accounted for and no PII reaches the store."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voldata.ingest import ingest
from voldata.store import ingest_report

from .conftest import CITY, KEY, MAKE
from .test_ingest import store_text

SURNAMES = "赵钱孙李周吴郑王冯陈"
GIVEN = "伟芳娜敏静丽强磊洋艳"

GOOD_RECORD = ["V001", "A1", "2020-03-05", "2020-03-05 08:00:00", "2020-03-05 10:00:00", "2", "扫码签到", "已审核"]
# Bad values per column position of GOOD_RECORD (without the record number).
BAD_VALUES = {
    0: ["", "V404", "Ｖ００１"],  # blank, orphan, full-width (valid)
    1: ["", "A404"],
    2: ["", "2020-02-30", "昨天", "43895", "2020年3月5日"],
    3: ["25:00", "2020/3/5 8:00", ""],
    5: ["0", "30", "abc", "", "２小时３０分", "-2"],
    6: ["飞鸽传书", ""],
    7: ["已作废", ""],
}


def _id_number(rng_digits: list[int]) -> str:
    return MAKE.with_check_digit("440106" + "".join(str(d) for d in rng_digits[:11]))


rows = st.lists(
    st.tuples(
        st.integers(0, 30),  # record number (small range: duplicates happen)
        st.dictionaries(st.sampled_from(sorted(BAD_VALUES)), st.integers(0, 5), max_size=3),
        st.text(SURNAMES, min_size=1, max_size=1),
        st.text(GIVEN, min_size=1, max_size=2),
        st.lists(st.integers(0, 9), min_size=11, max_size=11),
        st.integers(13_000_000_000, 13_999_999_999),
        st.booleans(),  # blank line instead of the row
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_rows_are_accounted_for_and_pii_never_stored(tmp_path_factory, rows, encoding):
    work = tmp_path_factory.mktemp("prop")
    raw = work / "raw"
    shutil.copytree(CITY, raw)
    records = ["记录编号,志愿者编号,姓名,手机号码,活动编号,服务日期,签到时间,签退时间,服务时长,记录方式,审核状态"]
    volunteers = ["志愿者编号,姓名,证件号码,手机号码,注册时间"]
    pii: set[str] = set()
    data_rows = 0
    for number, bad, surname, given_name, digits, phone, blank in rows:
        if blank:
            records.append(",,,,,,,,,,")  # blank in every cell: not a row
            continue
        values = list(GOOD_RECORD)
        for position, choice in bad.items():
            values[position] = BAD_VALUES[position][choice % len(BAD_VALUES[position])]
        name, phone_text = surname + given_name, str(phone)
        records.append(",".join([f"R{number}", values[0], name, phone_text, *values[1:]]))
        data_rows += 1
        id_number = _id_number(digits)
        volunteers.append(f"P{number},{name},{id_number},{phone_text},2020-01-01")
        pii |= {name, phone_text, id_number} if len(name) > 1 else {phone_text, id_number}
    (raw / "zz_records.csv").write_bytes(("\n".join(records) + "\n").encode(encoding))
    (raw / "zz_volunteers.csv").write_bytes(("\n".join(volunteers) + "\n").encode(encoding))

    store = work / "store"
    ingest([raw], store=store, key=KEY, progress=False)

    report = ingest_report(store)
    for entry in report["files"]:
        assert entry["rows_read"] == entry["rows_stored"] + entry["rows_quarantined"]
    by_file = {e["file"]: e for e in report["files"]}
    assert by_file["zz_records.csv"]["rows_read"] == data_rows
    assert by_file["zz_volunteers.csv"]["rows_read"] == len(volunteers) - 1
    totals = report["totals"]
    assert totals["rows_read"] == totals["rows_stored"] + totals["rows_quarantined"]
    assert sum(report["tables"].values()) == totals["rows_stored"]

    text = store_text(store)
    assert [s for s in pii if s in text] == []
