"""The analyses of 专业发展篇 beyond the indicator suite: who the volunteers are, teams as organisations,
and how recruitment targets are met. Grouped, never person-level; counts of people are returned raw
and published by the chapter through :mod:`voldata.publish`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl

from voldata.edition.analysis import TEAM_TYPE_NAMES, code_names, valid_records
from voldata.edition.practice import AGE_BANDS, with_age_band
from voldata.schema import VOCABULARIES, VOCABULARY_LEVELS

__all__ = ["PROFILE_DIMENSIONS", "volunteer_profile", "new_teams", "recruitment_by_category"]

# Dimension -> (its Chinese name, code -> Chinese label in display order).
PROFILE_DIMENSIONS: dict[str, tuple[str, dict[str, str]]] = {
    "gender": ("性别", {"M": "男", "F": "女", "unknown": "未填"}),
    "age_band": ("年龄组", dict(AGE_BANDS)),
    "education": (
        "学历",
        {
            "primary": "小学及以下",
            "junior_high": "初中",
            "senior_high": "高中/中专",
            "college": "大专",
            "bachelor": "本科",
            "postgraduate": "研究生",
            "unknown": "不详",
        },
    ),
    "political_status": (
        "政治面貌",
        {code: name for name, code in VOCABULARIES["political_status"].items()} | {"unknown": "未填"},
    ),
}


def _registered(tables: dict, year: int) -> pl.LazyFrame:
    end = dt.datetime(year + 1, 1, 1)
    return tables["volunteers"].filter(pl.col("registered_at") < end)


def _profile_counts(tables: dict, year: int) -> pd.DataFrame:
    """Registered volunteers at the end of ``year`` by each dimension: ``dimension``, ``code``, ``volunteers``."""
    registered = with_age_band(_registered(tables, year), year, name="age_band")
    parts = []
    for dimension in PROFILE_DIMENSIONS:
        column = pl.col(dimension).cast(pl.String) if dimension != "age_band" else pl.col("age_band")
        counts = (
            registered.group_by(code=column.fill_null("unknown"))
            .agg(volunteers=pl.len())
            .with_columns(dimension=pl.lit(dimension))
        )
        parts.append(counts)
    return pl.concat(parts).collect().to_pandas()


def volunteer_profile(tables: dict, year: int) -> pd.DataFrame:
    """Registered volunteers at the end of Y (and of Y−1) by gender, age band, education and political status.

    Attributes are those of the latest export (the store keeps one record per volunteer), so a
    change of attribute shows in both years alike; ages are those reached in each year (bands
    :data:`voldata.edition.practice.AGE_BANDS`). Every level of each dimension is listed, in
    order, with a last level for a blank. Columns: ``dimension``, ``dimension_zh``, ``code``,
    ``label``, ``volunteers``, ``share`` (of the dimension's total), ``volunteers_previous``
    (end of Y−1; 0 when nobody was registered then) and ``yoy`` (relative change; missing when
    the previous count is 0).
    """
    current = _profile_counts(tables, year)
    previous = _profile_counts(tables, year - 1).rename(columns={"volunteers": "volunteers_previous"})
    rows = []
    for dimension, (name, labels) in PROFILE_DIMENSIONS.items():
        codes = list(labels)
        if dimension == "age_band":
            codes = list(AGE_BANDS.values())
            labels = {label: label for label in codes}
        elif dimension in VOCABULARY_LEVELS:
            codes = [c for c in VOCABULARY_LEVELS[dimension] if c in labels] + ["unknown"] * (
                "unknown" not in VOCABULARY_LEVELS[dimension]
            )
        frame = pd.DataFrame({"dimension": dimension, "dimension_zh": name, "code": codes})
        frame["label"] = frame["code"].map(labels)
        rows.append(frame)
    frame = pd.concat(rows, ignore_index=True)
    frame = frame.merge(current, on=["dimension", "code"], how="left").merge(
        previous, on=["dimension", "code"], how="left"
    )
    for column in ("volunteers", "volunteers_previous"):
        frame[column] = frame[column].fillna(0).astype("int64")
    totals = frame.groupby("dimension")["volunteers"].transform("sum")
    frame["share"] = (frame["volunteers"] / totals.where(totals > 0)).astype("float64")
    previous_counts = frame["volunteers_previous"].where(frame["volunteers_previous"] > 0)
    frame["yoy"] = ((frame["volunteers"] - previous_counts) / previous_counts).astype("float64")
    return frame


def new_teams(tables: dict, year: int) -> pd.DataFrame:
    """Teams founded in Y by team type (a team without a founding date is not counted): ``team_type``, ``new_teams``."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    found = (
        tables["teams"]
        .filter((pl.col("founded_on") >= start) & (pl.col("founded_on") < end))
        .group_by(team_type=pl.col("team_type").fill_null("other"))
        .agg(new_teams=pl.len())
        .collect()
        .to_pandas()
    )
    frame = pd.DataFrame({"team_type": list(TEAM_TYPE_NAMES)}).merge(found, on="team_type", how="left")
    frame["new_teams"] = frame["new_teams"].fillna(0).astype("int64")
    return frame


def recruitment_by_category(tables: dict, year: int) -> pd.DataFrame:
    """How recruitment targets were met in Y, by service category.

    Over activities starting in Y with a recruitment target (``planned_volunteers`` > 0): the
    target against the distinct volunteers with a valid record at the activity. Columns:
    ``category``, ``name_zh``, ``activities`` (with a target), ``planned`` and ``actual``
    (summed over those activities; ``actual`` counts a person once per activity), ``fill_rate``
    (actual ÷ planned), ``met_share`` (share of the activities whose actual reached the target),
    sorted by ``planned``.
    """
    activities = tables["activities"].filter(
        (pl.col("start_at").dt.year() == year) & (pl.col("planned_volunteers") > 0)
    )
    actual = valid_records(tables, year).group_by("activity_id").agg(actual=pl.col("volunteer_id").n_unique())
    frame = (
        activities.select("activity_id", "category", "planned_volunteers")
        .join(actual, on="activity_id", how="left")
        .with_columns(pl.col("actual").fill_null(0))
        .group_by("category")
        .agg(
            activities=pl.len(),
            planned=pl.col("planned_volunteers").sum(),
            actual=pl.col("actual").sum(),
            met_share=(pl.col("actual") >= pl.col("planned_volunteers")).mean(),
        )
        .sort(["planned", "category"], descending=[True, False])
        .collect()
        .to_pandas()
    )
    frame.insert(1, "name_zh", frame["category"].map(code_names("category")).fillna(frame["category"]))
    frame["fill_rate"] = (frame["actual"] / frame["planned"]).astype("float64")
    frame = frame.astype({"activities": "int64", "planned": "int64", "actual": "int64"})
    return frame[["category", "name_zh", "activities", "planned", "actual", "fill_rate", "met_share"]]
