"""Metadata of every indicator (id, names, unit, definitions, section).

The methodology appendix of every edition is rendered from :data:`REGISTRY`
(:func:`registry_table`), and the indicator functions carry the same
definitions in their docstrings, so text and code say the same thing. The
definitions follow ``spec/indicators.md``; where the spec left a choice open the
choice is written into the definition. Each entry also carries the definition in
Chinese (``definition_zh``, with the same choices and thresholds), which the
Chinese edition's appendix shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = [
    "Indicator",
    "REGISTRY",
    "SECTIONS",
    "registry_table",
    "indicator",
    "DATA_LIMITATIONS",
    "DATA_LIMITATIONS_EN",
    "data_limitations",
]

SECTIONS = {
    "scale": "1 规模 Scale",
    "party": "2 党建引领 Party leadership",
    "commitment": "3 投入与集中度 Commitment and concentration",
    "services": "4 服务领域 Services",
    "integration": "5 社工+慈善+志愿服务与信息化 Integration and informatization",
    "timebank": "6 广州公益时间银行 Time bank",
    "young_old": "7 初老服务老老 Young-old serve old-old",
    "value": "8 志愿服务贡献价值 Value",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator's metadata.

    Parameters
    ----------
    id : str
        The id used in ``indicators.json``, tables and function names.
    name_zh, name_en : str
        Display names.
    unit : str
        Unit of the value (``share`` = a fraction between 0 and 1).
    definition : str
        The definition, as in the spec, with any choice the spec left open.
    definition_zh : str
        The same definition in Chinese (指标解释), with the same choices and
        thresholds; shown by the Chinese edition's methodology appendix.
    section : {"scale", "party", "commitment", "services", "integration", "timebank", "young_old", "value"}
        Section of the spec (and of the report).
    function : str
        Name of the function in :mod:`voldata.indicators` that computes it.
    kind : {"count", "number", "share", "table"}
        ``count`` = whole number (Int64), ``number``/``share`` = float64,
        ``table`` = a non-scalar indicator (a tidy frame, not in ``city_indicators``).
    growth : bool
        ``city_indicators`` also reports ``<id>_yoy``.
    district : bool
        A column of ``district_indicators``.
    """

    id: str
    name_zh: str
    name_en: str
    unit: str
    definition: str
    definition_zh: str
    section: str
    function: str
    kind: str = "count"
    growth: bool = False
    district: bool = False


def _i(
    id,
    name_zh,
    name_en,
    unit,
    definition,
    section,
    *,
    definition_zh,
    kind="count",
    growth=False,
    district=False,
    function=None,
):
    return Indicator(
        id, name_zh, name_en, unit, definition, definition_zh, section, function or id, kind, growth, district
    )


_VALID = "valid records (status approved, 0 < hours ≤ 24)"
_VALID_ZH = "有效服务记录指审核状态为已通过、服务时长大于0小时且不超过24小时的记录。"

