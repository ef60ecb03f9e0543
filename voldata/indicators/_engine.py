"""The one code path behind every indicator: normalising, caching, collecting.

Every indicator is written once against narwhals lazy frames. ``Context`` wraps
the caller's tables (pandas DataFrames as :func:`voldata.store.load` returns them,
or polars LazyFrames as :func:`voldata.store.scan` returns them), normalises them
in a single step (vocabulary columns to text, dates to ``Datetime("us")``, integers
to Int64, hours to Float64) so both engines see the same types, and keeps a few
collected aggregates that many indicators share:

``volunteer_years``
    valid service records grouped by volunteer and calendar year (hours, number
    of records, first and last service date): one pass over the records serves
    every people-based indicator of every year.
``active_people(Y)``
    the volunteers active in Y with their hours and attributes (district, party
    membership, age band, person_key).
``activity_months(Y)``
    valid records of Y grouped by activity and month (hours, records, records
    made by QR code or GPS).

Results are converted to pandas (or Python numbers) only at the edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from voldata import reference
from voldata.indicators.registry import REGISTRY
from voldata.schema import TABLE_ORDER, TABLES

__all__ = [
    "Context",
    "as_context",
    "clear_contexts",
    "valid_records",
    "age_band",
    "count_true",
    "epoch_day",
    "AGE_BANDS",
    "PARTY_STATUSES",
    "DIGITAL_METHODS",
    "py",
    "ratio",
    "growth",
    "district_frame",
    "city_frame",
    "column_array",
    "collect_pandas",
    "result",
    "population_table",
    "city_population",
    "CITY_POPULATION_2020",
]

DATETIME = nw.Datetime("us")
_KIND_DTYPES = {
    "str": nw.String(),
    "code": nw.String(),
    "bool": nw.Boolean(),
    "int": nw.Int64(),
    "year": nw.Int64(),
    "float": nw.Float64(),
    "date": DATETIME,
    "datetime": DATETIME,
}

AGE_BANDS = ("under_18", "18_34", "35_59", "60_69", "70_plus", "unknown")
PARTY_STATUSES = ("party_member", "probationary_party_member")
DIGITAL_METHODS = ("qr", "gps")


def _normalise(name: str, native: Any) -> nw.LazyFrame:
    """One table as a narwhals LazyFrame with engine-independent column types."""
    frame = nw.from_native(native)
    if isinstance(frame, nw.DataFrame):
        frame = frame.lazy()
    present = set(frame.collect_schema().names())
    casts = [
        nw.col(column.name).cast(_KIND_DTYPES[column.kind]) for column in TABLES[name].columns if column.name in present
    ]
    return frame.with_columns(*casts)


#: What :meth:`Context.year_records` takes from an activity (those a hand-made table has).
ACTIVITY_ATTRIBUTES = ("team_id", "title", "category", "target_group", "social_work_partner", "charity_partner")


class Context:
    """The tables of one computation, normalised, with a cache of shared aggregates.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame (or DataFrame).
    """

    def __init__(self, tables: Mapping[str, Any]):
        missing = [name for name in TABLE_ORDER if name not in tables]
        if missing:
            raise KeyError(f"indicators need the tables {list(TABLE_ORDER)}; missing {missing}")
        # The caller's frames, kept so that as_context can recognise them again.
        self.natives = dict(tables)
        self.frames = {name: _normalise(name, tables[name]) for name in TABLE_ORDER}
        self._frames: dict[Any, nw.DataFrame] = {}
        self._values: dict[Any, Any] = {}

    def table(self, name: str) -> nw.LazyFrame:
        return self.frames[name]

    def frame(self, key: Any, build: Callable[[], nw.LazyFrame]) -> nw.LazyFrame:
        """``build()`` collected once, then handed out lazily again.

        On Spark the aggregate is not collected to the driver: it is persisted on the
        executors (memory, then disk) and stays a distributed frame.
        """
        if key not in self._frames:
            built = build()
            if built.implementation.is_spark_like():
                self._frames[key] = nw.from_native(built.to_native().persist())
            else:
                self._frames[key] = built.collect()
        return self._frames[key].lazy()

    def release(self) -> None:
        """Free what the context holds on a Spark cluster (its persisted aggregates) and forget them."""
        for frame in self._frames.values():
            if frame.implementation.is_spark_like():
                frame.to_native().unpersist()
        self._frames.clear()
        self._values.clear()

    def value(self, key: Any, build: Callable[[], Any]) -> Any:
        """A computed Python value (e.g. a dict of scalars), computed once."""
        if key not in self._values:
            self._values[key] = build()
        return self._values[key]

    def remember(self, key: Any, value: Any) -> None:
        """Take ``value`` as :meth:`value`'s result for ``key``: one computed already over the same
        tables (a chapter's context takes what the build's shared step computed once)."""
        self._values[key] = value

    # -- shared aggregates -------------------------------------------------
    def store_years(self) -> list[int]:
        """Calendar years with valid service records in the store (the years growth can look back to).

        Taken from the shared per-volunteer-year aggregate, so it costs no extra pass.
        """

        def build() -> list[int]:
            years = self.volunteer_years().select("year").unique().collect()
            return sorted(int(y) for y in years["year"].to_list() if y is not None)

        return self.value("store_years", build)

    def volunteer_years(self) -> nw.LazyFrame:
        """Valid records per (volunteer_id, year): hours, records, first, last."""
        return self.frame(
            "volunteer_years",
            lambda: (
                valid_records(self)
                .group_by("volunteer_id", "year")
                .agg(
                    nw.col("hours").sum(),
                    nw.len().alias("records"),
                    nw.col("service_date").min().alias("first"),
                    nw.col("service_date").max().alias("last"),
                )
            ),
        )

    def volunteers(self, year: int) -> nw.LazyFrame:
        """Volunteers with the attributes of year Y: party, age band, registered/new flags."""
        return self.table("volunteers").with_columns(
            party=nw.col("political_status").is_in(PARTY_STATUSES).fill_null(False),
            age_band=age_band(year, nw.col("birth_year")),
            registered=(nw.col("registered_at").dt.year() <= year).fill_null(False),
            new=(nw.col("registered_at").dt.year() == year).fill_null(False),
        )

    def active_people(self, year: int) -> nw.LazyFrame:
        """Volunteers active in Y: volunteer_id, hours, records and their attributes."""

        def build() -> nw.LazyFrame:
            people = self.volunteer_years().filter(nw.col("year") == year).select("volunteer_id", "hours", "records")
            attributes = self.volunteers(year).select(
                "volunteer_id", "person_key", "district_code", "street", "gender", "party", "age_band", "registered"
            )
            return people.join(attributes, on="volunteer_id", how="left").with_columns(
                nw.col("party").fill_null(False),
                nw.col("registered").fill_null(False),
                nw.col("age_band").fill_null("unknown"),
            )

        return self.frame(("active_people", year), build)

    def activity_months(self, year: int) -> nw.LazyFrame:
        """Valid records of Y per (activity_id, month): hours, records, digital_records."""
        return self.frame(
            ("activity_months", year),
            lambda: (
                valid_records(self)
                .filter(nw.col("year") == year)
                .with_columns(
                    month=nw.col("service_date").dt.month().cast(nw.Int64()),
                    digital=nw.col("record_method").is_in(DIGITAL_METHODS).fill_null(False).cast(nw.Int64()),
                )
                .group_by("activity_id", "month")
                .agg(
                    nw.col("hours").sum(),
                    nw.len().alias("records"),
                    nw.col("digital").sum().alias("digital_records"),
                )
            ),
        )

    def year_records(self, year: int) -> nw.LazyFrame:
        """Valid records of Y (volunteer_id, activity_id, hours), each with its volunteer's ``birth_year`` and
        ``person_key`` and its activity's ``activity_year`` (start year) and :data:`ACTIVITY_ATTRIBUTES`;
        ``listed`` says whether the activity is in the activities table.

        The chapters' breakdowns of Y group this one frame instead of each scanning the records again.
        """

        def build() -> nw.LazyFrame:
            records = valid_records(self).filter(nw.col("year") == year).select("volunteer_id", "activity_id", "hours")
            people = self.table("volunteers").select("volunteer_id", "birth_year", "person_key")
            activities = self.table("activities")
            attributes = [name for name in ACTIVITY_ATTRIBUTES if name in activities.collect_schema().names()]
            activities = activities.select(
                "activity_id", *attributes, activity_year=nw.col("start_at").dt.year(), listed=nw.lit(True)
            )
            return (
                records.join(people, on="volunteer_id", how="left")
                .join(activities, on="activity_id", how="left")
                .with_columns(nw.col("listed").fill_null(False))
            )

        return self.frame(("year_records", year), build)

    def activities(self) -> nw.LazyFrame:
        """Activities with start year and partner flags (blank partner = no partner)."""
        return self.table("activities").with_columns(
            year=nw.col("start_at").dt.year(),
            social_work_partner=nw.col("social_work_partner").fill_null(False),
            charity_partner=nw.col("charity_partner").fill_null(False),
        )


#: The most recent contexts, so that calling several indicator functions on the same
#: tables dict (as notebooks do) computes the shared aggregates once.
_RECENT_CONTEXTS: list[Context] = []
_RECENT_LIMIT = 2


def as_context(tables: Any) -> Context:
    """``tables`` as a :class:`Context`: passed through if it already is one; the same
    context again when called with the same frames (the same objects) as recently.

    The tables are treated as immutable: a pandas frame changed in place after an
    indicator has been computed from it needs a fresh ``Context(tables)``.
    """
    if isinstance(tables, Context):
        return tables
    for ctx in _RECENT_CONTEXTS:
        if ctx.natives.keys() == tables.keys() and all(ctx.natives[k] is tables[k] for k in tables):
            return ctx
    ctx = Context(tables)
    _RECENT_CONTEXTS.insert(0, ctx)
    for old in _RECENT_CONTEXTS[_RECENT_LIMIT:]:
        old.release()
    del _RECENT_CONTEXTS[_RECENT_LIMIT:]
    return ctx


def clear_contexts() -> None:
    """Forget the recent contexts (and the aggregates they hold, also on a Spark cluster)."""
    for ctx in _RECENT_CONTEXTS:
        ctx.release()
    _RECENT_CONTEXTS.clear()


def valid_records(ctx: Context) -> nw.LazyFrame:
    """Valid service records (status approved, 0 < hours <= 24) with their calendar year."""
    return (
        ctx.table("service_records")
        .filter(
            (nw.col("status") == "approved").fill_null(False),
            nw.col("hours") > 0,
            nw.col("hours") <= 24,
        )
        .with_columns(year=nw.col("service_date").dt.year())
    )


def age_band(year: int, birth_year: nw.Expr) -> nw.Expr:
    """Age band in Y from the birth year: {under_18, 18_34, 35_59, 60_69, 70_plus, unknown}."""
    age = year - birth_year
    return (
        nw.when(age < 18)
        .then(nw.lit("under_18"))
        .when(age < 35)
        .then(nw.lit("18_34"))
        .when(age < 60)
        .then(nw.lit("35_59"))
        .when(age < 70)
        .then(nw.lit("60_69"))
        .when(age >= 70)
        .then(nw.lit("70_plus"))
        .otherwise(nw.lit("unknown"))
    )


def count_true(condition: nw.Expr) -> nw.Expr:
    """Number of rows where ``condition`` is true (nulls not counted), as an Int64 aggregate.

    Spark sums numbers only, so the condition is cast before summing.
    """
    return condition.cast(nw.Int64()).sum()


def epoch_day(moment: nw.Expr) -> nw.Expr:
    """The day number (1970-01-01 = 0) of a date or datetime's calendar day (missing where it is missing).

    Differences of day numbers count calendar days. Built from the year and the
    day of the year in integer arithmetic, which every engine has (Spark has no
    duration totals).
    """
    before = moment.dt.year() - 1
    leap_days = before // 4 - before // 100 + before // 400 - 477  # leap days from 1970 to the year's start
    return 365 * (before - 1969) + leap_days + moment.dt.ordinal_day() - 1


def py(value: Any) -> int | float | None:
    """A collected number as a JSON-safe Python number (NaN/NA/None -> None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def growth(ctx: Context, year: int, compute: Callable[[int], float | None]) -> float | None:
    """yoy = (X_Y − X_{Y−1}) / X_{Y−1}; None when Y−1 is not in the store or X_{Y−1} is 0 or missing."""
    if year - 1 not in ctx.store_years():
        return None
    current, previous = compute(year), compute(year - 1)
    if current is None:
        return None
    return ratio(current - previous if previous is not None else None, previous)


def column_array(values: list[Any], *, integer: bool):
    """Python numbers (None = missing) as an Int64 or float64 column."""
    if integer:
        return pd.array([None if v is None else int(round(v)) for v in values], dtype="Int64")
    return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")


def city_frame(year: int, values: Mapping[str, Any], *, integers: Iterable[str] = ()) -> pd.DataFrame:
    """A one-row tidy frame: year and the given values (integers as Int64, the rest float64)."""
    integers = set(integers)
    frame = pd.DataFrame({"year": pd.array([year], dtype="Int64")})
    for column, value in values.items():
        frame[column] = column_array([py(value)], integer=column in integers)
    return frame


def district_frame(
    year: int,
    collected: pd.DataFrame | None,
    columns: Iterable[str],
    *,
    integers: Iterable[str] = (),
    fill_zero: Iterable[str] = (),
) -> pd.DataFrame:
    """All 11 districts (reference order) with ``columns`` taken from ``collected`` by district_code.

    Districts missing from ``collected`` get 0 for the ``fill_zero`` columns
    (counts and sums) and missing values otherwise.
    """
    integers, fill_zero = set(integers), set(fill_zero)
    codes = list(reference.districts()["district_code"].astype(str))
    frame = pd.DataFrame(
        {"year": pd.array([year] * len(codes), dtype="Int64"), "district_code": pd.array(codes, dtype="str")}
    )
    rows: dict[str, dict[str, Any]] = {}
    if collected is not None:
        for record in collected.to_dict(orient="records"):
            if record["district_code"] is not None and not pd.isna(record["district_code"]):
                rows[str(record["district_code"])] = record
    for column in columns:
        values = [py(rows[code].get(column)) if code in rows else None for code in codes]
        if column in fill_zero:
            values = [0 if v is None else v for v in values]
        frame[column] = column_array(values, integer=column in integers)
    return frame


def collect_pandas(frame: nw.LazyFrame) -> pd.DataFrame:
    """Collect a narwhals lazy frame to pandas (the edge)."""
    collected = frame.collect()
    return collected.to_pandas()


def result(
    ctx: Context,
    id: str,
    year: int,
    *,
    city: Callable[[int], Mapping[str, Any]],
    district: Callable[[int], pd.DataFrame] | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """The tidy frame of one scalar indicator, from a family's city dict or district frame.

    ``city(Y)`` returns a dict holding ``id``; ``district(Y)`` returns the
    11-district frame holding column ``id``. Growth (``yoy``) is added for the
    indicators the registry marks as growing.
    """
    item = REGISTRY[id]
    integer = item.kind == "count"
    if by is None:
        values = {id: city(year)[id]}
        if item.growth:
            values["yoy"] = growth(ctx, year, lambda y: city(y)[id])
        return city_frame(year, values, integers={id} if integer else set())
    if by != "district":
        raise ValueError(f"by must be None or 'district', not {by!r}")
    if district is None:
        raise ValueError(f"{id} has no district version")
    frame = district(year)[["year", "district_code", id]].copy()
    if item.growth:
        if year - 1 in ctx.store_years():
            previous = district(year - 1)[id].astype("float64").to_numpy()
            current = frame[id].astype("float64").to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                yoy = np.where(previous > 0, (current - previous) / np.where(previous > 0, previous, 1.0), np.nan)
        else:
            yoy = np.full(len(frame), np.nan)
        frame["yoy"] = yoy.astype("float64")
    return frame.reset_index(drop=True)


CITY_POPULATION_2020 = 18_676_605  # 7th census bulletin, verified (data/reference/SOURCES.md)


def population_table(population: Any = None) -> pd.DataFrame:
    """District populations: None -> the bundled table; a path -> that CSV; a DataFrame -> as given."""
    if population is None or isinstance(population, (str, bytes)) or hasattr(population, "__fspath__"):
        return reference.population(population)
    if isinstance(population, pd.DataFrame):
        missing = [c for c in ("district_code", "population") if c not in population.columns]
        if missing:
            raise ValueError(f"population table needs columns district_code, population; missing {missing}")
        table = population[["district_code", "population"]].copy()
        table["district_code"] = table["district_code"].astype(str)
        return table
    raise TypeError("population must be None, a CSV path or a DataFrame with district_code, population")


def city_population(population: Any = None) -> float:
    """City population: the verified census total by default, else the sum of the given table (or a number)."""
    if population is None:
        return float(CITY_POPULATION_2020)
    if isinstance(population, (int, float)) and not isinstance(population, bool):
        return float(population)
    return float(population_table(population)["population"].sum())
