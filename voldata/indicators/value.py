"""8 Value (志愿服务贡献价值): replacement-cost value of service hours.

The value is nominal: each year's hours are valued at that year's wage, so its
growth mixes more (or fewer) hours with higher wages. :func:`value_change`
splits the change into the two effects.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from voldata import reference
from voldata.indicators._docs import document
from voldata.indicators._engine import as_context, city_frame, growth, ratio
from voldata.indicators.scale import scale_city

__all__ = [
    "contribution_value",
    "full_time_equivalents",
    "full_time_equivalents_of",
    "hourly_wage",
    "value_change",
    "wage_sensitivity",
    "WORKING_DAYS_PER_MONTH",
    "HOURS_PER_DAY",
    "FULL_TIME_HOURS",
    "FULL_TIME_SOURCE",
    "WAGE_BASES",
]

WORKING_DAYS_PER_MONTH = 21.75
HOURS_PER_DAY = 8
# One full-time job's hours a year: 250 working days (365 − 104 rest days − 11 public holidays) × 8 hours.
FULL_TIME_HOURS = 2000
FULL_TIME_SOURCE = (
    "250个工作日×8小时（劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》，劳社部发〔2008〕3号）"
)
# The wages of the sensitivity line, in order: the one the contribution value uses first.
WAGE_BASES = {
    "all_sector": "城镇非私营单位在岗职工平均工资（全行业）",
    "community_services": "居民服务、修理和其他服务业平均工资",
    "minimum_wage": "广州市月最低工资标准",
}


def hourly_wage(year: int, *, wages: pd.DataFrame | None = None) -> dict[str, Any]:
    """The hourly wage used to value the hours of Y.

    Parameters
    ----------
    year : int
        Reference year Y.
    wages : DataFrame, optional
        Columns ``year``, ``avg_monthly_wage_yuan`` and optionally ``source``,
        ``verified``. Default: ``reference.wages()``.

    Returns
    -------
    dict
        ``wage_year`` (Y, or the latest earlier year with a wage; None when
        there is none), ``hourly_wage`` (yuan: monthly ÷ 21.75 ÷ 8) and
        ``wage_source`` (the table's source, whether verified, and a note when
        an earlier year stands in for Y).
    """
    wages = reference.wages() if wages is None else wages
    usable = wages[wages["year"].astype(int) <= year].sort_values("year")
    if usable.empty:
        return {"wage_year": None, "hourly_wage": None, "wage_source": f"no wage for {year} or any earlier year"}
    row = usable.iloc[-1]
    wage_year = int(row["year"])
    source = str(row.get("source", "wage table"))
    verified = row.get("verified")
    if verified is not None and not pd.isna(verified):
        source += "; verified" if str(verified).lower() == "true" else "; not verified"
    if wage_year != year:
        source += f"; no wage for {year}: the {wage_year} wage is used"
    hourly = float(row["avg_monthly_wage_yuan"]) / WORKING_DAYS_PER_MONTH / HOURS_PER_DAY
    return {"wage_year": wage_year, "hourly_wage": hourly, "wage_source": source}


def _value(ctx, year: int, wages) -> float | None:
    wage = hourly_wage(year, wages=wages)["hourly_wage"]
    hours = scale_city(ctx, year, growth_only=True)["service_hours"]
    return None if wage is None or hours is None else hours * wage


def value_change(tables, *, year: int, wages: pd.DataFrame | None = None) -> dict[str, Any]:
    """The change of the (nominal) contribution value from Y−1 to Y, split into hours and wages.

    With hours H and hourly wage w, V_Y − V_{Y−1} = (H_Y − H_{Y−1})·w_{Y−1} + H_Y·(w_Y − w_{Y−1}):
    the first term (``hours_effect``) is the change the hours alone would have made at last
    year's wage, the second (``wage_effect``) the change the wage alone made. The two add up to
    ``change`` exactly.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Reference year Y.
    wages : DataFrame, optional
        The wage table (see :func:`hourly_wage`).

    Returns
    -------
    dict
        ``contribution_value``, ``previous_value``, ``change``, ``hours_effect``,
        ``wage_effect`` (yuan), ``value_yoy``, ``hours_yoy``, ``hourly_wage_yoy``
        (relative changes) and ``nominal`` (True). Every value that needs Y−1 is None
        when Y−1 is not in the store or a wage is missing.
    """
    ctx = as_context(tables)
    if wages is None:
        # With the default wages, once per context (the edition's build computes it in its shared step).
        return dict(ctx.value(("value_change", year), lambda: _value_change(ctx, year, None)))
    return _value_change(ctx, year, wages)


def _value_change(ctx, year: int, wages: pd.DataFrame | None) -> dict[str, Any]:
    hours = scale_city(ctx, year, growth_only=True)["service_hours"]
    wage = hourly_wage(year, wages=wages)["hourly_wage"]
    current = None if hours is None or wage is None else hours * wage
    out: dict[str, Any] = dict.fromkeys(
        ["previous_value", "change", "hours_effect", "wage_effect", "value_yoy", "hours_yoy", "hourly_wage_yoy"]
    )
    out.update(contribution_value=current, nominal=True)
    if year - 1 not in ctx.store_years() or current is None:
        return out
    previous_hours = scale_city(ctx, year - 1, growth_only=True)["service_hours"]
    previous_wage = hourly_wage(year - 1, wages=wages)["hourly_wage"]
    if previous_hours is None or previous_wage is None:
        return out
    previous = previous_hours * previous_wage
    out.update(
        previous_value=previous,
        change=current - previous,
        hours_effect=(hours - previous_hours) * previous_wage,
        wage_effect=hours * (wage - previous_wage),
        value_yoy=ratio(current - previous, previous),
        hours_yoy=ratio(hours - previous_hours, previous_hours),
        hourly_wage_yoy=ratio(wage - previous_wage, previous_wage),
    )
    return out


@document(
    "contribution_value",
    extra="""wages : DataFrame, optional
    The wage table (see :func:`hourly_wage`). Default: ``reference.wages()``.""",
    returns="""DataFrame
    ``year``, ``contribution_value`` (float64, yuan), ``yoy``, ``wage_year``
    (Int64), ``hourly_wage`` (float64, yuan) and ``wage_source`` (str).""",
)
def contribution_value(tables, *, year: int, wages: pd.DataFrame | None = None) -> pd.DataFrame:
    ctx = as_context(tables)
    wage = hourly_wage(year, wages=wages)
    frame = city_frame(
        year,
        {
            "contribution_value": _value(ctx, year, wages),
            "yoy": growth(ctx, year, lambda y: _value(ctx, y, wages)),
            "wage_year": wage["wage_year"],
            "hourly_wage": wage["hourly_wage"],
        },
        integers={"wage_year"},
    )
    frame["wage_source"] = pd.array([wage["wage_source"]], dtype="str")
    return frame


def full_time_equivalents_of(hours: float | None) -> float | None:
    """Hours as full-time jobs: ÷ :data:`FULL_TIME_HOURS` (None stays None)."""
    return None if hours is None else hours / FULL_TIME_HOURS


@document("full_time_equivalents")
def full_time_equivalents(tables, *, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    return city_frame(
        year,
        {"full_time_equivalents": full_time_equivalents_of(scale_city(ctx, year, growth_only=True)["service_hours"])},
    )


def _monthly(table: pd.DataFrame, wage_year: int | None) -> float | None:
    """The monthly wage of ``wage_year`` as the table gives it."""
    if wage_year is None:
        return None
    return float(table.loc[table["year"].astype(int) == wage_year, "avg_monthly_wage_yuan"].iloc[-1])


def _basis_wage(table: pd.DataFrame, year: int) -> dict[str, Any]:
    """A wage table's row for ``year`` (or the latest earlier year) as in :func:`hourly_wage`; all None when none."""
    if table.empty:
        return {"wage_year": None, "hourly_wage": None, "wage_source": "not found (see data/reference/SOURCES.md)"}
    return hourly_wage(year, wages=table)


