"""Models of section 9 of the spec (statsmodels), each with 95% intervals and a plain-language reading.

=============================  =================================  ==============
function                       model                              estimate
=============================  =================================  ==============
:func:`participation_intensity` negative binomial (alpha estimated) incidence-rate ratio
:func:`retention_model`        logistic regression                odds ratio
:func:`lapse_hazard`           Cox PH (``PHReg``, ties="efron")   hazard ratio
:func:`engagement_km`          Kaplan–Meier (``SurvfuncRight``)   survival, median
:func:`seasonal_decomposition` STL, period 12 (≥ 24 months)       seasonal strength
=============================  =================================  ==============

Every function returns a :class:`ModelResult`. Its ``table`` is tidy: ``term``,
``label_zh``, ``estimate``, ``ci_low``, ``ci_high``, ``p_value`` and ``reading``
(a sentence in Chinese, e.g. "党员的参与次数是非党员的1.80倍（95%置信区间1.60–2.00）").
When the data are too thin (too few rows, an outcome without variation, no
covariate with two levels, a fit that fails or does not converge) ``ok`` is False,
the table is empty and ``message`` says why; nothing is raised.

The data are prepared lazily with the indicator engine (pandas or polars input)
and collected to pandas at the edge, since statsmodels needs arrays. Large
populations are sampled (``max_rows``, seeded) to keep fitting time bounded; the
result says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import narwhals as nw
import numpy as np
import pandas as pd

from voldata import reference
from voldata.indicators._engine import as_context
from voldata.indicators.commitment import engagement_spells
from voldata.indicators.services import monthly_hours_series

__all__ = [
    "ModelResult",
    "participation_intensity",
    "retention_model",
    "lapse_hazard",
    "engagement_km",
    "seasonal_decomposition",
    "MIN_ROWS",
]

#: Fewer rows than this: the model is not fitted.
MIN_ROWS = 30
_Z = 1.959963984540054
_TABLE_COLUMNS = ["term", "label_zh", "estimate", "ci_low", "ci_high", "p_value", "reading"]

AGE_ZH = {
    "under_18": "18岁以下",
    "18_34": "18–34岁",
    "35_59": "35–59岁",
    "60_69": "60–69岁（初老）",
    "70_plus": "70岁及以上",
    "unknown": "年龄不详",
}
GENDER_ZH = {"M": "男性", "F": "女性", "unknown": "性别不详"}


@dataclass
class ModelResult:
    """The outcome of one model.

    Attributes
    ----------
    model : str
        ``negative_binomial``, ``logit``, ``phreg``, ``kaplan_meier`` or ``stl``.
    measure : str
        What ``estimate`` is: ``IRR``, ``OR``, ``HR``, ``days`` or ``strength``.
    ok : bool
        False when the data were too thin or the fit failed (see ``message``).
    n : int
        Rows (volunteers, spells or months) used.
    table : DataFrame
        ``term``, ``label_zh``, ``estimate``, ``ci_low``, ``ci_high`` (95%),
        ``p_value``, ``reading``.
    message : str
        What was done (sample, reference levels) or why nothing was estimated.
    curve : DataFrame or None
        Kaplan–Meier curve or STL components, where the model has one.
    """

    model: str
    measure: str
    ok: bool
    n: int
    table: pd.DataFrame
    message: str = ""
    curve: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def readings(self) -> list[str]:
        """The plain-language sentences, one per term."""
        return list(self.table["reading"])


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": pd.array([], dtype="str"),
            "label_zh": pd.array([], dtype="str"),
            "estimate": np.array([], dtype="float64"),
            "ci_low": np.array([], dtype="float64"),
            "ci_high": np.array([], dtype="float64"),
            "p_value": np.array([], dtype="float64"),
            "reading": pd.array([], dtype="str"),
        }
    )


def _thin(model: str, measure: str, n: int, why: str) -> ModelResult:
    return ModelResult(model, measure, False, int(n), _empty_table(), f"数据不足，未估计模型：{why}（n={n}）")


# -- design matrices ---------------------------------------------------------------
def _district_zh(code: str) -> str:
    return reference.district_names().get(code, "区不详")


_CATEGORICAL = {
    # column: (preferred reference level, labeller)
    "age_band": ("35_59", lambda v: AGE_ZH.get(v, v)),
    "gender": ("M", lambda v: GENDER_ZH.get(v, v)),
    "district_code": (None, _district_zh),
}


def _design(
    frame: pd.DataFrame, categorical: list[str], numeric: dict[str, str]
) -> tuple[pd.DataFrame, dict, list[str]]:
    """Dummy-coded design matrix; returns (X, {term: (label, reference label or None)}, notes)."""
    columns: dict[str, np.ndarray] = {}
    labels: dict[str, tuple[str, str | None]] = {}
    notes: list[str] = []
    if "party" in categorical:
        party = frame["party"].astype(bool).to_numpy()
        if 0 < party.sum() < len(party):
            columns["party"] = party.astype("float64")
            labels["party"] = ("党员", "非党员")
    for column in [c for c in categorical if c != "party"]:
        preferred, labeller = _CATEGORICAL[column]
        values = frame[column].astype("object").where(frame[column].notna(), "unknown").astype(str)
        counts = values.value_counts()
        if len(counts) < 2:
            continue
        reference_level = preferred if preferred in counts.index else counts.index[0]
        notes.append(f"{column} 参照组：{labeller(reference_level)}")
        for level in sorted(counts.index):
            if level == reference_level:
                continue
            term = f"{column}[{level}]"
            columns[term] = (values == level).to_numpy(dtype="float64")
            labels[term] = (labeller(level), labeller(reference_level))
    for column, label in numeric.items():
        values = frame[column].astype("float64").to_numpy()
        if np.nanstd(values) > 0:
            columns[column] = values
            labels[column] = (label, None)
    return pd.DataFrame(columns, index=frame.index), labels, notes


def _reading(label: str, reference_label: str | None, outcome: str, estimate: float, low: float, high: float) -> str:
    interval = f"（95%置信区间{low:.2f}–{high:.2f}）"
    if reference_label is None:
        return f"{label}每增加1，{outcome}变为原来的{estimate:.2f}倍{interval}"
    return f"{label}的{outcome}是{reference_label}的{estimate:.2f}倍{interval}"


def _ratio_table(result, labels: dict, outcome: str) -> pd.DataFrame:
    """Exponentiated coefficients of the design terms, with 95% intervals and readings."""
    params = pd.Series(np.asarray(result.params), index=result.model.exog_names)
    bse = pd.Series(np.asarray(result.bse), index=result.model.exog_names)
    pvalues = pd.Series(np.asarray(result.pvalues), index=result.model.exog_names)
    rows = []
    for term, (label, reference_label) in labels.items():
        estimate = math.exp(params[term])
        low, high = math.exp(params[term] - _Z * bse[term]), math.exp(params[term] + _Z * bse[term])
        rows.append(
            {
                "term": term,
                "label_zh": label if reference_label is None else f"{label}（对比{reference_label}）",
                "estimate": estimate,
                "ci_low": low,
                "ci_high": high,
                "p_value": float(pvalues[term]),
                "reading": _reading(label, reference_label, outcome, estimate, low, high),
            }
        )
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    return table.astype({"term": "str", "label_zh": "str", "reading": "str"})


def _sample(frame: pd.DataFrame, max_rows: int | None, seed: int) -> tuple[pd.DataFrame, str]:
    if max_rows is None or len(frame) <= max_rows:
        return frame, ""
    return frame.sample(n=max_rows, random_state=seed), f"随机抽取{max_rows}行（种子{seed}，总体{len(frame)}行）"


def _collect_sample(
    frame: nw.LazyFrame, max_rows: int | None, seed: int, *, key: str = "volunteer_id"
) -> tuple[pd.DataFrame, str]:
    """``frame`` (sorted by its unique ``key``) collected and sampled as :func:`_sample` would sample
    its pandas copy: same rows, same order, same index.

    Only the key column of the whole population is collected; the sampled keys then select
    their rows, so a person-level population of millions never leaves the lazy engine.
    """
    keys = frame.select(key).collect()[key]
    total = len(keys)
    if max_rows is None or total <= max_rows:
        return frame.collect().to_pandas(), ""
    # The positions DataFrame.sample(n=max_rows, random_state=seed) draws from a frame of this length.
    positions = np.random.RandomState(seed).choice(total, size=max_rows, replace=False).astype(np.intp, copy=False)
    chosen = keys.to_numpy()[np.sort(positions)]
    sampled = frame.filter(nw.col(key).is_in(chosen.tolist())).collect().to_pandas()
    if len(sampled) != len(chosen) or not (sampled[key].to_numpy() == chosen).all():
        raise ValueError(f"the frame to sample must be sorted by its unique key {key}")
    # Rows come back in key order, that is in the order of the sorted positions.
    sampled.index = pd.Index(np.sort(positions))
    return sampled.loc[positions], f"随机抽取{max_rows}行（种子{seed}，总体{total}行）"


def _fit(model: str, measure: str, fit, n: int) -> tuple[object | None, ModelResult | None]:
    """Run ``fit()``; a failure or non-convergence becomes a thin result instead of an exception."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fit()
    except Exception as error:  # statsmodels raises many kinds (LinAlgError, PerfectSeparation, ValueError)
        return None, _thin(model, measure, n, f"拟合失败（{type(error).__name__}: {error}）")
    converged = getattr(result, "mle_retvals", None) or {}
    if converged.get("converged") is False:
        return None, _thin(model, measure, n, "迭代未收敛")
    if not np.all(np.isfinite(np.asarray(result.params))) or not np.all(np.isfinite(np.asarray(result.bse))):
        return None, _thin(model, measure, n, "估计值或标准误不是有限数（可能存在完全分离或共线性）")
    return result, None


