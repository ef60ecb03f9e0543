"""Aggregates the chapters need beyond the indicator suite: all grouped, never person-level.

Each function takes the store's tables as Polars lazy frames (``Chapter.tables``)
and returns a small pandas frame with one row per group (team type, street,
project, month …). Valid records are those of the indicator suite
(:func:`valid_records`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import polars as pl

from voldata import indicators, models, reference
from voldata.edition import english
from voldata.edition.manifest import package_versions
from voldata.indicators import REGISTRY, Context
from voldata.indicators._engine import as_context, py
from voldata.indicators._engine import valid_records as indicator_valid_records
from voldata.schema import VOCABULARIES

__all__ = [
    "previous_year_value",
    "TEAM_TYPE_NAMES",
    "INDICATOR_LABELS",
    "INDICATOR_LABELS_EN",
    "indicator_headers",
    "section_name",
    "UNITS_ZH",
    "indicator_table",
    "star_table",
    "valid_records",
    "year_records",
    "yearly_scale",
    "year_scale",
    "YEAR_SCALE",
    "team_types",
    "featured_projects",
    "recurring_projects",
    "monthly_party_reports",
    "PARTNERSHIPS",
    "with_partnership",
    "partner_hours",
    "ingest_files",
    "quarantine_reasons",
    "software_versions",
    "code_names",
    "methodology_markdown",
    "model_table",
    "ModelSection",
    "chapter_models",
    "MODEL_LABELS",
    "MODEL_LABELS_EN",
    "model_reading",
]

TEAM_TYPE_NAMES: dict[str, str] = {code: name for name, code in VOCABULARIES["team_type"].items()} | {"other": "其他"}


#: The star levels as the report names them everywhere (一星级 … 五星级).
STAR_NAMES_ZH = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}

#: Registry units as the Chinese tables write them (shares are shown as percentages).
UNITS_ZH = {"share": "%", "index": "系数"}

INDICATOR_LABELS = {"name_zh": "指标", "value": "数值", "unit": "单位", "yoy": "比上年增长", "id": "指标代码"}
INDICATOR_LABELS_EN = {
    "name_zh": "Indicator",
    "value": "Value",
    "unit": "Unit",
    "yoy": "Change on previous year",
    "id": "Indicator id",
}


def indicator_table(indicators: dict, ids: list[str], *, with_id: bool = False, language: str = "zh") -> pd.DataFrame:
    """City indicators as a table: name, value, unit, growth (blank where not defined).

    ``with_id`` adds the indicator's id. ``language`` {"zh", "en"} chooses the names and units
    (the name column is ``name_zh`` either way; label it with :data:`INDICATOR_LABELS` or
    :data:`INDICATOR_LABELS_EN`).
    """
    rows = []
    for id in ids:
        item = REGISTRY.get(id)
        rows.append(
            {
                "id": id,
                "name_zh": (item.name_zh if language == "zh" else item.name_en) if item else id,
                "value": indicators.get(id),
                "unit": (UNITS_ZH.get(item.unit, item.unit) if language == "zh" else english.unit(item.unit))
                if item
                else "",
                "yoy": indicators.get(f"{id}_yoy"),
            }
        )
    frame = pd.DataFrame(rows, columns=["id", "name_zh", "value", "unit", "yoy"])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["yoy"] = pd.to_numeric(frame["yoy"], errors="coerce").astype("float64")
    return frame if with_id else frame.drop(columns="id")


def indicator_headers(columns, *, language: str = "zh") -> dict[str, str]:
    """Headers for columns named by indicator id: 注册志愿者人数（人）, 活跃率（%）, …比上年增长（%）.

    Also ``district_code`` → 区划代码 and ``name_zh`` → 区; other columns are left out. In English:
    "Registered volunteers (people)", "Active rate (%)", "Registered volunteers: change on previous year (%)".
    """
    if language != "zh":
        headers = {"district_code": "District code", "name_zh": "District"}
        for column in columns:
            item = REGISTRY.get(column.removesuffix("_yoy"))
            if item is None:
                continue
            unit = english.unit(item.unit)
            if column != item.id:
                headers[column] = f"{item.name_en}: change on previous year (%)"
            else:
                headers[column] = f"{item.name_en} ({unit})" if unit else item.name_en
        return {c: h for c, h in headers.items() if c in columns}
    headers = {"district_code": "区划代码", "name_zh": "区"}
    for column in columns:
        id = column.removesuffix("_yoy")
        item = REGISTRY.get(id)
        if item is None:
            continue
        unit = UNITS_ZH.get(item.unit, item.unit)
        if column != id:
            headers[column] = f"{item.name_zh}比上年增长（%）"
        elif item.name_zh.endswith("）"):  # 人均服务时长（均值） → 人均服务时长（均值，小时）: no stacked parentheses
            headers[column] = f"{item.name_zh[:-1]}，{unit}）"
        else:
            headers[column] = f"{item.name_zh}（{unit}）"
    return {c: h for c, h in headers.items() if c in columns}


def star_table(indicators: dict, *, language: str = "zh") -> pd.DataFrame:
    """Star volunteers by level (1–5 stars) with their hour thresholds, from the city indicators.

    ``language`` {"zh", "en"} writes the thresholds (the level column is Chinese; ``stars`` is the number).
    """
    if language == "zh":
        bounds = {1: "100–300小时", 2: "300–600小时", 3: "600–1,000小时", 4: "1,000–1,500小时", 5: "1,500小时以上"}
    else:
        bounds = {
            1: "100–300 hours",
            2: "300–600 hours",
            3: "600–1,000 hours",
            4: "1,000–1,500 hours",
            5: "1,500 hours or more",
        }
    return pd.DataFrame(
        {
            "stars": range(1, 6),
            "level": [f"{STAR_NAMES_ZH[n]}星级" for n in range(1, 6)],
            "hours": [bounds[n] for n in range(1, 6)],
            "volunteers": pd.array([indicators.get(f"star_{n}") for n in range(1, 6)], dtype="Int64"),
        }
    )


def code_names(vocabulary: str) -> dict[str, str]:
    """Code -> Chinese name for {"category", "target_group", "district_code", "team_type"}."""
    if vocabulary == "category":
        return dict(zip(reference.categories()["code"], reference.categories()["name_zh"]))
    if vocabulary == "target_group":
        return dict(zip(reference.target_groups()["code"], reference.target_groups()["name_zh"]))
    if vocabulary == "district_code":
        return reference.district_names()
    if vocabulary == "team_type":
        return TEAM_TYPE_NAMES
    raise ValueError(f"vocabulary must be one of category, target_group, district_code, team_type; not {vocabulary!r}")


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)


def valid_records(tables: dict, year: int | None = None) -> pl.LazyFrame:
    """Service records that count, by the indicator suite's rule (with their ``year``), optionally only ``year``'s."""
    records = indicator_valid_records(Context(tables)).to_native()
    if year is not None:
        records = records.filter(pl.col("year") == year)
    return records


def year_records(tables, year: int) -> pl.LazyFrame:
    """The valid records of ``year`` with their volunteer's and activity's attributes, collected once per
    indicator context (:meth:`voldata.indicators.Context.year_records`): the chapters' breakdowns of Y group it."""
    return as_context(tables).year_records(year).to_native()