@document(
    "wage_sensitivity",
    extra="""wages : DataFrame, optional
    The all-sector wage table (see :func:`hourly_wage`). Default: ``reference.wages()``.
bases : DataFrame, optional
    The other wages: ``basis`` ({"community_services", "minimum_wage"}), ``year``,
    ``avg_monthly_wage_yuan`` or ``monthly_wage_yuan``, ``source``, ``verified``.
    Default: ``reference.wage_bases()``.""",
    returns="""DataFrame
    One row per basis of :data:`WAGE_BASES`, in that order: ``basis``, ``basis_zh``,
    ``wage_year`` (Int64), ``monthly_wage`` and ``hourly_wage`` (float64, yuan),
    ``contribution_value`` (float64, yuan), ``relative_to_all_sector`` (float64: the
    value ÷ the all-sector value) and ``wage_source`` (str). A basis with no wage for Y
    or an earlier year has missing numbers and says so in ``wage_source``.""",
)
def wage_sensitivity(
    tables, *, year: int, wages: pd.DataFrame | None = None, bases: pd.DataFrame | None = None
) -> pd.DataFrame:
    ctx = as_context(tables)
    hours = scale_city(ctx, year, growth_only=True)["service_hours"]
    bases = reference.wage_bases() if bases is None else bases
    bases = bases.rename(columns={"monthly_wage_yuan": "avg_monthly_wage_yuan"})
    tables_by_basis = {"all_sector": reference.wages() if wages is None else wages}
    for basis in ("community_services", "minimum_wage"):
        tables_by_basis[basis] = bases[bases["basis"] == basis]
    rows = []
    for basis, name in WAGE_BASES.items():
        wage = _basis_wage(tables_by_basis[basis], year)
        hourly = wage["hourly_wage"]
        rows.append(
            {
                "basis": basis,
                "basis_zh": name,
                "wage_year": wage["wage_year"],
                "monthly_wage": _monthly(tables_by_basis[basis], wage["wage_year"]),
                "hourly_wage": hourly,
                "contribution_value": None if hourly is None or hours is None else hours * hourly,
                "wage_source": wage["wage_source"],
            }
        )
    frame = pd.DataFrame(rows)
    frame["wage_year"] = frame["wage_year"].astype("Int64")
    for column in ("monthly_wage", "hourly_wage", "contribution_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    main = frame["contribution_value"].iloc[0]
    frame["relative_to_all_sector"] = frame["contribution_value"] / main if main else float("nan")
    return frame[
        [
            "basis",
            "basis_zh",
            "wage_year",
            "monthly_wage",
            "hourly_wage",
            "contribution_value",
            "relative_to_all_sector",
            "wage_source",
        ]
    ]