# -- volunteer frames ------------------------------------------------------------------
def _registered_frame(ctx, year: int) -> nw.LazyFrame:
    """Registered volunteers (end of Y) with their records and hours in Y (0 when inactive)."""
    records = ctx.volunteer_years().filter(nw.col("year") == year).select("volunteer_id", "records", "hours")
    return (
        ctx.volunteers(year)
        .filter(nw.col("registered"))
        .select("volunteer_id", "age_band", "gender", "party", "district_code")
        .join(records, on="volunteer_id", how="left")
        .with_columns(nw.col("records").fill_null(0), nw.col("hours").fill_null(0.0))
        .sort("volunteer_id")
    )


def participation_intensity(tables, *, year: int, max_rows: int | None = 200_000, seed: int = 2020) -> ModelResult:
    """Negative binomial model of the number of valid records in Y per registered volunteer.

    Covariates: age band (reference 35–59), gender (reference male), party
    membership, district (reference: the district with most volunteers).
    ``sm.NegativeBinomial`` (NB2) with alpha estimated; estimates are
    incidence-rate ratios exp(β).

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Reference year Y.
    max_rows : int or None, default 200000
        Fit on a seeded random sample of this many volunteers when there are more.
    seed : int
        Seed of that sample.

    Returns
    -------
    ModelResult
        ``measure="IRR"``; the estimated alpha is reported in ``message``.
    """
    import statsmodels.api as sm

    frame, sampled = _collect_sample(_registered_frame(as_context(tables), year), max_rows, seed)
    n = len(frame)
    if n < MIN_ROWS:
        return _thin("negative_binomial", "IRR", n, f"少于{MIN_ROWS}名注册志愿者")
    if frame["records"].nunique() < 2:
        return _thin("negative_binomial", "IRR", n, "参与次数没有变化")
    design, labels, notes = _design(frame, ["age_band", "gender", "party", "district_code"], {})
    if design.empty:
        return _thin("negative_binomial", "IRR", n, "没有至少两个水平的协变量")
    exog = sm.add_constant(design, has_constant="add")
    endog = frame["records"].astype("float64")

    def fit():
        # statsmodels' default start can drift to the alpha → 0 boundary (singular Hessian) on
        # overdispersed counts, so start from the Poisson fit with alpha = 1 and try a few
        # optimisers; the first fit that converges with finite standard errors is kept.
        poisson = sm.Poisson(endog, exog).fit(disp=0, maxiter=100)
        start = np.append(np.asarray(poisson.params), 1.0)
        last = None
        for method, start_params in (("newton", start), ("bfgs", start), ("bfgs", None)):
            try:
                last = sm.NegativeBinomial(endog, exog).fit(
                    start_params=start_params, method=method, disp=0, maxiter=300
                )
            except Exception:  # a failed optimiser: try the next one
                continue
            if last.mle_retvals.get("converged", True) and np.all(np.isfinite(np.asarray(last.bse))):
                return last
        if last is None:
            raise RuntimeError("no optimiser could fit the negative binomial model")
        return last

    result, thin = _fit("negative_binomial", "IRR", fit, n)
    if thin:
        return thin
    alpha = float(np.asarray(result.params)[-1])
    message = "；".join(filter(None, [sampled, *notes, f"离散参数alpha={alpha:.3f}"]))
    return ModelResult("negative_binomial", "IRR", True, n, _ratio_table(result, labels, "参与次数"), message)


