"""Docstrings of the indicator functions, built from the registry (one source of truth).

Seaborn-style shared components: every indicator function's docstring is its
registry definition plus the common parameter and return sections, so the
appendix table, the docstrings and the spec say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

from voldata.indicators.registry import REGISTRY

__all__ = ["document", "PARAMS"]

PARAMS = {
    "tables": """tables : dict
    Table name -> pandas DataFrame (as :func:`voldata.store.load` returns) or
    polars LazyFrame (as :func:`voldata.store.scan` returns); all years in the
    store, since cumulative figures and growth look back.""",
    "year": """year : int
    Reference year Y (calendar year, local dates).""",
    "by": """by : {None, "district"}
    ``None``: one city row. ``"district"``: one row per district (all 11, in
    reference order, empty ones with 0 counts and missing rates).""",
}


def document(id: str, *, by: bool = False, extra: str = "", returns: str | None = None) -> Callable:
    """Give an indicator function its numpydoc docstring from the registry entry ``id``."""
    item = REGISTRY[id]

    def decorate(function: Callable) -> Callable:
        params = [PARAMS["tables"], PARAMS["year"]] + ([PARAMS["by"]] if by else [])
        growth = (
            " and ``yoy`` (growth on Y−1; missing when Y−1 is not in the store or its value is 0)"
            if item.growth
            else ""
        )
        dtype = "Int64" if item.kind == "count" else "float64"
        default_returns = (
            f"DataFrame\n    ``year``{', ``district_code``' if by else ''}, ``{id}`` ({dtype}, {item.unit}){growth}."
        )
        notes = f"\n\n{function.__doc__.strip()}" if function.__doc__ else ""
        function.__doc__ = (
            f"{item.name_en} ({item.name_zh}).\n\n"
            f"Definition: {item.definition}{notes}\n\n"
            "Parameters\n----------\n" + "\n".join(params) + (f"\n{extra}" if extra else "") + "\n\n"
            "Returns\n-------\n" + (returns or default_returns) + "\n"
        )
        return function

    return decorate
