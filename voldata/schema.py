"""The canonical tables: one place that says what each export becomes.

Everything that reads or writes data (the readers, the store, the demo-data
generator, the indicators) takes its column names, headers, vocabularies and
keys from here, so the data contract (``spec/data-contract.md``) is encoded
once.

Canonical kinds
---------------
``str``       text (pyarrow ``string``)
``code``      a value of a fixed vocabulary, stored as text, loaded as categorical
``bool``      boolean
``int``       64-bit integer (nullable)
``year``      a year as a 16-bit integer (nullable)
``float``     float64 (hours are float64 everywhere: float32 sums drift)
``date``      calendar date (pyarrow ``date32``)
``datetime``  local wall-clock time, Asia/Shanghai, no zone attached
              (pyarrow ``timestamp[us]``)
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "TABLE_ORDER",
    "VOCABULARIES",
    "PII_HEADERS",
    "table",
]

# Raw value -> canonical code, per vocabulary. Categories and target groups are
# read from data/reference/ (see voldata.reference) and filled in there.
VOCABULARIES: dict[str, dict[str, str]] = {
    "id_type": {
        "居民身份证": "resident_id",
        "港澳居民来往内地通行证": "other_id",
        "台湾居民来往大陆通行证": "other_id",
        "护照": "other_id",
        "其他": "other_id",
    },
    "gender": {"男": "M", "女": "F"},
    "political_status": {
        "中共党员": "party_member",
        "中共预备党员": "probationary_party_member",
        "共青团员": "league_member",
        "民主党派成员": "democratic_party",
        "群众": "masses",
        "其他": "other",
    },
    "education": {
        "小学及以下": "primary",
        "初中": "junior_high",
        "高中": "senior_high",
        "中专": "senior_high",
        "职高": "senior_high",
        "技校": "senior_high",
        "大专": "college",
        "本科": "bachelor",
        "硕士": "postgraduate",
        "博士": "postgraduate",
        "研究生": "postgraduate",
    },
    "team_type": {
        "党员志愿服务队": "party_service",
        "社区志愿服务队": "community",
        "社工站志愿服务队": "social_work",
        "青年志愿服务队": "youth",
        "巾帼志愿服务队": "women",
        "企业志愿服务队": "enterprise",
        "学校志愿服务队": "school",
    },
    "record_method": {"扫码签到": "qr", "定位签到": "gps", "人工录入": "manual", "补录": "manual"},
    "status": {
        "已审核": "approved",
        "已通过": "approved",
        "待审核": "pending",
        "已驳回": "rejected",
        "不通过": "rejected",
    },
    "txn_type": {"存入": "deposit", "支取": "withdrawal", "转赠": "transfer", "捐赠": "donation"},
}

# The full set of codes each vocabulary can take in the store (the categorical
# levels), including the fall-back codes the contract assigns to other values.
VOCABULARY_LEVELS: dict[str, list[str]] = {
    "id_type": ["resident_id", "other_id"],
    "gender": ["M", "F"],
    "political_status": [
        "party_member",
        "probationary_party_member",
        "league_member",
        "democratic_party",
        "masses",
        "other",
    ],
    "education": ["primary", "junior_high", "senior_high", "college", "bachelor", "postgraduate", "unknown"],
    "team_type": ["party_service", "community", "social_work", "youth", "women", "enterprise", "school", "other"],
    "record_method": ["qr", "gps", "manual"],
    "status": ["approved", "pending", "rejected"],
    "txn_type": ["deposit", "withdrawal", "transfer", "donation"],
    # category, target_group and district_code levels come from data/reference/
}

# Headers whose values are personal information. They are dropped as soon as a
# file is read: nothing downstream (store, quarantine, report) ever sees them.
PII_HEADERS: frozenset[str] = frozenset(
    {"姓名", "手机号码", "联系电话", "所在单位", "负责人", "工作单位", "联系人", "联系方式", "电子邮箱", "家庭住址"}
)


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Parameters
    ----------
    name : str
        Canonical column name in the store.
    headers : tuple of str
        Chinese export headers (after header normalisation) that map to it;
        the first is the one the demo generator writes.
    kind : {"str", "code", "bool", "int", "year", "float", "date", "datetime"}
        Canonical kind, see the module docstring.
    required : bool
        A blank value quarantines the row.
    vocabulary : str or None
        Name of the vocabulary for ``kind == "code"``.
    derived_from_id : bool
        Filled from the ID number (gender, birth year, person_key, id_valid)
        rather than read from a header of its own.
    """

    name: str
    headers: tuple[str, ...]
    kind: str = "str"
    required: bool = False
    vocabulary: str | None = None
    derived_from_id: bool = False