def retention_model(tables, *, year: int, max_rows: int | None = 200_000, seed: int = 2020) -> ModelResult:
    """Logistic regression of retention: active in Y given active in Y−1.

    Covariates: age band in Y, gender, party membership, log(1 + hours in Y−1)
    and years since registration (Y − registration year). Estimates are odds ratios.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Reference year Y (Y−1 must be in the store).
    max_rows : int or None, default 200000
        Fit on a seeded random sample of this many volunteers when there are more.
    seed : int
        Seed of that sample.

    Returns
    -------
    ModelResult
        ``measure="OR"``.
    """
    import statsmodels.api as sm

    ctx = as_context(tables)
    if year - 1 not in ctx.store_years():
        return _thin("logit", "OR", 0, f"{year - 1}年不在数据中")
    years = ctx.volunteer_years()
    previous = years.filter(nw.col("year") == year - 1).select("volunteer_id", "hours")
    current = years.filter(nw.col("year") == year).select("volunteer_id", retained=nw.lit(1))
    frame = (
        previous.join(current, on="volunteer_id", how="left")
        .join(
            ctx.volunteers(year).select(
                "volunteer_id",
                "age_band",
                "gender",
                "party",
                tenure=(year - nw.col("registered_at").dt.year()).cast(nw.Float64()),
            ),
            on="volunteer_id",
            how="left",
        )
        .with_columns(
            nw.col("retained").fill_null(0),
            nw.col("party").fill_null(False),
            log_hours=(nw.col("hours") + 1.0).log(),
        )
        .sort("volunteer_id")
    )
    frame, sampled = _collect_sample(frame, max_rows, seed)
    frame["tenure"] = frame["tenure"].astype("float64").fillna(0.0)
    n = len(frame)
    if n < MIN_ROWS:
        return _thin("logit", "OR", n, f"{year - 1}年活跃志愿者少于{MIN_ROWS}人")
    if frame["retained"].nunique() < 2:
        return _thin("logit", "OR", n, "留存结果没有变化")
    design, labels, notes = _design(
        frame,
        ["age_band", "gender", "party"],
        {"log_hours": "上年服务时长的对数log(1+小时)", "tenure": "注册年限（年）"},
    )
    if design.empty:
        return _thin("logit", "OR", n, "没有有变化的协变量")
    exog = sm.add_constant(design, has_constant="add")
    result, thin = _fit(
        "logit", "OR", lambda: sm.Logit(frame["retained"].astype("float64"), exog).fit(disp=0, maxiter=200), n
    )
    if thin:
        return thin
    message = "；".join(filter(None, [sampled, *notes]))
    return ModelResult("logit", "OR", True, n, _ratio_table(result, labels, "留存几率"), message)