def yearly_scale(tables, years: list[int]) -> pd.DataFrame:
    """Registered and active volunteers, service hours and activities for each year, from the indicator functions.

    Each year's row is computed once per indicator context (in a build, in its shared step).
    """
    context = as_context(tables)
    frame = pd.DataFrame([{"year": year, **year_scale(context, year)} for year in years])
    for name in ("registered_volunteers", "active_volunteers", "activities"):
        frame[name] = frame[name].astype("Int64")
    frame["service_hours"] = frame["service_hours"].astype("float64")
    return frame


#: The columns of :func:`yearly_scale` after ``year``.
YEAR_SCALE = ("registered_volunteers", "active_volunteers", "service_hours", "activities")


def year_scale(tables, year: int) -> dict[str, int | float | None]:
    """One row of :func:`yearly_scale`: :data:`YEAR_SCALE` of ``year`` (computed once per context)."""
    context = as_context(tables)

    def build() -> dict:
        return {name: py(getattr(indicators, name)(context, year=year)[name].iloc[0]) for name in YEAR_SCALE}

    return context.value(("year_scale", year), build)


def team_types(tables: dict, year: int, *, by_district: bool = False) -> pd.DataFrame:
    """By team type: teams founded by the end of Y (no date: counted), teams active in Y, activities and hours in Y.

    ``by_district`` adds ``district_code`` (the team's) first: one row per district (the 11) and team type.
    """
    _, end = _year_bounds(year)
    keys = ["district_code", "team_type"] if by_district else ["team_type"]
    teams = tables["teams"].with_columns(pl.col("team_type").fill_null("other"))
    existing = (
        teams.filter(pl.col("founded_on").is_null() | (pl.col("founded_on") < end.date()))
        .group_by(keys)
        .agg(teams=pl.len())
    )
    activities = (
        tables["activities"]
        .filter(pl.col("start_at").dt.year() == year)
        .select("activity_id", "team_id")
        .join(teams.select("team_id", *keys), on="team_id")
    )
    active = activities.group_by(keys).agg(active_teams=pl.col("team_id").n_unique(), activities=pl.len())
    hours = (
        year_records(tables, year)
        .join(activities.select("activity_id", *keys), on="activity_id")
        .group_by(keys)
        .agg(service_hours=pl.col("hours").sum())
    )
    codes = pl.LazyFrame({"team_type": list(TEAM_TYPE_NAMES), "order": range(len(TEAM_TYPE_NAMES))})
    if by_district:
        districts = pl.LazyFrame({"district_code": list(reference.district_names())})
        codes = districts.join(codes, how="cross")
    frame = (
        codes.join(existing, on=keys, how="left")
        .join(active, on=keys, how="left")
        .join(hours, on=keys, how="left")
        .with_columns(
            pl.col("teams", "active_teams", "activities").fill_null(0), pl.col("service_hours").fill_null(0.0)
        )
        .sort([*keys[:-1], "order"])
        .drop("order")
        .collect()
        .to_pandas()
    )
    frame.insert(len(keys), "team_type_zh", frame["team_type"].map(TEAM_TYPE_NAMES))
    return frame