_ALL = [
    # 1 Scale
    _i(
        "registered_volunteers",
        "注册志愿者人数",
        "Registered volunteers",
        "人",
        "Volunteers with registered_at on or before the end of Y; by district: the volunteer's district.",
        "scale",
        growth=True,
        district=True,
        definition_zh="注册时间在报告年度末（12月31日）及以前的志愿者人数；分区统计按志愿者所属区。",
    ),
    _i(
        "new_volunteers",
        "新增注册志愿者人数",
        "New volunteers",
        "人",
        "Volunteers with registered_at in Y; by district: the volunteer's district.",
        "scale",
        growth=True,
        district=True,
        definition_zh="注册时间在报告年度内的志愿者人数；分区统计按志愿者所属区。",
    ),
    _i(
        "active_volunteers",
        "活跃志愿者人数",
        "Active volunteers",
        "人",
        f"Distinct volunteers with at least one of the {_VALID} dated in Y (registration date not required); "
        "by district: the volunteer's district.",
        "scale",
        growth=True,
        district=True,
        definition_zh=f"报告年度内有至少1条有效服务记录的不同志愿者人数（不以注册时间为条件）；分区统计按志愿者所属区。{_VALID_ZH}",
    ),
    _i(
        "active_rate",
        "活跃率",
        "Active rate",
        "share",
        "active_volunteers / registered_volunteers.",
        "scale",
        kind="share",
        district=True,
        definition_zh="活跃志愿者人数 ÷ 注册志愿者人数。",
    ),
    _i(
        "service_hours",
        "服务时长",
        "Service hours",
        "小时",
        f"Sum of hours of {_VALID} dated in Y; by district: the volunteer's district (so hours per active "
        "volunteer is consistent).",
        "scale",
        kind="number",
        growth=True,
        district=True,
        definition_zh=f"报告年度内有效服务记录的服务时长之和；分区统计按志愿者所属区（使分区人均服务时长口径一致）。{_VALID_ZH}",
    ),
    _i(
        "hours_per_active_mean",
        "人均服务时长（均值）",
        "Mean hours per active volunteer",
        "小时",
        "Mean over active volunteers of each volunteer's hours in Y.",
        "scale",
        kind="number",
        district=True,
        definition_zh="活跃志愿者报告年度内个人服务时长的平均值。",
    ),
    _i(
        "hours_per_active_median",
        "人均服务时长（中位数）",
        "Median hours per active volunteer",
        "小时",
        "Median over active volunteers of each volunteer's hours in Y "
        "(mean of the two middle values for an even count).",
        "scale",
        kind="number",
        district=True,
        definition_zh="活跃志愿者报告年度内个人服务时长的中位数（人数为偶数时取中间两个数的平均值）。",
    ),
    _i(
        "volunteers_per_10k",
        "每万常住人口注册志愿者数",
        "Volunteers per 10,000 residents",
        "人/万人",
        "registered_volunteers / resident population × 10,000. City: the verified 7th-census city total "
        "(18,676,605) unless a population table is given (then its sum); district: the district population "
        "of the table used.",
        "scale",
        kind="number",
        growth=True,
        district=True,
        definition_zh=(
            "注册志愿者人数 ÷ 常住人口 × 10,000。"
            "全市：未指定人口表时采用经核实的第七次全国人口普查全市常住人口（18,676,605人），"
            "指定人口表时采用该表各区人口之和；分区：所用人口表中该区的常住人口。"
        ),
    ),
    _i(
        "teams",
        "志愿队伍数",
        "Teams",
        "个",
        "Teams with founded_on on or before the end of Y; teams without a founding date are counted as existing "
        "(founded before the data); by district: the team's district.",
        "scale",
        growth=True,
        district=True,
        definition_zh="成立日期在报告年度末及以前的志愿队伍数；无成立日期的队伍视为在数据起始前已成立，予以计入；分区统计按队伍所属区。",
    ),
    _i(
        "active_teams",
        "活跃队伍数",
        "Active teams",
        "个",
        "Distinct teams publishing at least one activity starting in Y; by district: the team's district.",
        "scale",
        growth=True,
        district=True,
        definition_zh="报告年度内发布至少1项开始时间在该年度的活动的不同志愿队伍数；分区统计按队伍所属区。",
    ),
    _i(
        "activities",
        "志愿活动数",
        "Activities",
        "项",
        "Activities with start_at in Y; by district: the activity's district.",
        "scale",
        growth=True,
        district=True,
        definition_zh="开始时间在报告年度内的志愿活动数；分区统计按活动所在区。",
    ),
    # 2 Party
    _i(
        "party_member_volunteers",
        "党员志愿者人数",
        "Party-member volunteers",
        "人",
        "Registered volunteers (end of Y) with political_status party_member or probationary_party_member.",
        "party",
        growth=True,
        district=True,
        definition_zh="报告年度末的注册志愿者中，政治面貌为中共党员或中共预备党员的人数。",
    ),
    _i(
        "party_member_active",
        "活跃党员志愿者人数",
        "Active party-member volunteers",
        "人",
        "Of party_member_volunteers, those active in Y.",
        "party",
        growth=True,
        district=True,
        definition_zh="党员志愿者中，报告年度内为活跃志愿者的人数。",
    ),
    _i(
        "party_share_of_active",
        "党员占活跃志愿者比例",
        "Party members' share of active volunteers",
        "share",
        "party_member_active / active_volunteers.",
        "party",
        kind="share",
        district=True,
        definition_zh="活跃党员志愿者人数 ÷ 活跃志愿者人数。",
    ),
    _i(
        "party_share_of_hours",
        "党员服务时长占比",
        "Party members' share of hours",
        "share",
        "Hours in Y of the party_member_active volunteers / service_hours.",
        "party",
        kind="share",
        definition_zh="活跃党员志愿者报告年度内的服务时长之和 ÷ 服务时长。",
    ),
    _i(
        "party_hours_ratio",
        "党员人均时长倍数",
        "Party hours ratio",
        "倍",
        "Mean hours in Y per active party member ÷ mean hours per active non-member (an unadjusted, "
        "descriptive ratio: it does not explain the difference); "
        "non-members = all other active volunteers.",
        "party",
        kind="number",
        definition_zh=(
            "报告年度内活跃党员志愿者的人均服务时长 ÷ 活跃非党员志愿者的人均服务时长"
            "（未调整构成差异的描述性比值，不说明差异的原因）；"
            "非党员指其余全部活跃志愿者。"
        ),
    ),
    _i(
        "reported_party_members",
        "在职党员报到人数",
        "Reported in-service party members",
        "人",
        "Distinct person_key in party_reports with reported_at on or before the end of Y (cumulative).",
        "party",
        growth=True,
        definition_zh="在职党员报到记录中，报到时间在报告年度末及以前的不同人员数（按人员标识去重，累计数）。",
    ),
    _i(
        "reported_party_members_active",
        "报到党员中活跃志愿者人数",
        "Reported party members active",
        "人",
        "Of reported_party_members, those whose person_key is that of a volunteer active in Y.",
        "party",
        growth=True,
        definition_zh="在职党员报到人员中，其人员标识对应报告年度内活跃志愿者的人数。",
    ),
    _i(
        "party_service_teams",
        "党员志愿服务队数",
        "Party-member service teams",
        "个",
        "Teams of type party_service founded on or before the end of Y (no founding date: counted).",
        "party",
        growth=True,
        definition_zh="队伍类型为党员志愿服务队、成立日期在报告年度末及以前的队伍数（无成立日期的予以计入）。",
    ),
    _i(
        "party_team_activities",
        "党员服务队活动数",
        "Activities of party-member teams",
        "项",
        "Activities starting in Y published by a party_service team.",
        "party",
        growth=True,
        definition_zh="党员志愿服务队发布的、开始时间在报告年度内的活动数。",
    ),
    # 3 Commitment
    *[
        _i(
            f"star_{n}",
            f"{'一二三四五'[n - 1]}星级志愿者人数",
            f"{n}-star volunteers",
            "人",
            f"Volunteers whose cumulative hours of {_VALID} inside the data window (from the earliest valid "
            "service date in the store) through the end of Y are "
            + ("at least 1500" if n == 5 else f"in [{lo}, {hi})")
            + ". The volunteers' export carries no cumulative hours to open from, so hours before the window "
            "are not counted (counts are understated) and no growth is computed (it would mix real change with "
            "the window getting longer).",
            "commitment",
            growth=False,
            district=True,
            definition_zh="数据窗口内（自数据中最早的有效服务日期起）截至报告年度末的有效服务记录累计服务时长"
            + ("为1500小时及以上" if n == 5 else f"在{lo}小时（含）至{hi}小时（不含）之间")
            + "的志愿者人数。志愿者导出不含此前的累计时长，窗口开始前的服务不计入，因此人数偏低；"
            f"其逐年变化含数据窗口延长的成分，不计算增长率。{_VALID_ZH}",
        )
        for n, lo, hi in [(1, 100, 300), (2, 300, 600), (3, 600, 1000), (4, 1000, 1500), (5, 1500, None)]
    ],
    _i(
        "hours_gini",
        "服务时长基尼系数",
        "Gini coefficient of hours",
        "index",
        "Gini coefficient of active volunteers' hours in Y: G = 2·Σ i·x_(i) / (n·Σx) − (n+1)/n with x sorted "
        "ascending and i = 1..n; missing when there are no hours.",
        "commitment",
        kind="number",
        definition_zh=(
            "活跃志愿者报告年度内个人服务时长的基尼系数：G = 2·Σ i·x_(i) / (n·Σx) − (n+1)/n，"
            "其中x按从小到大排序，i = 1..n；无服务时长时为缺失。"
        ),
    ),
    _i(
        "top10_hours_share",
        "前10%志愿者时长占比",
        "Top-10% hours share (civic core)",
        "share",
        "Share of service_hours given by the top ⌈0.1 × active_volunteers⌉ volunteers by hours in Y "
        "(ties broken arbitrarily: the share does not depend on which tied volunteer is counted).",
        "commitment",
        kind="share",
        definition_zh=(
            "报告年度内服务时长最多的前⌈0.1 × 活跃志愿者人数⌉名志愿者的服务时长占服务时长的比例（时长相同者任取其一，"
            "比例不因取哪一位而变化）。"
        ),
    ),
    _i(
        "retention",
        "留存率",
        "Retention",
        "share",
        "Volunteers active in both Y−1 and Y ÷ volunteers active in Y−1; missing when Y−1 is not in the store.",
        "commitment",
        kind="share",
        definition_zh="上一年度和报告年度均活跃的志愿者人数 ÷ 上一年度活跃志愿者人数；数据中无上一年度时为缺失。",
    ),
    _i(
        "activation_90d",
        "90天激活率",
        "90-day activation",
        "share",
        "Of volunteers registered in Y with a full 90-day follow-up (registration day + 90 days on or before "
        "the data's end, the latest valid service date in the store) and no valid record before their "
        "registration day (those already served: not newly activated), the share whose first valid record "
        "is dated no later than 90 days after the registration day; missing when no registrant qualifies.",
        "commitment",
        kind="share",
        definition_zh=(
            "报告年度内注册、且注册日后满90天仍在数据截止日（数据中最晚的有效服务日期）以内的志愿者中，"
            "首条有效服务记录日期不晚于注册日后90天的人数所占比例；注册日前已有有效服务记录的志愿者"
            "（已在服务，不属新激活）不计入分母和分子；没有符合条件的注册者时为缺失。"
        ),
    ),
    _i(
        "engagement_survival",
        "持续参与生存曲线",
        "Engagement survival (Kaplan–Meier)",
        "share",
        "Kaplan–Meier curve of days from first to last valid record, over volunteers whose first valid record "
        "is on or before the end of Y and who registered on or after the data window's start (the earliest "
        "valid service date in the store): spells of earlier registrants are left-truncated (their first "
        "record may precede the window) and are left out. Lapsed (event) when the last record is more than "
        "180 days before the data's end (the latest valid service date in the store); any other spell is "
        "censored at that lapse horizon (data's end − 180 days), and spells whose first record is after the "
        "horizon (no lapse can show yet) are left out.",
        "commitment",
        kind="table",
        definition_zh=(
            "对首条有效服务记录在报告年度末及以前、且在数据窗口开始日（数据中最早的有效服务日期）当日或以后注册的志愿者，"
            "计算从首条到末条有效服务记录相隔天数的Kaplan–Meier生存曲线；窗口开始前注册者的首条记录可能早于窗口"
            "（左截断），不纳入。末条记录早于数据截止日（数据中最晚的有效服务日期）超过180天的视为流失（事件），"
            "其余在数据截止日前180天（流失判断截止点）处删失；首条记录晚于该截止点的尚无法判断流失，不纳入。"
        ),
    ),
    # 4 Services
    _i(
        "hours_by_category",
        "各服务类别服务时长",
        "Hours by service category",
        "小时",
        "Hours of valid records in Y by the activity's category, over all 22 categories.",
        "services",
        kind="table",
        definition_zh="报告年度内有效服务记录的服务时长，按活动的服务类别分组，覆盖全部22个类别。",
    ),
    _i(
        "activities_by_category",
        "各服务类别活动数",
        "Activities by service category",
        "项",
        "Activities starting in Y by category, over all 22 categories.",
        "services",
        kind="table",
        definition_zh="开始时间在报告年度内的活动数，按服务类别分组，覆盖全部22个类别。",
    ),
    _i(
        "hours_by_target_group",
        "各服务对象服务时长",
        "Hours by target group",
        "小时",
        "Hours of valid records in Y by the activity's target group, over all target groups.",
        "services",
        kind="table",
        definition_zh="报告年度内有效服务记录的服务时长，按活动的服务对象分组，覆盖全部服务对象。",
    ),
    _i(
        "monthly_hours",
        "月度服务时长",
        "Monthly hours",
        "小时",
        "Hours of valid records per calendar month of Y (12 rows); STL (period 12) over all months in the store "
        "when at least 24 months exist: voldata.models.seasonal_decomposition.",
        "services",
        kind="table",
        definition_zh="报告年度各自然月有效服务记录的服务时长（12行）；数据中至少有24个月时，对全部月份做STL季节分解（周期为12）。",
    ),
    _i(
        "monthly_active",
        "月度活跃志愿者数",
        "Monthly active volunteers",
        "人",
        "Distinct volunteers with a valid record per calendar month of Y (12 rows).",
        "services",
        kind="table",
        definition_zh="报告年度各自然月有至少1条有效服务记录的不同志愿者人数（12行）。",
    ),
    # 5 Integration
    _i(
        "social_work_activity_share",
        "社工参与活动占比",
        "Activities with a social-work partner",
        "share",
        "Share of activities starting in Y with a social-work partner (blank = none).",
        "integration",
        kind="share",
        definition_zh="开始时间在报告年度内的活动中，有社工合作方的活动所占比例（合作方为空视为无）。",
    ),
    _i(
        "charity_activity_share",
        "慈善资源参与活动占比",
        "Activities with a charity partner",
        "share",
        "Share of activities starting in Y with a charity partner (blank = none).",
        "integration",
        kind="share",
        definition_zh="开始时间在报告年度内的活动中，有慈善合作方的活动所占比例（合作方为空视为无）。",
    ),
    _i(
        "both_activity_share",
        "社工与慈善共同参与活动占比",
        "Activities with both partners",
        "share",
        "Share of activities starting in Y with both a social-work and a charity partner.",
        "integration",
        kind="share",
        definition_zh="开始时间在报告年度内的活动中，同时有社工合作方和慈善合作方的活动所占比例。",
    ),
    _i(
        "social_work_hours_share",
        "社工参与活动服务时长占比",
        "Hours in social-work activities",
        "share",
        "Share of service_hours in Y given in activities with a social-work partner.",
        "integration",
        kind="share",
        definition_zh="报告年度服务时长中，在有社工合作方的活动中提供的时长所占比例。",
    ),
    _i(
        "digital_record_share",
        "数字化记录占比",
        "Digital record share",
        "share",
        "Share of valid records in Y with record_method qr or gps.",
        "integration",
        kind="share",
        definition_zh="报告年度有效服务记录中，记录方式为扫码签到或定位签到的记录所占比例。",
    ),
    # 6 Time bank
    _i(
        "timebank_accounts",
        "时间银行开户数",
        "Time-bank accounts",
        "户",
        "Accounts opened on or before the end of Y.",
        "timebank",
        growth=True,
        definition_zh="开户时间在报告年度末及以前的时间银行账户数。",
    ),
    _i(
        "timebank_new_accounts",
        "时间银行新开户数",
        "New time-bank accounts",
        "户",
        "Accounts opened in Y.",
        "timebank",
        growth=True,
        definition_zh="开户时间在报告年度内的时间银行账户数。",
    ),
    _i(
        "timebank_active_accounts",
        "时间银行活跃账户数",
        "Active time-bank accounts",
        "户",
        "Distinct accounts with at least one transaction in Y, as holder or as counterparty.",
        "timebank",
        growth=True,
        definition_zh="报告年度内作为账户持有方或交易对方至少有1笔交易的不同账户数。",
    ),
    _i(
        "points_deposited",
        "存入积分",
        "Points deposited",
        "积分",
        "Sum of deposit points in Y.",
        "timebank",
        growth=True,
        definition_zh="报告年度内存入交易的积分之和。",
    ),
    _i(
        "points_withdrawn",
        "支取积分",
        "Points withdrawn",
        "积分",
        "Sum of withdrawal points in Y.",
        "timebank",
        growth=True,
        definition_zh="报告年度内支取交易的积分之和。",
    ),
    _i(
        "points_transferred",
        "转赠积分",
        "Points transferred",
        "积分",
        "Sum of transfer points in Y.",
        "timebank",
        growth=True,
        definition_zh="报告年度内转赠交易的积分之和。",
    ),
    _i(
        "points_donated",
        "捐赠积分",
        "Points donated",
        "积分",
        "Sum of donation points in Y.",
        "timebank",
        growth=True,
        definition_zh="报告年度内捐赠交易的积分之和。",
    ),
    _i(
        "withdrawal_ratio",
        "支取存入比",
        "Withdrawal ratio",
        "share",
        "points_withdrawn / points_deposited.",
        "timebank",
        kind="share",
        definition_zh="支取积分 ÷ 存入积分。",
    ),
    _i(
        "points_outstanding",
        "积分余额总量",
        "Points outstanding",
        "积分",
        "Sum of all account balances at the end of Y; balance = deposits − withdrawals − transfers out + transfers in "
        "− donations, over transactions on or before the end of Y.",
        "timebank",
        growth=True,
        definition_zh=(
            "报告年度末全部账户积分余额之和；余额 = 存入 − 支取 − 转赠转出 + 转赠转入 − 捐赠，"
            "按报告年度末及以前的交易计算。"
        ),
    ),
    _i(
        "accounts_over_cap",
        "超出存储上限账户数",
        "Accounts over the storage cap",
        "户",
        "Accounts whose balance at the end of Y exceeds the 1,500-point storage cap.",
        "timebank",
        definition_zh="报告年度末积分余额超过1,500积分存储上限的账户数。",
    ),
    # 7 Young-old
    _i(
        "young_old_active",
        "活跃初老志愿者人数",
        "Active young-old volunteers",
        "人",
        "Active volunteers aged 60–69 in Y (age = Y − birth_year; unknown birth year: not counted).",
        "young_old",
        growth=True,
        definition_zh="报告年度内年龄为60–69岁的活跃志愿者人数（年龄 = 报告年度 − 出生年份；出生年份不详的不计入）。",
    ),
    _i(
        "young_old_elderly_hours",
        "初老志愿者为老服务时长",
        "Young-old hours serving the elderly",
        "小时",
        "Hours in Y of active volunteers aged 60–69 in activities whose group served is older people.",
        "young_old",
        kind="number",
        growth=True,
        definition_zh="报告年度内60–69岁活跃志愿者在服务对象为老年人的活动中的服务时长。",
    ),
    _i(
        "timebank_young_old_to_old_old_count",
        "时间银行初老服务老老笔数",
        "Time-bank young-old → old-old deposits",
        "笔",
        "Deposits in Y whose holder is aged 60–69 and whose counterparty is aged 70+ (ages from timebank_accounts).",
        "young_old",
        growth=True,
        definition_zh="报告年度内账户持有方年龄为60–69岁、交易对方年龄为70岁及以上的存入交易笔数（年龄依据时间银行账户信息）。",
    ),
    _i(
        "timebank_young_old_to_old_old_points",
        "时间银行初老服务老老积分",
        "Time-bank young-old → old-old points",
        "积分",
        "Points of those deposits.",
        "young_old",
        growth=True,
        definition_zh="上述存入交易（报告年度内持有方60–69岁、交易对方70岁及以上）的积分之和。",
    ),
    _i(
        "timebank_young_old_share",
        "初老服务老老积分占比",
        "Young-old share of old-old service points",
        "share",
        "timebank_young_old_to_old_old_points ÷ all deposit points in Y whose counterparty is aged 70+.",
        "young_old",
        kind="share",
        definition_zh="时间银行初老服务老老积分 ÷ 报告年度内交易对方年龄为70岁及以上的全部存入交易积分。",
    ),
    # 8 Value
    _i(
        "contribution_value",
        "志愿服务贡献价值",
        "Contribution value",
        "元",
        "service_hours × hourly wage; hourly wage = average monthly wage of urban non-private employees "
        "(reference/wages.csv) ÷ 21.75 days ÷ 8 hours (replacement-cost method, ILO Manual on the Measurement of "
        "Volunteer Work); a missing wage year uses the latest earlier year and says so in wage_source. "
        "Nominal (current-year wages, not deflated): its growth mixes the change in hours with the change in "
        "wages; value.value_change splits the two.",
        "value",
        kind="number",
        growth=True,
        definition_zh=(
            "服务时长 × 小时工资；"
            "小时工资 = 城镇非私营单位在岗职工月平均工资（reference/wages.csv）÷ 21.75天 ÷ 8小时（替代成本法，"
            "依据国际劳工组织《志愿工作测量手册》）；缺少当年工资数据时采用此前最近年份的数据，"
            "并在工资来源中注明。按当年工资计算的名义价值（未剔除工资上涨），其增长包含服务时长变化"
            "和工资变化两部分，可分别列示。"
        ),
    ),
    _i(
        "full_time_equivalents",
        "折合全职岗位",
        "Full-time equivalents",
        "个",
        "service_hours ÷ 2,000 hours, the hours of one full-time job a year (250 working days × 8 hours: "
        "365 days less 104 rest days and 11 public holidays, Ministry of Labour and Social Security notice "
        "劳社部发〔2008〕3号).",
        "value",
        kind="number",
        definition_zh=(
            "服务时长 ÷ 2,000小时。2,000小时为一个全职岗位一年的工作时间：250个工作日（365天减去104个休息日"
            "和11个法定节假日）× 8小时（劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》，"
            "劳社部发〔2008〕3号）。"
        ),
    ),
    _i(
        "wage_sensitivity",
        "贡献价值的工资敏感性",
        "Contribution value by wage",
        "元",
        "service_hours valued at three monthly wages, each ÷ 21.75 days ÷ 8 hours: the average wage of urban "
        "non-private employees of all sectors (the one contribution_value uses), the average wage of the sector "
        "resident services, repairs and other services (closest to community services), and Guangzhou's monthly "
        "minimum wage (reference/wage_bases.csv); each uses Y's wage or the latest earlier year's, and a wage not "
        "found leaves its row blank. Each value is also given relative to the all-sector value.",
        "value",
        kind="table",
        definition_zh=(
            "分别按三种月工资（各 ÷ 21.75天 ÷ 8小时）估算服务时长的价值：全行业城镇非私营单位在岗职工平均工资"
            "（即贡献价值所用工资）、居民服务、修理和其他服务业平均工资（与社区服务最接近的行业）、广州市月最低工资"
            "标准（reference/wage_bases.csv）；各用当年工资，缺少时用此前最近年份，查不到的留空。"
            "并列出各估算值与全行业估算值之比。"
        ),
    ),
]