@dataclass(frozen=True)
class Table:
    """One canonical table.

    Parameters
    ----------
    name : str
        Canonical table name, also the store folder name.
    title_zh : str
        The export's Chinese name.
    columns : tuple of Column
        Canonical columns in store order.
    key : tuple of str
        Columns whose combination is unique; a repeat is quarantined as a duplicate.
    alternate_keys : tuple of tuple of str
        Further combinations that must also be unique (e.g. the same volunteer,
        activity and sign-in time for service records).
    partition_by : str or None
        Date or datetime column whose year partitions the table in the store
        (``STORE/<table>/year=<YYYY>/``); None stores one unpartitioned file.
    references : dict
        ``{column: (table, column)}``: a value that does not exist there is
        quarantined as an orphan.
    signature : tuple of str
        Headers that identify this table in an export's header row.
    """

    name: str
    title_zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    signature: tuple[str, ...]
    alternate_keys: tuple[tuple[str, ...], ...] = ()
    partition_by: str | None = None
    references: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


def _place(prefix: str) -> tuple[Column, ...]:
    """District, street and community columns under a header prefix (所属, 报到, 活动)."""
    streets = (f"{prefix}街道", f"{prefix}镇街") if prefix == "所属" else (f"{prefix}街道",)
    communities = (f"{prefix}社区", f"{prefix}村居") if prefix == "所属" else (f"{prefix}社区",)
    return (
        Column("district_code", (f"{prefix}区",), "code", vocabulary="district_code"),
        Column("street", streets),
        Column("community", communities),
    )


VOLUNTEERS = Table(
    name="volunteers",
    title_zh="志愿者",
    columns=(
        Column("volunteer_id", ("志愿者编号",), required=True),
        Column("id_type", ("证件类型",), "code", vocabulary="id_type"),
        Column("person_key", ("证件号码",), required=True, derived_from_id=True),
        Column("id_valid", (), "bool", derived_from_id=True),
        Column("gender", ("性别",), "code", vocabulary="gender"),
        Column("birth_year", ("出生日期",), "year"),
        Column("political_status", ("政治面貌",), "code", vocabulary="political_status"),
        Column("education", ("学历",), "code", vocabulary="education"),
        *_place("所属"),
        Column("registered_at", ("注册时间",), "datetime", required=True),
    ),
    key=("volunteer_id",),
    signature=("志愿者编号", "证件号码", "注册时间"),
    partition_by="registered_at",
)

PARTY_REPORTS = Table(
    name="party_reports",
    title_zh="在职党员报到",
    columns=(
        Column("person_key", ("证件号码",), required=True, derived_from_id=True),
        *_place("报到"),
        Column("reported_at", ("报到时间",), "datetime", required=True),
    ),
    key=("person_key", "district_code", "reported_at"),
    signature=("证件号码", "报到时间"),
    partition_by="reported_at",
)

TEAMS = Table(
    name="teams",
    title_zh="志愿队伍",
    columns=(
        Column("team_id", ("队伍编号",), required=True),
        Column("team_name", ("队伍名称",)),
        Column("team_type", ("队伍类型",), "code", vocabulary="team_type"),
        *_place("所属"),
        Column("founded_on", ("成立日期",), "date"),
    ),
    key=("team_id",),
    signature=("队伍编号", "队伍类型"),
)