def previous_year_value(context: Context, indicator_id: str, *, year: int) -> float | None:
    """City-level scalar ``indicator_id`` for Y−1, so a sentence can state the change it words.

    From :func:`voldata.indicators.previous_city_indicators` (in a build, computed once in its
    shared step). None when Y−1 is not in the store or the value is missing.
    """
    if indicator_id not in indicators.CITY_IDS:
        raise ValueError(f"{indicator_id!r} is not a city-level scalar indicator")
    value = indicators.previous_city_indicators(context, year=year).get(indicator_id)
    return None if value is None or pd.isna(value) else float(value)


def recurring_projects(
    tables: dict, year: int, *, volunteers: bool = True, min_sessions: int = 2, min_months: int = 1
) -> pd.DataFrame:
    """Every recurring activity of Y, largest first by service hours.

    A project is the same title published by the same team (compared exactly), held at least
    ``min_sessions`` times in Y (activities starting in Y) in at least ``min_months`` different
    months; its category and district are those of most of its sessions (the first in code
    order on a tie). One row per project: title, team type, category, district (code and name),
    sessions, months, distinct volunteers (left out when ``volunteers`` is False, which saves
    counting distinct people over the year's records), hours.
    """
    activities = tables["activities"].filter(pl.col("start_at").dt.year() == year)
    records = year_records(tables, year).filter(pl.col("activity_year") == year)
    people = [pl.col("volunteer_id").n_unique().alias("volunteers")] if volunteers else []
    per_project = records.group_by("team_id", "title").agg(pl.col("hours").sum().alias("service_hours"), *people)
    sessions = activities.group_by("team_id", "title").agg(
        sessions=pl.len(),
        months=pl.col("start_at").dt.month().n_unique(),
        category=pl.col("category").mode().sort().first(),
        district_code=pl.col("district_code").mode().sort().first(),
    )
    frame = (
        sessions.filter((pl.col("sessions") >= min_sessions) & (pl.col("months") >= min_months))
        .join(per_project, on=["team_id", "title"])
        .join(tables["teams"].select("team_id", "team_type"), on="team_id", how="left")
        .sort(["service_hours", "sessions", "title", "team_id"], descending=[True, True, False, False])
        .collect()
        .to_pandas()
    )
    frame["category_zh"] = frame["category"].map(code_names("category"))
    frame["district_zh"] = frame["district_code"].map(reference.district_names())
    frame["team_type_zh"] = frame["team_type"].fillna("other").map(TEAM_TYPE_NAMES)
    columns = [
        "title",
        "team_type_zh",
        "category_zh",
        "district_code",
        "district_zh",
        "sessions",
        "months",
        "volunteers",
    ]
    return frame[[c for c in columns if c in frame.columns] + ["service_hours"]]