#: id -> :class:`Indicator`, in the spec's order.
REGISTRY: dict[str, Indicator] = {item.id: item for item in _ALL}


def indicator(id: str) -> Indicator:
    """The metadata of one indicator, with a clear error for an unknown id."""
    try:
        return REGISTRY[id]
    except KeyError:
        raise KeyError(f"unknown indicator {id!r}") from None


def registry_table() -> pd.DataFrame:
    """The methodology table of the appendix: one row per indicator.

    Returns
    -------
    DataFrame
        ``section`` (display name), ``id``, ``name_zh``, ``name_en``, ``unit``,
        ``definition``, ``definition_zh``, ``function``, ``kind``, ``growth``, ``district``.
    """
    frame = pd.DataFrame([asdict(item) for item in _ALL])
    frame["section"] = frame["section"].map(SECTIONS)
    return frame[
        [
            "section",
            "id",
            "name_zh",
            "name_en",
            "unit",
            "definition",
            "definition_zh",
            "function",
            "kind",
            "growth",
            "district",
        ]
    ]


#: What the data cannot show, in plain words for the appendix: (id, text in Chinese). The
#: ``window`` text takes the data window's first and last dates (see :func:`data_limitations`).
DATA_LIMITATIONS: list[tuple[str, str]] = [
    (
        "latest_attributes",
        "志愿者的政治面貌、所属区、街道等属性取自最新一次导出，并用于此前各年份的统计："
        "某人在往年入党或迁区，往年数字也按其现在的属性归类，各年之间的差异因此可能部分来自属性变化，而非实际变化。",
    ),
    (
        "several_ids",
        "统计以志愿者编号计人：同一人持有多个志愿者编号（如在不同平台或重复注册）时会被计为多人，"
        "人数因此可能偏高，人均服务时长偏低。",
    ),
    (
        "registration_data",
        "数据是志愿服务信息平台的注册与服务记录，不是人口抽样调查：未在平台登记的志愿服务不在其中，"
        "注册志愿者也不代表全体居民，各项比例不能推及全市人口。",
    ),
    (
        "window",
        "数据窗口为{start}至{end}（库中最早与最晚的有效服务日期）：窗口之前的服务记录不在库中，"
        "因此星级志愿者按窗口内的累计时长认定、人数偏低且不计算增长；窗口开始前注册的志愿者的参与持续时间"
        "无法从起点观察，不纳入生存分析；注册不满90天即到数据截止日的志愿者不计入90天激活率。",
    ),
    (
        "participation_model",
        "参与次数模型以当年注册天数为暴露量，年中注册者与全年注册者按同样的时间长度比较；标准误按街道聚类调整"
        "（街道不足20个时不调整，并在结果中注明）；未参加服务者占多数时，另附“是否参加”和“参加者的次数”两部分模型作为检验。",
    ),
    (
        "partial_first_year",
        "广州公益时间银行于2019年8月26日上线，2019年的数字只覆盖约四个月：以2019年为基数的增长率偏高，不宜直接比较。",
    ),
    (
        "nominal_value",
        "贡献价值按当年工资计算，是名义值：其变化既来自服务时长的变化，也来自工资的变化，本报告把两部分分别列出。",
    ),
    (
        "associations",
        "模型估计的是在控制其他变量后的统计关联，不表示因果关系；未经调整的比值（如党员与非党员人均时长之比）"
        "还可能反映年龄、所在区等构成差异。",
    ),
    (
        "names_as_given",
        "区、服务类别、服务对象和队伍类型的名称在英文版中译为英文；活动（项目）名称、街道、时间银行服务项目"
        "等名称按数据原文照录，英文版也不翻译。",
    ),
]


