"""The edition's Chinese prose, written from the numbers.

Each function takes the indicators (the dict of
:func:`voldata.indicators.city_indicators`, or a small frame) and returns
Markdown. Sentences adapt to the data: growth is said as 增长/下降/持平, a
missing previous year is said so, an empty group is not praised.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from voldata.edition import text as t

__all__ = [
    "GLOSSARY",
    "scale",
    "party",
    "governance",
    "digital",
    "integration",
    "young_old",
    "timebank",
    "value",
    "stars",
    "civic_core",
    "activation",
    "team_types",
    "categories",
    "districts",
    "featured",
    "quality",
]

Indicators = Mapping[str, object]


def _g(ind: Indicators, key: str) -> object:
    return ind.get(key)


def _growth(ind: Indicators, key: str) -> str:
    """ "比上年增长12.3%" (or 下降/持平); "无上年数据可比" when the store has no previous year."""
    value = ind.get(f"{key}_yoy")
    return "无上年数据可比" if t.is_missing(value) else "比上年" + t.change(value)


def scale(ind: Indicators, year: int) -> str:
    """总体规模与增长."""
    return (
        f"截至{year}年底，全市注册志愿者{t.count(_g(ind, 'registered_volunteers'), unit='人')}，"
        f"{_growth(ind, 'registered_volunteers')}；其中{year}年新增注册"
        f"{t.count(_g(ind, 'new_volunteers'), unit='人')}。全年有{t.count(_g(ind, 'active_volunteers'), unit='名')}志愿者"
        f"至少参加过一次经审核的志愿服务，活跃率为{t.share(_g(ind, 'active_rate'))}；"
        f"全年志愿服务时长{t.hours(_g(ind, 'service_hours'))}，{_growth(ind, 'service_hours')}，"
        f"活跃志愿者人均{t.number(_g(ind, 'hours_per_active_mean'), unit='小时')}"
        f"（中位数{t.number(_g(ind, 'hours_per_active_median'), unit='小时')}）。"
        f"每万常住人口拥有注册志愿者{t.number(_g(ind, 'volunteers_per_10k'), unit='人')}。\n\n"
        f"全市共有志愿队伍{t.count(_g(ind, 'teams'), unit='支')}，其中{t.count(_g(ind, 'active_teams'), unit='支')}"
        f"在年内发布过活动；全年开展志愿活动{t.count(_g(ind, 'activities'), unit='项')}，"
        f"{_growth(ind, 'activities')}。"
    )


def party(ind: Indicators, year: int) -> str:
    """党建引领：在职党员报到、党员志愿服务队、党员的模范作用."""
    ratio = _g(ind, "party_hours_ratio")
    role = ""
    if not t.is_missing(ratio):
        if float(ratio) > 1:
            role = f"活跃党员志愿者的人均服务时长是非党员的{t.ratio(ratio)}，体现了党员的先锋模范作用。"
        else:
            role = f"活跃党员志愿者的人均服务时长为非党员的{t.ratio(ratio)}。"
    return (
        f"截至{year}年底，累计{t.count(_g(ind, 'reported_party_members'), unit='名')}在职党员到社区报到，"
        f"其中{t.count(_g(ind, 'reported_party_members_active'), unit='人')}在{year}年参加了志愿服务；"
        f"全市有党员志愿服务队{t.count(_g(ind, 'party_service_teams'), unit='支')}，全年开展活动"
        f"{t.count(_g(ind, 'party_team_activities'), unit='场')}。"
        f"党员志愿者（含预备党员）{t.count(_g(ind, 'party_member_volunteers'), unit='人')}，"
        f"其中活跃{t.count(_g(ind, 'party_member_active'), unit='人')}，占活跃志愿者的"
        f"{t.share(_g(ind, 'party_share_of_active'))}，贡献了{t.share(_g(ind, 'party_share_of_hours'))}的服务时长。{role}"
    )


def governance(
    by_category: pd.DataFrame, year: int, *, community_codes: tuple[str, ...] = ("community_service",)
) -> str:
    """志愿者参与社区治理: the share of hours in community service categories.

    ``by_category`` has columns ``category``, ``name_zh`` and ``hours``
    (:func:`voldata.indicators.hours_by_category`).
    """
    total = float(by_category["hours"].sum())
    if total == 0:
        return f"{year}年没有可计入的服务时长，无法描述社区治理类服务。"
    community = float(by_category.loc[by_category["category"].isin(community_codes), "hours"].sum())
    top = by_category.sort_values("hours", ascending=False).head(3)
    leaders = "、".join(f"{row.name_zh}（{t.share(row.hours / total)}）" for row in top.itertuples())
    return (
        f"志愿者广泛参与社区治理：{year}年社区服务类活动的服务时长为{t.hours(community)}，"
        f"占全年服务时长的{t.share(community / total)}。服务时长最多的三个服务类别是{leaders}。"
    )


def digital(ind: Indicators, year: int) -> str:
    """数字化记录."""
    return (
        f"志愿服务记录日益数字化：{year}年经审核的服务记录中，{t.share(_g(ind, 'digital_record_share'))}"
        "通过扫码或定位签到产生，其余为人工录入或补录。"
    )


def integration(ind: Indicators, year: int) -> str:
    """社工+慈善+志愿服务联动."""
    return (
        f"“社工+慈善+志愿服务”联动持续深化：{year}年有{t.share(_g(ind, 'social_work_activity_share'))}的志愿活动"
        f"有社工机构参与，{t.share(_g(ind, 'charity_activity_share'))}链接了慈善资源，"
        f"{t.share(_g(ind, 'both_activity_share'))}同时具备两者；社工参与活动的服务时长占全年的"
        f"{t.share(_g(ind, 'social_work_hours_share'))}。"
    )


def young_old(ind: Indicators, year: int) -> str:
    """初老服务老老."""
    return (
        f"“初老服务老老”：{year}年60–69岁的活跃志愿者{t.count(_g(ind, 'young_old_active'), unit='人')}，"
        f"{_growth(ind, 'young_old_active')}，他们为老年人提供服务{t.hours(_g(ind, 'young_old_elderly_hours'))}。"
        f"在时间银行中，初老会员为70岁以上老人服务存入{t.count(_g(ind, 'timebank_young_old_to_old_old_count'), unit='笔')}、"
        f"{t.count(_g(ind, 'timebank_young_old_to_old_old_points'), unit='积分')}，占70岁以上老人所获服务积分的"
        f"{t.share(_g(ind, 'timebank_young_old_share'))}。"
    )


def timebank(ind: Indicators, year: int) -> str:
    """广州公益时间银行."""
    over_cap = _g(ind, "accounts_over_cap")
    cap = (
        f"有{t.count(over_cap, unit='个')}账户余额超过1,500积分的存储上限。"
        if not t.is_missing(over_cap) and float(over_cap) > 0
        else "没有账户超过1,500积分的存储上限。"
    )
    return (
        f"广州公益“时间银行”（2019年8月正式上线，1小时服务=1积分）截至{year}年底开户"
        f"{t.count(_g(ind, 'timebank_accounts'), unit='户')}，其中{year}年新开户{t.count(_g(ind, 'timebank_new_accounts'), unit='户')}，"
        f"年内有交易的活跃账户{t.count(_g(ind, 'timebank_active_accounts'), unit='户')}。全年存入"
        f"{t.count(_g(ind, 'points_deposited'), unit='积分')}、支取{t.count(_g(ind, 'points_withdrawn'), unit='积分')}"
        f"（支取存入比{t.share(_g(ind, 'withdrawal_ratio'))}），转赠{t.count(_g(ind, 'points_transferred'), unit='积分')}，"
        f"捐赠{t.count(_g(ind, 'points_donated'), unit='积分')}；年末积分余额{t.count(_g(ind, 'points_outstanding'), unit='积分')}，{cap}"
    )


def value(ind: Indicators, year: int) -> str:
    """志愿服务贡献价值 (replacement cost), with the wage year and its source."""
    wage_year = ind.get("wage_year")
    wage_note = ""
    if not t.is_missing(wage_year) and int(float(wage_year)) != year:
        wage_note = f"（{year}年工资数据缺失，使用{int(float(wage_year))}年数据）"
    hourly = ind.get("hourly_wage")
    hourly_text = f"每小时{t.number(hourly, digits=2, unit='元')}" if not t.is_missing(hourly) else "小时工资"
    source = ind.get("wage_source")
    source_text = f"工资来源：{source}。" if source else ""
    return (
        f"按替代成本法（国际劳工组织《志愿工作测量手册》）估算，{year}年全市志愿服务时长折合经济价值约"
        f"{t.money(_g(ind, 'contribution_value'))}，{_growth(ind, 'contribution_value')}。"
        f"计算方法：服务时长 × 城镇非私营单位在岗职工月平均工资 ÷ 21.75天 ÷ 8小时，即{hourly_text}{wage_note}。{source_text}"
    )


def stars(frame: pd.DataFrame, year: int) -> str:
    """星级志愿者. ``frame`` has columns ``stars`` (1–5) and ``volunteers``."""
    total = int(frame["volunteers"].sum())
    if total == 0:
        return f"截至{year}年底，尚无累计服务时长达到100小时的星级志愿者。"
    five = int(frame.loc[frame["stars"] == 5, "volunteers"].sum())
    return (
        f"截至{year}年底，累计服务时长达到100小时以上的星级志愿者共{t.count(total, unit='人')}，"
        f"其中五星级（1,500小时以上）{t.count(five, unit='人')}。"
    )


def civic_core(ind: Indicators, year: int) -> str:
    """公民核心: concentration of hours."""
    top = _g(ind, "top10_hours_share")
    gini = _g(ind, "hours_gini")
    reading = ""
    if not t.is_missing(gini):
        level = "较为集中" if float(gini) >= 0.5 else "相对均衡" if float(gini) < 0.3 else "有一定集中"
        reading = f"服务时长的基尼系数为{t.number(gini, digits=3)}，分布{level}。"
    return f"{year}年服务时长最多的10%活跃志愿者（“公民核心”）贡献了全部服务时长的{t.share(top)}。{reading}"


def activation(ind: Indicators, year: int) -> str:
    """激活与留存."""
    return (
        f"{year}年新注册的志愿者中，{t.share(_g(ind, 'activation_90d'))}在注册后90天内参加了第一次服务；"
        f"上年活跃的志愿者中有{t.share(_g(ind, 'retention'))}在{year}年继续参加服务（留存率）。"
    )


def team_types(frame: pd.DataFrame, year: int) -> str:
    """队伍类型. ``frame`` from :func:`voldata.edition.analysis.team_types`."""
    total = int(frame["teams"].sum())
    if total == 0:
        return f"截至{year}年底库中没有志愿队伍。"
    top = frame.sort_values("teams", ascending=False).iloc[0]
    busiest = frame.sort_values("service_hours", ascending=False).iloc[0]
    return (
        f"截至{year}年底全市志愿队伍{t.count(total, unit='支')}，数量最多的是{top.team_type_zh}"
        f"（{t.count(top.teams, unit='支')}，占{t.share(top.teams / total)}）；"
        f"{year}年服务时长最多的是{busiest.team_type_zh}组织的活动（{t.hours(busiest.service_hours)}）。"
    )


def categories(by_target: pd.DataFrame, year: int) -> str:
    """服务对象. ``by_target`` has ``name_zh`` and ``hours`` (:func:`voldata.indicators.hours_by_target_group`)."""
    total = float(by_target["hours"].sum())
    if total == 0:
        return ""
    top = by_target.sort_values("hours", ascending=False).head(3)
    listed = "、".join(f"{row.name_zh}（{t.share(row.hours / total)}）" for row in top.itertuples())
    return f"按服务对象看，{year}年服务时长最多的是{listed}。"


def districts(frame: pd.DataFrame, year: int) -> str:
    """11个区比较. ``frame`` has ``name_zh``, ``volunteers_per_10k``, ``active_rate``, ``hours_per_active_mean``."""

    def extreme(column: str, fmt) -> str:
        values = frame.dropna(subset=[column])
        if values.empty:
            return "无数据"
        high = values.loc[values[column].astype(float).idxmax()]
        low = values.loc[values[column].astype(float).idxmin()]
        return f"最高为{high['name_zh']}（{fmt(high[column])}），最低为{low['name_zh']}（{fmt(low[column])}）"

    return (
        f"{year}年各区每万常住人口注册志愿者数{extreme('volunteers_per_10k', lambda v: t.number(v, unit='人'))}；"
        f"活跃率{extreme('active_rate', t.share)}；"
        f"活跃志愿者人均服务时长{extreme('hours_per_active_mean', lambda v: t.number(v, unit='小时'))}。"
    )


def featured(frame: pd.DataFrame, year: int) -> str:
    """精选项目."""
    if frame.empty:
        return f"{year}年没有举办两次以上的同名活动，暂无可精选的项目。"
    first = frame.iloc[0]
    return (
        f"按全年服务时长排序，{year}年规模最大的常态化项目是“{first['title']}”（{first['team_type_zh']}，"
        f"{first['district_zh']}），全年开展{t.count(first['sessions'], unit='场')}、服务{t.hours(first['service_hours'])}。"
        f"下表列出前{len(frame)}个项目。"
    )


def quality(files: pd.DataFrame, reasons: pd.DataFrame) -> str:
    """数据质量."""
    read = int(files["rows_read"].fillna(0).sum())
    stored = int(files["rows_stored"].fillna(0).sum())
    held = int(files["rows_quarantined"].fillna(0).sum())
    text = (
        f"本版数据来自{len(files)}个导出文件，共读取{t.count(read, unit='行')}，入库{t.count(stored, unit='行')}，"
        f"隔离{t.count(held, unit='行')}（{t.share(held / read if read else None)}）。"
    )
    if held:
        top = reasons.groupby("reason")["rows"].sum().sort_values(ascending=False)
        text += (
            "隔离原因以"
            + "、".join(f"{REASONS.get(r, r)}（{t.count(n, unit='行')}）" for r, n in top.head(3).items())
            + "为主。"
        )
    return text + "隔离行不进入任何统计；其内容不在本报告中公开。"


REASONS: dict[str, str] = {
    "missing_value": "必填项缺失",
    "bad_date": "日期无法识别",
    "bad_number": "数字无法识别",
    "out_of_range": "数值超出范围",
    "unknown_district": "区名无法识别",
    "unknown_value": "取值不在规范内",
    "duplicate": "重复记录",
    "orphan": "引用的编号不存在",
}

GLOSSARY: dict[str, str] = {
    "注册志愿者": "在志愿服务信息系统注册、截至年底仍在库中的志愿者。",
    "活跃志愿者": "年内至少有一条经审核、时长在0–24小时之间的服务记录的志愿者。",
    "活跃率": "活跃志愿者 ÷ 注册志愿者。",
    "服务时长": "经审核的有效服务记录的时长之和（小时）。",
    "在职党员报到": "在职党员到居住地社区报到、参与社区服务（“双报到”）。",
    "党员志愿服务队": "队伍类型为党员志愿服务队的志愿队伍。",
    "星级志愿者": "按累计服务时长认定：一星100小时、二星300小时、三星600小时、四星1,000小时、五星1,500小时。",
    "公民核心": "服务时长最多的前10%活跃志愿者，其时长占比衡量志愿服务的集中程度。",
    "基尼系数": "0–1之间，越大表示服务时长越集中在少数人身上。",
    "留存率": "上年活跃且本年仍活跃的志愿者 ÷ 上年活跃志愿者。",
    "90天激活率": "本年新注册志愿者中，注册后90天内完成首次服务的比例。",
    "数字化记录": "通过扫码签到或定位签到生成的服务记录。",
    "社工+慈善+志愿服务": "社工机构、慈善资源与志愿服务联动开展的活动。",
    "初老服务老老": "60–69岁的低龄老人（初老）为70岁以上的高龄老人（老老）提供志愿服务。",
    "广州公益时间银行": "以服务时长为积分（1小时=1积分）存储、支取、转赠、捐赠的互助平台，2019年8月26日正式上线。",
    "贡献价值": "按替代成本法，把服务时长乘以城镇非私营单位在岗职工的小时工资估算的经济价值。",
    "小数据单元抑制": "区以下统计表中人数少于阈值（默认10）的格显示为“<10”，由其计算的比率留空，以保护个人隐私。",
    "示例数据": "由演示数据生成器产生的虚构数据，仅用于展示计算方法。",
}