def featured_projects(tables: dict, year: int, *, n: int) -> pd.DataFrame:
    """The ``n`` largest recurring activities of Y by service hours (:func:`recurring_projects`), ranked."""
    frame = recurring_projects(tables, year).head(n).drop(columns=["district_code", "months"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def monthly_party_reports(tables: dict, year: int) -> pd.DataFrame:
    """In-service party members' reports to communities per month of Y (distinct people per month)."""
    frame = (
        tables["party_reports"]
        .filter(pl.col("reported_at").dt.year() == year)
        .group_by(month=pl.col("reported_at").dt.month())
        .agg(reports=pl.len(), party_members=pl.col("person_key").n_unique())
        .collect()
        .to_pandas()
    )
    months = pd.DataFrame({"month": range(1, 13)})
    frame = months.merge(frame, on="month", how="left").fillna(0)
    return frame.astype({"month": "int64", "reports": "int64", "party_members": "int64"})


#: An activity's partnership (social work, charity, both or neither), in the order the chapter lists them.
PARTNERSHIPS = ("仅志愿服务", "社工+志愿服务", "慈善+志愿服务", "社工+慈善+志愿服务")


def with_partnership(activities: pl.LazyFrame) -> pl.LazyFrame:
    """``activities`` with ``partnership`` (one of :data:`PARTNERSHIPS`) from their partner flags (blank = no)."""
    social, charity = pl.col("social_work_partner").fill_null(False), pl.col("charity_partner").fill_null(False)
    return activities.with_columns(
        partnership=pl.when(social & charity)
        .then(pl.lit(PARTNERSHIPS[3]))
        .when(social)
        .then(pl.lit(PARTNERSHIPS[1]))
        .when(charity)
        .then(pl.lit(PARTNERSHIPS[2]))
        .otherwise(pl.lit(PARTNERSHIPS[0]))
    )


def partner_hours(tables: dict, year: int) -> pd.DataFrame:
    """Activities and valid hours of Y by partnership (:data:`PARTNERSHIPS`)."""
    activities = with_partnership(tables["activities"].filter(pl.col("start_at").dt.year() == year))
    counts = activities.group_by("partnership").agg(activities=pl.len())
    hours = (
        year_records(tables, year)
        .join(activities.select("activity_id", "partnership"), on="activity_id")
        .group_by("partnership")
        .agg(service_hours=pl.col("hours").sum())
    )
    order = pl.LazyFrame({"partnership": PARTNERSHIPS, "order": range(len(PARTNERSHIPS))})
    return (
        order.join(counts, on="partnership", how="left")
        .join(hours, on="partnership", how="left")
        .with_columns(pl.col("activities").fill_null(0), pl.col("service_hours").fill_null(0.0))
        .sort("order")
        .drop("order")
        .collect()
        .to_pandas()
    )


def ingest_files(report: dict) -> pd.DataFrame:
    """The ingest report's files: file, table, rows read, stored, quarantined (no row content)."""
    rows = [
        {
            "file": entry.get("file"),
            "table": entry.get("table"),
            "rows_read": entry.get("rows_read"),
            "rows_stored": entry.get("rows_stored"),
            "rows_quarantined": entry.get("rows_quarantined"),
        }
        for entry in report.get("files", [])
    ]
    return pd.DataFrame(rows, columns=["file", "table", "rows_read", "rows_stored", "rows_quarantined"])


def quarantine_reasons(report: dict) -> pd.DataFrame:
    """Quarantined rows counted by table and reason, from the ingest report (never the rows themselves)."""
    counts: dict[tuple[str, str], int] = {}
    for entry in report.get("files", []):
        for reason, n in (entry.get("reasons") or {}).items():
            key = (entry.get("table"), reason)
            counts[key] = counts.get(key, 0) + int(n)
    frame = pd.DataFrame(
        [{"table": t, "reason": r, "rows": n} for (t, r), n in sorted(counts.items())],
        columns=["table", "reason", "rows"],
    )
    return frame


def software_versions() -> pd.DataFrame:
    """Python and package versions used to build the edition (those the manifest records)."""
    versions = package_versions()
    return pd.DataFrame({"package": list(versions), "version": [version or "未安装" for version in versions.values()]})


def methodology_markdown(registry: pd.DataFrame, *, language: str = "zh") -> str:
    """The indicator registry as Markdown, one list per section: name, unit, definition (in ``language``)."""
    lines = []
    for section, rows in registry.groupby("section", sort=False):
        lines.append(f"**{section_name(section, language=language)}**\n")
        for row in rows.itertuples():
            if language == "zh":
                unit = "比例" if row.unit == "share" else UNITS_ZH.get(row.unit, row.unit)
                lines.append(f"- {row.name_zh}（{unit}）：{row.definition_zh}")
            else:
                lines.append(f"- {row.name_en} ({english.unit(row.unit) or 'count'}): {row.definition}")
        lines.append("")
    return "\n".join(lines)


def section_name(section: str, *, language: str = "zh") -> str:
    """A registry section's display name (``"1 规模 Scale"``) in one language: "1 规模" or "1 Scale"."""
    number, _, names = section.partition(" ")
    split = re.search(r"\s[A-Z]", names)
    zh, en = (names[: split.start()], names[split.start() + 1 :]) if split else (names, names)
    return f"{number} {zh if language == 'zh' else en}"


def model_table(table: pd.DataFrame, *, language: str = "zh") -> pd.DataFrame:
    """A model's estimate table as shown: ratios and intervals to 2 decimals, p-values to 3 (or <0.001).

    ``table`` is a :class:`ModelSection`'s; ``language`` {"zh", "en"} picks the term labels and
    the headers (:data:`MODEL_LABELS`, :data:`MODEL_LABELS_EN`).
    """
    labels = MODEL_LABELS if language == "zh" else MODEL_LABELS_EN
    shown = table[list(labels)].copy()
    if language != "zh":
        shown["label_en"] = [label[:1].upper() + label[1:] for label in shown["label_en"]]
    for column in ("estimate", "ci_low", "ci_high"):
        shown[column] = ["" if pd.isna(v) else f"{v:.2f}" for v in shown[column]]
    shown["p_value"] = ["" if pd.isna(v) else "<0.001" if v < 0.001 else f"{v:.3f}" for v in shown["p_value"]]
    return shown.rename(columns=labels)


@dataclass(frozen=True)
class ModelSection:
    """One model as the chapter shows it: a title, the plain-language reading, the estimate table and its
    caption, each with its English twin (``title_en`` …); ``table`` holds both languages' term labels
    (show it with :func:`model_table`), and is empty when the model was not estimated."""

    title: str
    title_en: str
    reading: str
    reading_en: str
    table: pd.DataFrame
    caption: str
    caption_en: str


def model_reading(result, *, language: str = "zh") -> str:
    """A :class:`voldata.models.ModelResult` in one paragraph: its sentences, then its note.

    The note gives the method, or why the model could not be estimated; ``language`` {"zh", "en"}.
    """
    if language != "zh":
        # Each English reading is a sentence of its own (they start with a capital).
        sentences = [str(r).rstrip(".") + "." for r in result.readings_en] if result.ok else []
        note = [f"Method: {result.message_en}."] if result.message_en else []
        return " ".join(sentences + note)
    sentences = "；".join(str(r).rstrip("。") for r in result.readings) if result.ok else ""
    # A note that has parentheses of its own follows as a sentence, so parentheses never nest.
    if not result.message:
        note = ""
    elif "（" in result.message:
        note = f"方法：{result.message}。"
    else:
        note = f"（{result.message}）"
    return (sentences + "。" if sentences else "") + note


#: A model table's headers (:func:`model_table`), in Chinese and in English.
MODEL_LABELS = {
    "label_zh": "变量",
    "estimate": "估计值",
    "ci_low": "95%置信区间下限",
    "ci_high": "95%置信区间上限",
    "p_value": "p值",
}
MODEL_LABELS_EN = {
    "label_en": "Variable (vs reference group)",
    "estimate": "Estimate",
    "ci_low": "95% confidence interval: lower",
    "ci_high": "95% confidence interval: upper",
    "p_value": "p-value",
}

_IRR = ("发生率比（IRR）及95%置信区间", "Incidence rate ratios (IRR) with 95% confidence intervals")
_OR = ("比值比（OR）及95%置信区间", "Odds ratios (OR) with 95% confidence intervals")
_HR = ("风险比（HR）及95%置信区间", "Hazard ratios (HR) with 95% confidence intervals")
# The chapter's models: (title, English title, fit, caption and its English).
_MODELS = (
    ("参与强度：负二项回归", "Participation intensity: negative binomial regression", "participation_intensity", _IRR),
    ("留存：logistic 回归", "Retention: logistic regression", "retention_model", _OR),
    ("流失风险：Cox 比例风险模型", "Risk of lapsing: Cox proportional hazards model", "lapse_hazard", _HR),
)
_CHECK_TITLES = {
    "hurdle_logit": ("是否参与（两部分模型之一）", "whether a volunteer took part (two-part model, part one)", _OR),
    "hurdle_truncated_nb": (
        "参与者的参与次数（两部分模型之二）",
        "how often participants took part (two-part model, part two)",
        _IRR,
    ),
}


def chapter_models(tables, *, year: int, sample: int | None = None) -> list[ModelSection]:
    """The three models of the professional-development chapter (:mod:`voldata.models`), read in plain language.

    Each section's reading is the model's note (sample, reference levels, exposure,
    data window, or why it was not estimated: "样本不足，未估计…") followed by one
    sentence per clear estimate, in Chinese and in English. Checks fitted beside a model
    (the two-part check of the participation model when zeros are frequent) follow it as
    sections of their own. ``sample`` caps the rows fitted (a seeded random sample, as the note says).
    """
    sections = []
    for title, title_en, fit_name, caption in _MODELS:
        fit = getattr(models, fit_name)
        result = fit(tables, year=year) if sample is None else fit(tables, year=year, max_rows=sample)
        sections.append(_model_section((title, title_en), result, caption))
        for check in result.checks:
            part, part_en, check_caption = _CHECK_TITLES.get(check.model, (check.model, check.model, caption))
            sections.append(
                _model_section((f"{title}·核对：{part}", f"{title_en} · check: {part_en}"), check, check_caption)
            )
    return sections


def _model_section(title: tuple[str, str], result, caption: tuple[str, str]) -> ModelSection:
    lines = [result.message] if result.message else []
    lines_en = [result.message_en[:1].upper() + result.message_en[1:]] if result.message_en else []
    if result.ok:
        # In prose only the estimates whose interval excludes 1; the table has them all.
        clear = result.table[(result.table["ci_low"] > 1) | (result.table["ci_high"] < 1)]
        lines += [f"- {sentence}" for sentence in clear["reading"]]
        lines_en += [f"- {sentence}" for sentence in clear["reading_en"]]
        unbounded = int((result.table["ci_low"].isna() | result.table["ci_high"].isna()).sum())
        others = len(result.table) - len(clear) - unbounded
        if others:
            lines.append(f"- 其余{others}项估计的95%置信区间包含1，与参照组的差异在统计上不明显。")
            lines_en.append(
                f"- The 95% confidence intervals of the other {others} estimates include 1: their difference from "
                "the reference group is not statistically clear."
            )
        if unbounded:
            lines.append(f"- {unbounded}项估计的95%置信区间无法计算（记为“—”）。")
            lines_en.append(
                f"- The 95% confidence interval of {unbounded} estimates cannot be computed (shown as “—”)."
            )
    table = result.table if result.ok else result.table.iloc[0:0]
    return ModelSection(
        f"{title[0]}（n={result.n:,}）",
        f"{title[1]} (n={result.n:,})",
        "\n".join(lines),
        "\n".join(lines_en),
        table,
        *caption,
    )
