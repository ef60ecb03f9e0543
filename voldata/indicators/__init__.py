"""The report's indicators, defined once (``spec/indicators.md``).

Every indicator is a function ``fn(tables, *, year, ...) -> pandas.DataFrame``
written once with narwhals, so ``tables`` may be pandas DataFrames (as
:func:`voldata.load` returns) or polars LazyFrames (as :func:`voldata.scan`
returns). :func:`city_indicators` and :func:`district_indicators` compute the
whole suite with shared aggregates; :data:`REGISTRY` holds the metadata the
methodology appendix is rendered from.
"""

from __future__ import annotations

from voldata.indicators import (
    commitment,
    integration,
    party,
    registry,
    scale,
    services,
    suite,
    timebank,
    value,
    young_old,
)
from voldata.indicators._engine import Context
from voldata.indicators.commitment import (
    activation_90d,
    activation_cohort,
    data_window,
    engagement_spells,
    engagement_survival,
    hours_gini,
    retention,
    star_1,
    star_2,
    star_3,
    star_4,
    star_5,
    star_basis,
    top10_hours_share,
)
from voldata.indicators.integration import (
    both_activity_share,
    charity_activity_share,
    digital_record_share,
    social_work_activity_share,
    social_work_hours_share,
)
from voldata.indicators.party import (
    party_hours_ratio,
    party_member_active,
    party_member_volunteers,
    party_service_teams,
    party_share_of_active,
    party_share_of_hours,
    party_team_activities,
    reported_party_members,
    reported_party_members_active,
)
from voldata.indicators.registry import DATA_LIMITATIONS, REGISTRY, data_limitations, registry_table
from voldata.indicators.scale import (
    active_rate,
    active_teams,
    active_volunteers,
    activities,
    hours_per_active_mean,
    hours_per_active_median,
    new_volunteers,
    registered_volunteers,
    service_hours,
    teams,
    volunteers_per_10k,
)
from voldata.indicators.services import (
    activities_by_category,
    hours_by_category,
    hours_by_target_group,
    monthly_active,
    monthly_hours,
    monthly_hours_series,
)
from voldata.indicators.suite import (
    CITY_IDS,
    DISTRICT_IDS,
    UNKNOWN_DISTRICT,
    UNKNOWN_NAME,
    city_indicators,
    district_indicators,
    previous_city_indicators,
    street_table,
)
from voldata.indicators.timebank import (
    account_balances,
    accounts_over_cap,
    points_deposited,
    points_donated,
    points_outstanding,
    points_transferred,
    points_withdrawn,
    timebank_accounts,
    timebank_active_accounts,
    timebank_new_accounts,
    withdrawal_ratio,
)
from voldata.indicators.value import (
    contribution_value,
    full_time_equivalents,
    hourly_wage,
    value_change,
    wage_sensitivity,
)
from voldata.indicators.young_old import (
    timebank_young_old_share,
    timebank_young_old_to_old_old_count,
    timebank_young_old_to_old_old_points,
    young_old_active,
    young_old_elderly_hours,
)

__all__ = [
    "city_indicators",
    "district_indicators",
    "previous_city_indicators",
    "street_table",
    "REGISTRY",
    "registry_table",
    "CITY_IDS",
    "DISTRICT_IDS",
    "UNKNOWN_DISTRICT",
    "UNKNOWN_NAME",
    "TABLE_FUNCTIONS",
    "Context",
    "indicator_function",
    # modules
    "commitment",
    "integration",
    "party",
    "registry",
    "scale",
    "services",
    "suite",
    "timebank",
    "value",
    "young_old",
    # indicator functions
    *[item.function for item in REGISTRY.values()],
    "engagement_spells",
    "data_window",
    "star_basis",
    "activation_cohort",
    "value_change",
    "DATA_LIMITATIONS",
    "data_limitations",
    "monthly_hours_series",
    "account_balances",
    "hourly_wage",
]


#: Names of the non-scalar indicator functions (tidy tables, not in ``city_indicators``).
TABLE_FUNCTIONS = [item.function for item in REGISTRY.values() if item.kind == "table"]


def indicator_function(id: str):
    """The function computing indicator ``id`` (``REGISTRY[id].function`` in this package)."""
    return globals()[registry.indicator(id).function]