ACTIVITIES = Table(
    name="activities",
    title_zh="志愿活动",
    columns=(
        Column("activity_id", ("活动编号",), required=True),
        Column("title", ("活动名称",)),
        Column("team_id", ("发布队伍编号",), required=True),
        Column("category", ("服务类别",), "code", vocabulary="category"),
        Column("target_group", ("服务对象",), "code", vocabulary="target_group"),
        *_place("活动"),
        Column("start_at", ("开始时间",), "datetime", required=True),
        Column("end_at", ("结束时间",), "datetime"),
        Column("social_work_partner", ("合作社工机构",), "bool"),
        Column("charity_partner", ("慈善资源",), "bool"),
        Column("planned_volunteers", ("招募人数",), "int"),
    ),
    key=("activity_id",),
    signature=("活动编号", "发布队伍编号"),
    partition_by="start_at",
    references={"team_id": ("teams", "team_id")},
)

SERVICE_RECORDS = Table(
    name="service_records",
    title_zh="服务时长记录",
    columns=(
        Column("record_id", ("记录编号",), required=True),
        Column("volunteer_id", ("志愿者编号",), required=True),
        Column("activity_id", ("活动编号",), required=True),
        Column("service_date", ("服务日期",), "date", required=True),
        Column("sign_in_at", ("签到时间",), "datetime"),
        Column("sign_out_at", ("签退时间",), "datetime"),
        Column("hours", ("服务时长",), "float", required=True),
        Column("record_method", ("记录方式",), "code", vocabulary="record_method"),
        Column("status", ("审核状态",), "code", vocabulary="status"),
    ),
    key=("record_id",),
    alternate_keys=(("volunteer_id", "activity_id", "sign_in_at"),),
    signature=("记录编号", "志愿者编号", "活动编号"),
    partition_by="service_date",
    references={
        "volunteer_id": ("volunteers", "volunteer_id"),
        "activity_id": ("activities", "activity_id"),
    },
)

TIMEBANK_ACCOUNTS = Table(
    name="timebank_accounts",
    title_zh="时间银行账户",
    columns=(
        Column("account_id", ("账户编号",), required=True),
        Column("person_key", ("证件号码",), required=True, derived_from_id=True),
        Column("gender", ("性别",), "code", vocabulary="gender"),
        Column("birth_year", ("出生日期",), "year"),
        Column("district_code", ("所属区",), "code", vocabulary="district_code"),
        Column("opened_at", ("开户时间",), "datetime", required=True),
    ),
    key=("account_id",),
    signature=("账户编号", "开户时间"),
)

TIMEBANK_TRANSACTIONS = Table(
    name="timebank_transactions",
    title_zh="时间银行流水",
    columns=(
        Column("txn_id", ("流水号",), required=True),
        Column("account_id", ("账户编号",), required=True),
        Column("txn_type", ("交易类型",), "code", required=True, vocabulary="txn_type"),
        Column("points", ("时长",), "int", required=True),
        Column("counterparty_account_id", ("对方账户编号",)),
        Column("service_item", ("服务项目",)),
        Column("txn_at", ("交易时间",), "datetime", required=True),
    ),
    key=("txn_id",),
    signature=("流水号", "交易类型"),
    partition_by="txn_at",
    references={
        "account_id": ("timebank_accounts", "account_id"),
        "counterparty_account_id": ("timebank_accounts", "account_id"),
    },
)

# Parents before children: references are checked in this order.
TABLE_ORDER: tuple[str, ...] = (
    "volunteers",
    "party_reports",
    "teams",
    "activities",
    "service_records",
    "timebank_accounts",
    "timebank_transactions",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        VOLUNTEERS,
        PARTY_REPORTS,
        TEAMS,
        ACTIVITIES,
        SERVICE_RECORDS,
        TIMEBANK_ACCOUNTS,
        TIMEBANK_TRANSACTIONS,
    )
}


def table(name: str) -> Table:
    """Return the canonical table called ``name``, with a clear error otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; the tables are: {', '.join(TABLE_ORDER)}") from None