def _spell_frame(ctx, year: int) -> nw.LazyFrame:
    attributes = ctx.volunteers(year).select("volunteer_id", "age_band", "gender", "party", "district_code")
    return (
        engagement_spells(ctx, year=year)
        .join(attributes, on="volunteer_id", how="left")
        .with_columns(nw.col("party").fill_null(False), nw.col("age_band").fill_null("unknown"))
        .sort("volunteer_id")
    )


def lapse_hazard(tables, *, year: int, max_rows: int | None = 200_000, seed: int = 2020) -> ModelResult:
    """Cox proportional hazards of lapsing, over the engagement spells of
    :func:`voldata.indicators.engagement_survival` (first to last valid record;
    lapsed when the last record is more than 180 days before the data's end).

    Covariates: age band in Y, gender, party membership and district (as the
    participation model). ``PHReg(..., ties="efron")``; estimates are hazard ratios.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Spells of volunteers whose first valid record is on or before the end of Y.
    max_rows : int or None, default 200000
        Fit on a seeded random sample of this many spells when there are more.
    seed : int
        Seed of that sample.

    Returns
    -------
    ModelResult
        ``measure="HR"``.
    """
    import statsmodels.api as sm

    frame, sampled = _collect_sample(_spell_frame(as_context(tables), year), max_rows, seed)
    n = len(frame)
    if n < MIN_ROWS:
        return _thin("phreg", "HR", n, f"少于{MIN_ROWS}段参与记录")
    if not frame["lapsed"].any():
        return _thin("phreg", "HR", n, "没有观察到流失")
    design, labels, notes = _design(frame, ["age_band", "gender", "party", "district_code"], {})
    if design.empty:
        return _thin("phreg", "HR", n, "没有至少两个水平的协变量")
    result, thin = _fit(
        "phreg",
        "HR",
        lambda: sm.PHReg(
            frame["days"].astype("float64"), design, status=frame["lapsed"].astype("float64"), ties="efron"
        ).fit(),
        n,
    )
    if thin:
        return thin
    message = "；".join(filter(None, [sampled, *notes]))
    return ModelResult("phreg", "HR", True, n, _ratio_table(result, labels, "流失风险"), message)