#: The same limitations in English, by key (the English edition's appendix).
DATA_LIMITATIONS_EN: dict[str, str] = {
    "latest_attributes": "Volunteers' political status, district, street and other attributes come from the latest "
    "export and are used for every earlier year too: someone who joined the party or moved district in an earlier "
    "year is counted under their present attributes, so part of a difference between years may come from changed "
    "attributes rather than real change.",
    "several_ids": "People are counted by volunteer id: one person holding several ids (on different platforms, or "
    "registered twice) counts as several, so counts may be too high and hours per volunteer too low.",
    "registration_data": "The data are the volunteer platforms' registrations and service records, not a population "
    "survey: volunteering not recorded on the platforms is missing, registered volunteers do not represent all "
    "residents, and no share can be extended to the city's population.",
    "window": "The data window runs from {start} to {end} (the store's earliest and latest valid service dates): "
    "service before the window is not in the store, so star volunteers are rated on hours inside the window, their "
    "numbers are understated and their growth is not computed; volunteers registered before the window cannot be "
    "followed from their start and are left out of the survival analysis; volunteers registered less than 90 days "
    "before the end of the data are left out of the 90-day activation rate.",
    "participation_model": "The participation model takes the days registered in the year as its exposure, so those "
    "who registered mid-year are compared over the same length of time as those registered all year; standard "
    "errors are clustered by street (not when there are fewer than 20 streets, which the results say); where most "
    "volunteers did not serve, a two-part check (whether one served, and how often those who served did) is added.",
    "partial_first_year": "The Guangzhou public-welfare time bank went live on 26 August 2019, so its 2019 figures "
    "cover about four months: growth on 2019 is overstated and should not be compared directly.",
    "nominal_value": "The value of volunteering is computed at each year's wage and is nominal: its change comes from "
    "both the change in hours and the change in wages, which this report shows separately.",
    "associations": "The models estimate statistical associations after adjusting for the other variables, not "
    "causes; unadjusted ratios (such as party members' hours per head against non-members') may also reflect "
    "differences in age, district and so on.",
    "names_as_given": "Districts, service categories, groups served and team types are named in English; the "
    "names of activities (projects), streets, time-bank service items and other names from the data are shown as "
    "the data has them, in Chinese, and are not translated.",
}


def data_limitations(start=None, end=None, *, language: str = "zh") -> list[str]:
    """The texts of :data:`DATA_LIMITATIONS`, with the data window's dates filled in.

    Parameters
    ----------
    start, end : date or None
        First and last valid service dates of the store (``voldata.indicators.data_window``);
        None is written as "—".
    language : {"zh", "en"}
        The edition's language (English from :data:`DATA_LIMITATIONS_EN`).

    Returns
    -------
    list of str
        One sentence per limitation, in the order of :data:`DATA_LIMITATIONS`.
    """

    def day(value) -> str:
        if value is None:
            return "—"
        return f"{value.year}年{value.month}月{value.day}日" if language == "zh" else value.isoformat()

    texts = [(key, text if language == "zh" else DATA_LIMITATIONS_EN[key]) for key, text in DATA_LIMITATIONS]
    return [text.format(start=day(start), end=day(end)) if key == "window" else text for key, text in texts]