def engagement_km(tables, *, year: int) -> ModelResult:
    """Kaplan–Meier curve of the engagement spells (``SurvfuncRight``) with 95% pointwise intervals.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Spells of volunteers whose first valid record is on or before the end of Y.

    Returns
    -------
    ModelResult
        ``measure="days"``; ``table`` holds the median spell length with its
        95% interval (missing when fewer than half have lapsed); ``curve`` holds
        ``days``, ``at_risk``, ``survival``, ``ci_low``, ``ci_high`` (Greenwood
        standard errors, ±1.96 se, clipped to [0, 1]).
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    # The curve depends on the spells only through (days, lapsed): one weighted row per distinct pair.
    frame = (
        engagement_spells(as_context(tables), year=year)
        .group_by("days", "lapsed")
        .agg(nw.len().alias("spells"))
        .sort("days", "lapsed")
        .collect()
        .to_pandas()
    )
    n = int(frame["spells"].sum())
    if n < 2 or not frame["lapsed"].any():
        return _thin("kaplan_meier", "days", n, "参与记录过少或没有观察到流失")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Expanded back to one value per spell (plain arrays): statsmodels' intervals differ with freq_weights.
            counts = frame["spells"].to_numpy(dtype="int64")
            survival = SurvfuncRight(
                np.repeat(frame["days"].to_numpy(dtype="float64"), counts),
                np.repeat(frame["lapsed"].to_numpy(dtype="float64"), counts),
            )
            median = survival.quantile(0.5)
            low, high = survival.quantile_ci(0.5)
    except Exception as error:
        return _thin("kaplan_meier", "days", n, f"计算失败（{type(error).__name__}: {error}）")
    se = np.nan_to_num(np.asarray(survival.surv_prob_se, dtype="float64"))
    prob = np.asarray(survival.surv_prob, dtype="float64")
    curve = pd.DataFrame(
        {
            "days": np.asarray(survival.surv_times, dtype="float64"),
            "at_risk": np.asarray(survival.n_risk, dtype="int64"),
            "survival": prob,
            "ci_low": np.clip(prob - _Z * se, 0, 1),
            "ci_high": np.clip(prob + _Z * se, 0, 1),
        }
    )
    median, low, high = (float(v) if v is not None and np.isfinite(v) else np.nan for v in (median, low, high))
    if np.isnan(median):
        reading = "过半志愿者尚未流失，参与持续时间的中位数无法估计"
    else:
        interval = f"{low:.0f}–{high:.0f}天" if not (np.isnan(low) or np.isnan(high)) else "上限无法估计"
        reading = f"志愿者参与持续时间（首末次服务间隔）的中位数为{median:.0f}天（95%置信区间{interval}）"
    table = pd.DataFrame(
        {
            "term": ["median_days"],
            "label_zh": ["参与持续时间中位数（天）"],
            "estimate": [median],
            "ci_low": [low],
            "ci_high": [high],
            "p_value": [np.nan],
            "reading": [reading],
        }
    ).astype({"term": "str", "label_zh": "str", "reading": "str"})
    return ModelResult("kaplan_meier", "days", True, n, table, "Greenwood逐点95%置信区间", curve)


def seasonal_decomposition(tables, *, period: int = 12, min_months: int = 24) -> ModelResult:
    """STL decomposition (period 12, robust) of monthly hours over all months in the store.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    period : int, default 12
        Season length in months.
    min_months : int, default 24
        Fewer months than this: not decomposed (the spec's rule).

    Returns
    -------
    ModelResult
        ``measure="strength"``; ``table`` holds the seasonal strength
        F = max(0, 1 − Var(R)/Var(S+R)) (descriptive: no interval) and the peak and
        trough months of the seasonal component; ``curve`` holds ``year``,
        ``month``, ``observed``, ``trend``, ``seasonal``, ``resid``.
    """
    from statsmodels.tsa.seasonal import STL

    series = monthly_hours_series(tables)
    n = len(series)
    if n < min_months:
        return _thin("stl", "strength", n, f"月份少于{min_months}个")
    observed = series["hours"].to_numpy(dtype="float64")
    try:
        fit = STL(observed, period=period, robust=True).fit()
    except Exception as error:
        return _thin("stl", "strength", n, f"分解失败（{type(error).__name__}: {error}）")
    curve = series.rename(columns={"hours": "observed"}).assign(
        trend=np.asarray(fit.trend), seasonal=np.asarray(fit.seasonal), resid=np.asarray(fit.resid)
    )
    denominator = np.var(curve["seasonal"] + curve["resid"])
    strength = max(0.0, 1 - np.var(curve["resid"]) / denominator) if denominator > 0 else 0.0
    by_month = curve.groupby(curve["month"].astype(int))["seasonal"].mean()
    peak, trough = int(by_month.idxmax()), int(by_month.idxmin())
    table = pd.DataFrame(
        {
            "term": ["seasonal_strength", "peak_month", "trough_month"],
            "label_zh": ["季节性强度", "季节高峰月份", "季节低谷月份"],
            "estimate": [strength, float(peak), float(trough)],
            "ci_low": [np.nan] * 3,
            "ci_high": [np.nan] * 3,
            "p_value": [np.nan] * 3,
            "reading": [
                f"月度服务时长的季节性强度为{strength:.2f}（0–1，越大季节性越明显）",
                f"季节性高峰在{peak}月",
                f"季节性低谷在{trough}月",
            ],
        }
    ).astype({"term": "str", "label_zh": "str", "reading": "str"})
    return ModelResult("stl", "strength", True, n, table, f"STL（周期{period}，稳健），共{n}个月", curve)
