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
(a sentence in Chinese that says what was controlled for and that the estimate
is an association, e.g. "在控制年龄、性别和所在区后，党员的参与次数约为非党员的1.80倍
（95%置信区间1.60–2.00）；这是统计关联，不表示因果关系"), with ``label_en`` and
``reading_en`` beside them; ``message`` has its English twin ``message_en``, so the
English edition shows the same reading in English.

Fits fail honestly. Before a model is fitted the data must have enough events
per estimated coefficient (:data:`MIN_EVENTS_PER_TERM`); after it, the estimates
and standard errors must be finite, the Hessian well conditioned
(:data:`MAX_CONDITION`, after scaling to unit diagonal) and the optimum reached
(a Newton step from the reported estimates below :data:`MAX_NEWTON_STEP` standard errors: this
works for ``PHReg`` too, whose results carry no ``mle_retvals``). Otherwise
``ok`` is False, the table is empty, ``reason`` says why and ``message`` starts
with "样本不足，未估计" (too little data) or "未估计" (a fit that failed) ("Too little data;
not estimated" or "Not estimated" in ``message_en``);
nothing is raised. Intervals are computed on the log scale and exponentiated
without overflow: a bound that is not finite is missing (written "—").

The data window (:func:`voldata.indicators.data_window`) is respected: the
participation model has each volunteer's days registered in Y (up to the data's
end) as its exposure, and the survival models leave out left-truncated spells
(volunteers registered before the window's start), as ``details`` and
``message`` say.

The data are prepared lazily with the indicator engine (pandas or polars input)
and collected to pandas at the edge, since statsmodels needs arrays. Large
populations are sampled (``max_rows``, seeded) to keep fitting time bounded; the
result says so.
"""

from __future__ import annotations

import calendar
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import narwhals as nw
import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.discrete.truncated_model import TruncatedLFNegativeBinomialP
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.tsa.seasonal import STL

from voldata import reference
from voldata.indicators._engine import as_context
from voldata.indicators.commitment import LAPSE_DAYS, data_window, engagement_spells
from voldata.indicators.services import monthly_hours_series

__all__ = [
    "ModelResult",
    "participation_intensity",
    "retention_model",
    "lapse_hazard",
    "engagement_km",
    "seasonal_decomposition",
    "MIN_ROWS",
    "MIN_EVENTS_PER_TERM",
    "MAX_CONDITION",
    "MAX_NEWTON_STEP",
    "HIGH_ZERO_SHARE",
    "MIN_CLUSTERS",
    "MIN_AT_RISK",
    "THIN_DATA",
    "NOT_ESTIMATED",
    "THIN_DATA_EN",
    "NOT_ESTIMATED_EN",
    "Said",
]

#: Fewer rows than this: the model is not fitted.
MIN_ROWS = 30
#: Fewer events (lapses; the rarer retention outcome; volunteers with any record) per
#: estimated coefficient than this: not fitted (the usual events-per-variable rule).
MIN_EVENTS_PER_TERM = 10
#: Condition number of the information matrix scaled to unit diagonal above which the fit
#: is not identified (separation, collinearity, a parameter on its boundary).
MAX_CONDITION = 1e8
#: Largest Newton step from the reported estimates, in standard errors, for a converged fit (a fit
#: stopped closer to its optimum than this is as good as there: the difference is far below its uncertainty).
MAX_NEWTON_STEP = 0.01
#: A log-ratio this large (a ratio above 3 million) is a sign of separation, not an estimate.
MAX_LOG_RATIO = 15.0
#: Share of zero counts above which the participation model gets a two-part (hurdle) check beside it.
HIGH_ZERO_SHARE = 0.5
#: Fewer streets than this: cluster-robust standard errors are unreliable; model-based ones are used and said so.
MIN_CLUSTERS = 20
#: Survival curves (and the median read from them) stop where fewer than this many spells remain at risk.
MIN_AT_RISK = 10
#: How a model that was not fitted for lack of data is announced.
THIN_DATA = "样本不足，未估计"
#: How a model whose fit failed is announced.
NOT_ESTIMATED = "未估计"
#: :data:`THIN_DATA` and :data:`NOT_ESTIMATED` in English.
THIN_DATA_EN = "Too little data; not estimated"
NOT_ESTIMATED_EN = "Not estimated"
_Z = 1.959963984540054
_TABLE_COLUMNS = ["term", "label_zh", "label_en", "estimate", "ci_low", "ci_high", "p_value", "reading", "reading_en"]
_TEXT_COLUMNS = {"term": "str", "label_zh": "str", "label_en": "str", "reading": "str", "reading_en": "str"}

AGE_ZH = {
    "under_18": "18岁以下",
    "18_34": "18–34岁",
    "35_59": "35–59岁",
    "60_69": "60–69岁（初老）",
    "70_plus": "70岁及以上",
    "unknown": "年龄不详",
}
GENDER_ZH = {"M": "男性", "F": "女性", "unknown": "性别不详"}
AGE_EN = {
    "under_18": "volunteers under 18",
    "18_34": "volunteers aged 18–34",
    "35_59": "volunteers aged 35–59",
    "60_69": "volunteers aged 60–69",
    "70_plus": "volunteers aged 70 and over",
    "unknown": "volunteers of unknown age",
}
GENDER_EN = {"M": "men", "F": "women", "unknown": "volunteers of unknown gender"}


class Said(NamedTuple):
    """A piece of a model's text in Chinese and in English."""

    zh: str
    en: str


def _joined(parts) -> Said:
    """Non-empty parts joined into one note: "…；…" and "…; …"."""
    parts = [part for part in parts if part and part.zh]
    return Said("；".join(part.zh for part in parts), "; ".join(part.en for part in parts))


@dataclass
class ModelResult:
    """The outcome of one model.

    Attributes
    ----------
    model : str
        ``negative_binomial``, ``logit``, ``phreg``, ``kaplan_meier``, ``stl``,
        or for the two parts of the hurdle check ``hurdle_logit`` and ``hurdle_truncated_nb``.
    measure : str
        What ``estimate`` is: ``IRR``, ``OR``, ``HR``, ``days`` or ``strength``.
    ok : bool
        False when the data were too thin or the fit failed (see ``reason``).
    n : int
        Rows (volunteers, spells or months) used.
    table : DataFrame
        ``term``, ``label_zh``, ``label_en``, ``estimate``, ``ci_low``, ``ci_high`` (95%;
        missing where not finite), ``p_value``, ``reading``, ``reading_en``.
    message : str
        What was done (sample, reference levels, exposure, standard errors, the data
        window) or, when ``ok`` is False, "样本不足，未估计：…" / "未估计：…".
    curve : DataFrame or None
        Kaplan–Meier curve or STL components, where the model has one.
    reason : str
        Why the model was not estimated ("" when it was).
    details : dict
        Numbers behind the message (e.g. ``zero_share``, ``alpha``, ``clusters``,
        ``left_truncated``, ``window_start``), for the chapter to write its own sentence.
    checks : list of ModelResult
        Companion fits reported beside this one (the hurdle check of the participation model).
    message_en : str
        ``message`` in English.
    """

    model: str
    measure: str
    ok: bool
    n: int
    table: pd.DataFrame
    message: str = ""
    curve: pd.DataFrame | None = field(default=None, repr=False)
    reason: str = ""
    details: dict = field(default_factory=dict)
    checks: list = field(default_factory=list, repr=False)
    message_en: str = ""

    @property
    def readings(self) -> list[str]:
        """The plain-language sentences, one per term."""
        return list(self.table["reading"])

    @property
    def readings_en(self) -> list[str]:
        """:attr:`readings` in English."""
        return list(self.table["reading_en"])


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": pd.array([], dtype="str"),
            "label_zh": pd.array([], dtype="str"),
            "label_en": pd.array([], dtype="str"),
            "estimate": np.array([], dtype="float64"),
            "ci_low": np.array([], dtype="float64"),
            "ci_high": np.array([], dtype="float64"),
            "p_value": np.array([], dtype="float64"),
            "reading": pd.array([], dtype="str"),
            "reading_en": pd.array([], dtype="str"),
        }
    )


def _not_estimated(model: str, measure: str, n: int, why: Said, headline: Said, details: dict | None) -> ModelResult:
    return ModelResult(
        model,
        measure,
        False,
        int(n),
        _empty_table(),
        f"{headline.zh}：{why.zh}（n={n}）",
        reason=why.zh,
        details=details or {},
        message_en=f"{headline.en}: {why.en} (n={n:,})",
    )


def _thin(model: str, measure: str, n: int, why: Said, *, details: dict | None = None) -> ModelResult:
    """A model not fitted for lack of data."""
    return _not_estimated(model, measure, n, why, Said(THIN_DATA, THIN_DATA_EN), details)


def _failed(model: str, measure: str, n: int, why: Said, *, details: dict | None = None) -> ModelResult:
    """A model whose fit failed its checks."""
    return _not_estimated(model, measure, n, why, Said(NOT_ESTIMATED, NOT_ESTIMATED_EN), details)


def _too_few_events(events: int, terms: int, whose: Said) -> Said | None:
    """The reason a fit with ``events`` events (of ``whose``) and ``terms`` coefficients is not attempted, or None."""
    if events < MIN_EVENTS_PER_TERM * max(terms, 1):
        return Said(
            f"{whose.zh}事件数{events}个，少于每个协变量{MIN_EVENTS_PER_TERM}个（共{terms}个协变量）",
            f"{events} events ({whose.en}), fewer than {MIN_EVENTS_PER_TERM} per covariate ({terms} covariates)",
        )
    return None


# -- design matrices ---------------------------------------------------------------
def _district(code: str) -> Said:
    if code not in reference.district_names():
        return Said("区不详", "volunteers of unknown district")
    return Said(reference.district_names()[code], f"volunteers in {reference.district_names_en()[code]}")


_CATEGORICAL = {
    # column: (preferred reference level, labeller)
    "age_band": ("35_59", lambda v: Said(AGE_ZH.get(v, v), AGE_EN.get(v, v))),
    "gender": ("M", lambda v: Said(GENDER_ZH.get(v, v), GENDER_EN.get(v, v))),
    "district_code": (None, _district),
}
#: The covariates as a reading names them when it says what was controlled for.
VARIABLE_ZH = {
    "age_band": "年龄",
    "gender": "性别",
    "party": "党员身份",
    "district_code": "所在区",
    "log_hours": "上年服务时长",
    "tenure": "注册年限",
}
VARIABLE_EN = {
    "age_band": "age",
    "gender": "gender",
    "party": "party membership",
    "district_code": "district",
    "log_hours": "last year's service hours",
    "tenure": "years since registration",
}
_NO_COVARIATE = Said("没有至少两个水平的协变量", "no covariate has two levels or more")
#: A term's label, its reference group's (None for a numeric covariate) and its variable.
_Label = tuple[Said, Said | None, str]


def _design(
    frame: pd.DataFrame, categorical: list[str], numeric: dict[str, Said]
) -> tuple[pd.DataFrame, dict[str, _Label], list[Said]]:
    """Dummy-coded design matrix; returns (X, {term: (label, reference label or None, variable)}, notes)."""
    columns: dict[str, np.ndarray] = {}
    labels: dict[str, _Label] = {}
    notes: list[Said] = []
    if "party" in categorical:
        party = frame["party"].astype(bool).to_numpy()
        if 0 < party.sum() < len(party):
            columns["party"] = party.astype("float64")
            labels["party"] = (Said("党员", "party members"), Said("非党员", "non-members"), "party")
    for column in [c for c in categorical if c != "party"]:
        preferred, labeller = _CATEGORICAL[column]
        values = frame[column].astype("object").where(frame[column].notna(), "unknown").astype(str)
        counts = values.value_counts()
        if len(counts) < 2:
            continue
        reference_level = preferred if preferred in counts.index else counts.index[0]
        reference_label = labeller(reference_level)
        notes.append(
            Said(
                f"{VARIABLE_ZH[column]}参照组：{reference_label.zh}",
                f"{VARIABLE_EN[column]}: reference group {reference_label.en}",
            )
        )
        for level in sorted(counts.index):
            if level == reference_level:
                continue
            term = f"{column}[{level}]"
            columns[term] = (values == level).to_numpy(dtype="float64")
            labels[term] = (labeller(level), labeller(reference_level), column)
    for column, label in numeric.items():
        values = frame[column].astype("float64").to_numpy()
        if np.nanstd(values) > 0:
            columns[column] = values
            labels[column] = (label, None, column)
    return pd.DataFrame(columns, index=frame.index), labels, notes


def _controls(labels: dict[str, _Label], variable: str) -> Said:
    """The other covariates of the model in words: "年龄、性别和所在区", "age, gender and district"."""
    variables = list(dict.fromkeys(v for _, _, v in labels.values() if v != variable))

    def listed(names: list[str], comma: str, last: str) -> str:
        if not names:
            return ""
        return names[0] if len(names) == 1 else comma.join(names[:-1]) + last + names[-1]

    return Said(
        listed([VARIABLE_ZH.get(v, v) for v in variables], "、", "和"),
        listed([VARIABLE_EN.get(v, v) for v in variables], ", ", " and "),
    )


def _two(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:.2f}"


def _reading(
    label: Said,
    reference_label: Said | None,
    outcome: Said,
    estimate: float,
    low: float,
    high: float,
    *,
    controls: Said | None = None,
) -> Said:
    """One estimate in words: what was controlled for, the ratio with its interval, and that it is an association."""
    bounds = f"{low:.2f}–{high:.2f}" if np.isfinite(low) and np.isfinite(high) else "—"
    if reference_label is None:
        said = f"{label.zh}每增加1，{outcome.zh}约变为原来的{_two(estimate)}倍"
        said_en = f"each unit more of {label.en} went with the {outcome.en} multiplied by about {_two(estimate)}"
    else:
        said = f"{label.zh}的{outcome.zh}约为{reference_label.zh}的{_two(estimate)}倍"
        said_en = f"{label.en} had about {_two(estimate)} times the {outcome.en} of {reference_label.en}"
    controls = controls or Said("", "")
    adjusted = f"在控制{controls.zh}后，" if controls.zh else ""
    adjusted_en = f"Taking {controls.en} into account, " if controls.en else ""
    if not adjusted_en:
        said_en = said_en[0].upper() + said_en[1:]
    return Said(
        f"{adjusted}{said}（95%置信区间{bounds}）；这是统计关联，不表示因果关系",
        f"{adjusted_en}{said_en} (95% confidence interval {bounds}); this is an association, not evidence of a cause",
    )


def _exp(values) -> np.ndarray:
    """exp of log-scale values without overflow: a result that is not finite is missing (NaN)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(np.asarray(values, dtype="float64"))
    return np.where(np.isfinite(out), out, np.nan)


def _named(result, values) -> pd.Series:
    """``values`` (params, bse or p-values of ``result``) indexed by the coefficient names."""
    if isinstance(values, pd.Series):
        return values.astype("float64")
    names = list(getattr(result.model, "exog_names", None) or [])
    values = np.asarray(values, dtype="float64")
    return pd.Series(values[: len(names)], index=names[: len(values)])


def _ratio_table(result, labels: dict[str, _Label], outcome: Said) -> pd.DataFrame:
    """Exponentiated coefficients of the design terms, with 95% intervals (computed on the log scale) and readings."""
    params, bse, pvalues = (_named(result, v) for v in (result.params, result.bse, result.pvalues))
    terms = list(labels)
    log_estimate = params[terms].to_numpy()
    half_width = _Z * bse[terms].to_numpy()
    estimate, low, high = _exp(log_estimate), _exp(log_estimate - half_width), _exp(log_estimate + half_width)
    rows = []
    for i, (term, (label, reference_label, variable)) in enumerate(labels.items()):
        reading = _reading(
            label, reference_label, outcome, estimate[i], low[i], high[i], controls=_controls(labels, variable)
        )
        rows.append(
            {
                "term": term,
                "label_zh": label.zh if reference_label is None else f"{label.zh}（对比{reference_label.zh}）",
                "label_en": label.en if reference_label is None else f"{label.en} (vs {reference_label.en})",
                "estimate": estimate[i],
                "ci_low": low[i],
                "ci_high": high[i],
                "p_value": float(pvalues[term]),
                "reading": reading.zh,
                "reading_en": reading.en,
            }
        )
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    return table.astype(_TEXT_COLUMNS)


def _ratio_result(
    model: str, measure: str, n: int, result, labels: dict[str, _Label], outcome: Said, message: Said, **extra
) -> ModelResult:
    """A fitted ratio model (IRR, OR, HR) as a :class:`ModelResult` with its table of readings."""
    table = _ratio_table(result, labels, outcome)
    return ModelResult(model, measure, True, int(n), table, message.zh, message_en=message.en, **extra)


def _sampled(max_rows: int, seed: int, total: int) -> Said:
    return Said(
        f"随机抽取{max_rows}行（种子{seed}，总体{total}行）",
        f"a random sample of {max_rows:,} rows (seed {seed}, of {total:,})",
    )


def _sample(frame: pd.DataFrame, max_rows: int | None, seed: int) -> tuple[pd.DataFrame, Said | None]:
    if max_rows is None or len(frame) <= max_rows:
        return frame, None
    return frame.sample(n=max_rows, random_state=seed), _sampled(max_rows, seed, len(frame))


def _collect_sample(
    frame: nw.LazyFrame, max_rows: int | None, seed: int, *, key: str = "volunteer_id"
) -> tuple[pd.DataFrame, Said | None]:
    """``frame`` (sorted by its unique ``key``) collected and sampled as :func:`_sample` would sample
    its pandas copy indexed 0..n−1: same rows, same order, same index.

    Only the key column of the whole population is collected; the sampled keys then select
    their rows, so a person-level population of millions never leaves the lazy engine.
    """
    keys = frame.select(key).collect()[key]
    total = len(keys)
    if max_rows is None or total <= max_rows:
        return frame.collect().to_pandas(), None
    # The positions DataFrame.sample(n=max_rows, random_state=seed) draws from a frame of this length.
    positions = np.random.RandomState(seed).choice(total, size=max_rows, replace=False).astype(np.intp, copy=False)
    chosen = keys.to_numpy()[np.sort(positions)]
    sampled = frame.filter(nw.col(key).is_in(chosen.tolist())).collect().to_pandas()
    if len(sampled) != len(chosen) or not (sampled[key].to_numpy() == chosen).all():
        raise ValueError(f"the frame to sample must be sorted by its unique key {key}")
    # Rows come back in key order, that is in the order of the sorted positions.
    sampled.index = pd.Index(np.sort(positions))
    return sampled.loc[positions], _sampled(max_rows, seed, total)


def _problem(result, terms: list[str]) -> Said | None:
    """Why a fitted ``result`` cannot be reported (convergence, identification), or None when it can.

    Uses only what every statsmodels likelihood model offers (``params``, ``bse``,
    ``model.score``, ``model.hessian``), so it applies to ``PHReg`` results as well,
    which have no ``mle_retvals``.
    """
    params = np.asarray(result.params, dtype="float64")
    bse = np.asarray(result.bse, dtype="float64")
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        return Said(
            "估计值或标准误不是有限数（可能存在完全分离或共线性）",
            "estimates or standard errors are not finite (perhaps complete separation or collinearity)",
        )
    if (getattr(result, "mle_retvals", None) or {}).get("converged") is False:
        return Said("迭代未收敛", "the iterations did not converge")
    log_ratios = _named(result, result.params)[terms].to_numpy()
    if np.any(np.abs(log_ratios) > MAX_LOG_RATIO):
        return Said(
            "估计值过大（可能存在完全分离：某组全部或从未发生结果）",
            "an estimate is too large (perhaps complete separation: a group where the outcome always or never occurs)",
        )
    try:
        information = -np.asarray(result.model.hessian(params), dtype="float64")
        score = np.asarray(result.model.score(params), dtype="float64")
    except Exception as error:  # a model without analytic derivatives, or one that fails at the optimum
        return Said(
            f"无法计算Hessian矩阵（{type(error).__name__}）",
            f"the Hessian matrix cannot be computed ({type(error).__name__})",
        )
    if not (np.all(np.isfinite(information)) and np.all(np.isfinite(score))):
        return Said("Hessian矩阵或梯度不是有限数", "the Hessian matrix or the gradient is not finite")
    diagonal = np.diag(information)
    if np.any(diagonal <= 0):
        return Said(
            "Hessian矩阵奇异（有参数没有信息）", "the Hessian matrix is singular (a parameter has no information)"
        )
    scale = np.sqrt(diagonal)
    condition = np.linalg.cond(information / np.outer(scale, scale))
    if not np.isfinite(condition) or condition > MAX_CONDITION:
        return Said(
            f"Hessian矩阵病态（条件数{condition:.1e}），模型不可识别（可能存在共线性或参数在边界上）",
            f"the Hessian matrix is ill-conditioned (condition number {condition:.1e}): the model is not identified "
            "(perhaps collinearity or a parameter on its boundary)",
        )
    covariance = np.linalg.inv(information)
    step = covariance @ score
    if np.max(np.abs(step) / np.sqrt(np.abs(np.diag(covariance)))) > MAX_NEWTON_STEP:
        return Said(
            "迭代未收敛（估计值处的牛顿步长仍然较大）",
            "the iterations did not converge (the Newton step at the estimates is still large)",
        )
    return None


def _fit(model: str, measure: str, fit, n: int, terms: list[str]) -> tuple[object | None, ModelResult | None]:
    """Run ``fit()`` and check it; a failure becomes a not-estimated result instead of an exception."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fit()
            problem = _problem(result, terms)
    except Exception as error:  # statsmodels raises many kinds (LinAlgError, PerfectSeparation, ValueError)
        return None, _failed(model, measure, n, _error("拟合失败", "the fit failed", error))
    if problem:
        return None, _failed(model, measure, n, problem)
    return result, None


def _error(zh: str, en: str, error: Exception) -> Said:
    return Said(f"{zh}（{type(error).__name__}: {error}）", f"{en} ({type(error).__name__}: {error})")


# -- volunteer frames ------------------------------------------------------------------
def _registered_frame(ctx, year: int) -> nw.LazyFrame:
    """Registered volunteers (end of Y) with their records and hours in Y (0 when inactive)."""
    records = ctx.volunteer_years().filter(nw.col("year") == year).select("volunteer_id", "records", "hours")
    return (
        ctx.volunteers(year)
        .filter(nw.col("registered"))
        .select("volunteer_id", "age_band", "gender", "party", "district_code", "street", "registered_at")
        .join(records, on="volunteer_id", how="left")
        .with_columns(nw.col("records").fill_null(0), nw.col("hours").fill_null(0.0))
        .sort("volunteer_id")
    )


def _exposure_days(registered_at: pd.Series, year: int, window: dict | None) -> np.ndarray:
    """Days each volunteer was registered in Y, up to the data's end (0 when none)."""
    first_day = pd.Timestamp(year, 1, 1)
    last_day = pd.Timestamp(year, 12, 31)
    if window is not None:
        last_day = min(last_day, pd.Timestamp(window["end"]).normalize())
    registered = pd.to_datetime(registered_at).dt.normalize()
    start = registered.where(registered > first_day, first_day)
    return ((last_day - start).dt.days + 1).clip(lower=0).to_numpy(dtype="float64")


def _street_groups(frame: pd.DataFrame) -> np.ndarray:
    """The volunteer's street (within district) as integer cluster codes (a missing street: one per district)."""
    street = (
        frame["district_code"].astype("object").fillna("?").astype(str)
        + "/"
        + (frame["street"].astype("object").fillna("（未填写）").astype(str))
    )
    return pd.factorize(street)[0]


def participation_intensity(tables, *, year: int, max_rows: int | None = 200_000, seed: int = 2020) -> ModelResult:
    """Negative binomial model of the number of valid records in Y per registered volunteer.

    Covariates: age band (reference 35–59), gender (reference male), party
    membership, district (reference: the district with most volunteers).
    ``sm.NegativeBinomial`` (NB2) with alpha estimated and the days registered in
    Y (from registration or 1 January to 31 December or the data's end) as
    exposure, so that part-year registrants are compared on their rate per year
    registered; estimates are incidence-rate ratios exp(β). Standard errors are
    cluster-robust by the volunteer's street (people in one street are not
    independent) when there are at least :data:`MIN_CLUSTERS` streets.

    When more than :data:`HIGH_ZERO_SHARE` of the counts are zero, a two-part
    (hurdle) check is fitted beside it (``checks``): a logistic model of any
    participation (with log days registered as a covariate; odds ratios) and a
    zero-truncated negative binomial of the count among participants (IRR), and
    the zero share the negative binomial predicts is set beside the observed one.

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
        ``measure="IRR"``; ``details`` holds ``alpha``, ``zero_share``,
        ``predicted_zero_share``, ``clusters``, ``cluster_robust`` and
        ``exposure_days_mean``.
    """

    ctx = as_context(tables)
    frame, sampled = _collect_sample(_registered_frame(ctx, year), max_rows, seed)
    frame["exposure_days"] = _exposure_days(frame["registered_at"], year, data_window(ctx))
    frame = frame[frame["exposure_days"] > 0]
    n = len(frame)
    if n < MIN_ROWS:
        return _thin(
            "negative_binomial",
            "IRR",
            n,
            Said(f"年内有注册天数的志愿者少于{MIN_ROWS}人", f"fewer than {MIN_ROWS} volunteers registered in the year"),
        )
    if frame["records"].nunique() < 2:
        return _thin("negative_binomial", "IRR", n, Said("参与次数没有变化", "the number of records does not vary"))
    design, labels, notes = _design(frame, ["age_band", "gender", "party", "district_code"], {})
    if design.empty:
        return _thin("negative_binomial", "IRR", n, _NO_COVARIATE)
    endog = frame["records"].astype("float64")
    participants = int((endog > 0).sum())
    zero_share = 1 - participants / n
    details = {"zero_share": zero_share, "exposure_days_mean": float(frame["exposure_days"].mean())}
    too_few = _too_few_events(participants, design.shape[1], Said("有参与记录的志愿者", "volunteers with records"))
    if too_few:
        return _thin("negative_binomial", "IRR", n, too_few, details=details)
    exog = sm.add_constant(design, has_constant="add")
    exposure = frame["exposure_days"].to_numpy() / 365.0
    groups = _street_groups(frame)
    clusters = int(groups.max()) + 1
    robust = clusters >= MIN_CLUSTERS
    covariance = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if robust else {}
    details.update(clusters=clusters, cluster_robust=robust)

    def fit():
        return _negative_binomial(sm.NegativeBinomial, endog, exog, offset=np.log(exposure), covariance=covariance)

    result, failure = _fit("negative_binomial", "IRR", fit, n, list(labels))
    if failure:
        failure.details.update(details)
        return failure
    alpha = float(np.asarray(result.params)[-1])
    mean = np.asarray(result.predict(), dtype="float64")
    predicted_zero = float(np.mean((1 + alpha * mean) ** (-1 / alpha)))
    details.update(alpha=alpha, predicted_zero_share=predicted_zero)
    checks = _hurdle_check(endog, design, labels, frame["exposure_days"].to_numpy(), covariance)
    zero_note = Said(
        f"零值占{zero_share:.1%}（负二项模型预测{predicted_zero:.1%}）",
        f"{zero_share:.1%} of the counts are zero (the negative binomial model predicts {predicted_zero:.1%})",
    )
    if checks:
        zero_note = Said(
            zero_note.zh + "，另以两部分（hurdle）模型核对：是否参与（logistic）与参与者的参与次数（零截断负二项）",
            zero_note.en + ", so a two-part (hurdle) model checks it: whether a volunteer took part (logistic) and "
            "how often participants took part (zero-truncated negative binomial)",
        )
    if robust:
        errors = Said(
            f"标准误按{clusters}个街道聚类稳健估计",
            f"standard errors are cluster-robust by street ({clusters} streets)",
        )
    else:
        errors = Said(
            f"街道仅{clusters}个（少于{MIN_CLUSTERS}个），标准误未做聚类调整，可能偏小",
            f"only {clusters} streets (fewer than {MIN_CLUSTERS}): standard errors are not adjusted for clustering "
            "and may be too small",
        )
    message = _joined(
        [
            sampled,
            Said(
                "以年内注册天数为暴露量（参与次数按每注册一年折算）",
                "exposure: the days registered in the year (records per year registered)",
            ),
            errors,
            *notes,
            Said(f"离散参数alpha={alpha:.3f}", f"dispersion parameter alpha = {alpha:.3f}"),
            zero_note,
        ]
    )
    return _ratio_result(
        "negative_binomial",
        "IRR",
        n,
        result,
        labels,
        Said("参与次数（按注册天数折算）", "rate of participation (records per year registered)"),
        message,
        details=details,
        checks=checks,
    )


def _negative_binomial(
    model_class, endog, exog, *, offset: np.ndarray, covariance: dict, methods: tuple = ("newton", "bfgs")
):
    """A negative binomial fit (``sm.NegativeBinomial`` or a truncated one) that reaches its optimum.

    statsmodels' default start can drift to the alpha → 0 boundary (singular Hessian) or to a
    negative alpha on overdispersed counts, so start from the Poisson fit with alpha = 1 and try
    the ``methods`` in turn (then bfgs from statsmodels' own start); the first fit that converges
    with finite standard errors is kept.
    """

    poisson = sm.Poisson(endog, exog, offset=offset).fit(disp=0, maxiter=100)
    start = np.append(np.asarray(poisson.params), 1.0)
    last = None
    for method, start_params in [*((method, start) for method in methods), ("bfgs", None)]:
        try:
            last = _remember_hessian(model_class(endog, exog, offset=offset)).fit(
                start_params=start_params, method=method, disp=0, maxiter=300, **covariance
            )
        except Exception:  # a failed optimiser: try the next one
            continue
        if last.mle_retvals.get("converged", True) and np.all(np.isfinite(np.asarray(last.bse))):
            return last
    if last is None:
        raise RuntimeError("no optimiser could fit the negative binomial model")
    return last


def _remember_hessian(model):
    """``model`` with its Hessian remembered at the last parameters it was computed at.

    At the optimum statsmodels computes the Hessian for the covariance, again for the
    cluster-robust covariance, and :func:`_problem` a third time; the truncated model's
    Hessian is numerical (about a third of the whole chapter's model time), so the
    same matrix is computed once and handed out as a copy.
    """
    compute = model.hessian
    remembered: dict = {}

    def hessian(params, *args, **kwargs):
        if args or kwargs:
            return compute(params, *args, **kwargs)
        key = np.asarray(params, dtype="float64").tobytes()
        if remembered.get("key") != key:
            remembered.update(key=key, value=np.asarray(compute(params)))
        return remembered["value"].copy()

    model.hessian = hessian
    return model


def _hurdle_check(
    endog: pd.Series, design: pd.DataFrame, labels: dict, exposure_days: np.ndarray, covariance: dict
) -> list[ModelResult]:
    """The two parts of a hurdle model, when zeros are frequent: any participation, then the count of participants."""

    if (endog == 0).mean() <= HIGH_ZERO_SHARE:
        return []
    n = len(endog)
    participated = (endog > 0).astype("float64")
    exog = sm.add_constant(design, has_constant="add").assign(log_exposure=np.log(exposure_days / 365.0))
    events = int(min(participated.sum(), n - participated.sum()))
    too_few = _too_few_events(events, design.shape[1] + 1, Said("参与与未参与中较少一方的", "the rarer outcome"))
    if too_few:
        part1 = _thin("hurdle_logit", "OR", n, too_few)
    else:
        result, part1 = _fit(
            "hurdle_logit",
            "OR",
            lambda: sm.Logit(participated, exog).fit(disp=0, maxiter=200, **covariance),
            n,
            list(labels),
        )
        if result is not None:
            part1 = _ratio_result(
                "hurdle_logit",
                "OR",
                n,
                result,
                labels,
                Said("参与（至少一次）的几率", "odds of taking part (at least once)"),
                Said(
                    "两部分模型第一部分：是否参与（logistic回归，年内注册天数的对数作协变量）",
                    "part one of the two-part model: whether a volunteer took part (logistic regression, with the log "
                    "of the days registered in the year as a covariate)",
                ),
            )
    positive = (endog > 0).to_numpy()
    count_groups = covariance.get("cov_kwds", {}).get("groups")
    count_covariance = (
        {"cov_type": "cluster", "cov_kwds": {"groups": count_groups[positive]}} if count_groups is not None else {}
    )
    k = int(positive.sum())
    too_few = _too_few_events(k, design.shape[1], Said("参与者", "participants"))
    if too_few:
        return [part1, _thin("hurdle_truncated_nb", "IRR", k, too_few)]
    count_exog = sm.add_constant(design[positive], has_constant="add")
    result, part2 = _fit(
        "hurdle_truncated_nb",
        "IRR",
        # log exposure as an offset: statsmodels 0.15's truncated models mishandle ``exposure`` arrays
        lambda: _negative_binomial(
            TruncatedLFNegativeBinomialP,
            endog[positive],
            count_exog,
            offset=np.log(exposure_days[positive] / 365.0),
            covariance=count_covariance,
            methods=("bfgs",),  # its Hessian is numerical: Newton steps are slow
        ),
        k,
        list(labels),
    )
    if result is not None:
        part2 = _ratio_result(
            "hurdle_truncated_nb",
            "IRR",
            k,
            result,
            labels,
            Said(
                "参与者的参与次数（按注册天数折算）",
                "participants' rate of participation (records per year registered)",
            ),
            Said(
                "两部分模型第二部分：参与者的参与次数（零截断负二项回归，以年内注册天数为暴露量）",
                "part two of the two-part model: how often participants took part (zero-truncated negative binomial "
                "regression, with the days registered in the year as exposure)",
            ),
        )
    return [part1, part2]


def retention_model(tables, *, year: int, max_rows: int | None = 200_000, seed: int = 2020) -> ModelResult:
    """Logistic regression of retention: active in Y given active in Y−1.

    Covariates: age band in Y, gender, party membership, log(1 + hours in Y−1)
    and years since registration (Y − registration year). A volunteer without a
    registration year (or registered after Y) has no tenure and is left out, not
    given 0 years; the message says how many. Estimates are odds ratios.

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
        ``measure="OR"``; ``details["no_tenure"]`` counts the volunteers left out.
    """

    ctx = as_context(tables)
    if year - 1 not in ctx.store_years():
        return _thin("logit", "OR", 0, Said(f"{year - 1}年不在数据中", f"{year - 1} is not in the data"))
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
    tenure = frame["tenure"].astype("float64")
    known = tenure.notna() & (tenure >= 0)
    no_tenure = int((~known).sum())
    frame = frame[known.to_numpy()]
    details = {"no_tenure": no_tenure}
    n = len(frame)
    if n < MIN_ROWS:
        why = Said(
            f"{year - 1}年活跃且注册年份已知的志愿者少于{MIN_ROWS}人",
            f"fewer than {MIN_ROWS} volunteers active in {year - 1} with a known registration year",
        )
        return _thin("logit", "OR", n, why, details=details)
    if frame["retained"].nunique() < 2:
        return _thin("logit", "OR", n, Said("留存结果没有变化", "retention does not vary"), details=details)
    design, labels, notes = _design(
        frame,
        ["age_band", "gender", "party"],
        {
            "log_hours": Said("上年服务时长的对数log(1+小时)", "log(1 + last year's service hours)"),
            "tenure": Said("注册年限（年）", "years since registration"),
        },
    )
    if design.empty:
        return _thin("logit", "OR", n, Said("没有有变化的协变量", "no covariate varies"), details=details)
    retained = int(frame["retained"].sum())
    too_few = _too_few_events(
        min(retained, n - retained), design.shape[1], Said("留存与未留存中较少一方的", "the rarer outcome")
    )
    if too_few:
        return _thin("logit", "OR", n, too_few, details=details)
    exog = sm.add_constant(design, has_constant="add")
    result, failure = _fit(
        "logit",
        "OR",
        lambda: sm.Logit(frame["retained"].astype("float64"), exog).fit(disp=0, maxiter=200),
        n,
        list(labels),
    )
    if failure:
        failure.details.update(details)
        return failure
    excluded = Said(
        f"注册年份缺失或晚于{year}年的{no_tenure}人未纳入" if no_tenure else "",
        f"{no_tenure:,} volunteers without a registration year, or registered after {year}, are left out",
    )
    message = _joined([sampled, excluded, *notes])
    return _ratio_result(
        "logit", "OR", n, result, labels, Said("留存几率", "odds of retention"), message, details=details
    )


def _window_note(window: dict | None, left_out: dict[str, int]) -> Said:
    start = window["start"] if window else None
    since = f"{start.year}年{start.month}月{start.day}日" if start else "数据窗口开始"
    since_en = f"{start.day} {start:%B} {start.year}" if start else "the start of the data window"
    note = (
        f"仅含{since}（数据窗口开始）及以后注册的志愿者：此前注册者的首条记录可能早于数据窗口（左截断），"
        f"其{left_out['left_truncated']}段参与记录未纳入；流失须停止服务满{LAPSE_DAYS}天才能判断，"
        f"故各段在数据截止日前{LAPSE_DAYS}天处删失"
    )
    note_en = (
        f"only volunteers registered on or after {since_en} (the data window's start): the first record of those "
        f"registered earlier may precede the window (left truncation), so their {left_out['left_truncated']:,} "
        f"spells are left out; a lapse shows only after {LAPSE_DAYS} days without service, so spells are censored "
        f"{LAPSE_DAYS} days before the data's end"
    )
    if left_out["too_recent"]:
        note += f"，此后才开始的{left_out['too_recent']}段未纳入"
        note_en += f", and the {left_out['too_recent']:,} spells starting after that are left out"
    return Said(note, note_en)


def _spell_frame(ctx, year: int) -> nw.LazyFrame:
    attributes = ctx.volunteers(year).select("volunteer_id", "age_band", "gender", "party", "district_code")
    return (
        engagement_spells(ctx, year=year)
        .filter(nw.col("analysed"))
        .join(attributes, on="volunteer_id", how="left")
        .with_columns(nw.col("party").fill_null(False), nw.col("age_band").fill_null("unknown"))
        .sort("volunteer_id")
    )


def _left_out(ctx, year: int) -> dict[str, int]:
    """Spells left out of the survival analysis: left-truncated, and too recent to show a lapse."""
    row = (
        engagement_spells(ctx, year=year)
        .select(
            left_truncated=nw.col("left_truncated").sum(),
            too_recent=(nw.col("too_recent") & ~nw.col("left_truncated")).sum(),
        )
        .collect()
        .rows(named=True)[0]
    )
    return {key: int(value or 0) for key, value in row.items()}


def lapse_hazard(tables, *, year: int, max_rows: int | None = 200_000, seed: int = 2020) -> ModelResult:
    """Cox proportional hazards of lapsing, over the engagement spells of
    :func:`voldata.indicators.engagement_survival` (first to last valid record;
    lapsed when the last record is more than 180 days before the data's end, else
    censored at that lapse horizon; spells starting after it are left out).

    Spells of volunteers registered before the data window's start are
    left-truncated (their first record may precede the window, and they are seen
    only because they were still engaged then) and are left out: the model is
    fitted on spells observed from their start. Covariates: age band in Y,
    gender, party membership and district (as the participation model).
    ``PHReg(..., ties="efron")``; estimates are hazard ratios.

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
        ``measure="HR"``; ``details`` holds ``left_truncated`` (spells left out),
        ``window_start`` and ``lapses``.
    """

    ctx = as_context(tables)
    window = data_window(ctx)
    details = {**_left_out(ctx, year), "truncation": "restricted", "window_start": window["start"] if window else None}
    frame, sampled = _collect_sample(_spell_frame(ctx, year), max_rows, seed)
    n = len(frame)
    lapses = int(frame["lapsed"].sum()) if n else 0
    details["lapses"] = lapses
    if n < MIN_ROWS:
        why = Said(
            f"窗口内开始的参与记录少于{MIN_ROWS}段", f"fewer than {MIN_ROWS} spells starting inside the data window"
        )
        return _thin("phreg", "HR", n, why, details=details)
    if not lapses:
        return _thin("phreg", "HR", n, Said("没有观察到流失", "no lapse was observed"), details=details)
    design, labels, notes = _design(frame, ["age_band", "gender", "party", "district_code"], {})
    if design.empty:
        return _thin("phreg", "HR", n, _NO_COVARIATE, details=details)
    too_few = _too_few_events(lapses, design.shape[1], Said("流失", "lapses"))
    if too_few:
        return _thin("phreg", "HR", n, too_few, details=details)
    result, failure = _fit(
        "phreg",
        "HR",
        lambda: sm.PHReg(
            frame["days"].astype("float64"), design, status=frame["lapsed"].astype("float64"), ties="efron"
        ).fit(),
        n,
        list(labels),
    )
    if failure:
        failure.details.update(details)
        return failure
    message = _joined([sampled, _window_note(window, details), *notes])
    return _ratio_result(
        "phreg", "HR", n, result, labels, Said("流失风险", "hazard of lapsing"), message, details=details
    )


def _log_log_interval(survival: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% pointwise interval of S(t) on the log(−log) scale: S^exp(±z·se/(S·|log S|)); [1, 1] before any event."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_s = np.log(survival)
        spread = _Z * se / (survival * np.abs(log_s))
        low = survival ** np.exp(spread)
        high = survival ** np.exp(-spread)
    inside = (survival > 0) & (survival < 1) & np.isfinite(spread)
    low = np.where(inside, low, np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, np.nan)))
    high = np.where(inside, high, np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, np.nan)))
    return low, high


def engagement_km(tables, *, year: int) -> ModelResult:
    """Kaplan–Meier curve of the engagement spells (``SurvfuncRight``) with 95% pointwise intervals.

    Left-truncated spells (volunteers registered before the data window's start)
    are left out, as in :func:`voldata.indicators.engagement_survival`. Intervals
    are computed on the log(−log) scale (Greenwood standard errors), so they stay
    inside [0, 1]; the curve stops where fewer than :data:`MIN_AT_RISK` spells
    remain at risk, and a median beyond that point is not estimated.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Spells of volunteers whose first valid record is on or before the end of Y.

    Returns
    -------
    ModelResult
        ``measure="days"``; ``table`` holds the median spell length with its 95%
        interval (``quantile_ci``, log(−log) method; missing when fewer than half have
        lapsed or fewer than 10 remain at risk there); ``curve`` holds ``days``,
        ``at_risk``, ``survival``, ``ci_low``, ``ci_high``; ``details`` holds
        ``left_truncated``, ``window_start`` and ``curve_cut_at`` (days).
    """

    ctx = as_context(tables)
    window = data_window(ctx)
    details = {**_left_out(ctx, year), "truncation": "restricted", "window_start": window["start"] if window else None}
    # The curve depends on the spells only through (days, lapsed): one weighted row per distinct pair.
    frame = (
        engagement_spells(ctx, year=year)
        .filter(nw.col("analysed"))
        .group_by("days", "lapsed")
        .agg(nw.len().alias("spells"))
        .sort("days", "lapsed")
        .collect()
        .to_pandas()
    )
    n = int(frame["spells"].sum())
    if n < MIN_AT_RISK or not frame["lapsed"].any():
        why = Said(
            f"窗口内开始的参与记录少于{MIN_AT_RISK}段或没有观察到流失",
            f"fewer than {MIN_AT_RISK} spells starting inside the data window, or no lapse observed",
        )
        return _thin("kaplan_meier", "days", n, why, details=details)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            # Expanded back to one value per spell (plain arrays): statsmodels' intervals differ with freq_weights.
            counts = frame["spells"].to_numpy(dtype="int64")
            survival = SurvfuncRight(
                np.repeat(frame["days"].to_numpy(dtype="float64"), counts),
                np.repeat(frame["lapsed"].to_numpy(dtype="float64"), counts),
            )
            median = survival.quantile(0.5)
            low, high = survival.quantile_ci(0.5, method="cloglog")
    except Exception as error:
        return _failed("kaplan_meier", "days", n, _error("计算失败", "the computation failed", error), details=details)
    prob = np.asarray(survival.surv_prob, dtype="float64")
    se = np.asarray(survival.surv_prob_se, dtype="float64")
    at_risk = np.asarray(survival.n_risk, dtype="int64")
    times = np.asarray(survival.surv_times, dtype="float64")
    ci_low, ci_high = _log_log_interval(prob, se)
    kept = at_risk >= MIN_AT_RISK
    curve = pd.DataFrame({"days": times, "at_risk": at_risk, "survival": prob, "ci_low": ci_low, "ci_high": ci_high})[
        kept
    ].reset_index(drop=True)
    cut_at = float(times[kept][-1]) if kept.any() else np.nan
    details["curve_cut_at"] = cut_at
    median, low, high = (float(v) if v is not None and np.isfinite(v) else np.nan for v in (median, low, high))
    if not np.isnan(median) and not median <= cut_at:
        median, low, high = np.nan, np.nan, np.nan
    if not np.isnan(high) and not high <= cut_at:
        high = np.nan
    if np.isnan(median):
        reading = f"过半志愿者尚未流失（或风险集已不足{MIN_AT_RISK}人），参与持续时间的中位数无法估计"
        reading_en = (
            f"More than half of the volunteers have not lapsed (or fewer than {MIN_AT_RISK} remain at risk), so the "
            "median length of participation cannot be estimated"
        )
    else:
        bounded = not (np.isnan(low) or np.isnan(high))
        interval = f"{low:.0f}–{high:.0f}天" if bounded else "上限无法估计"
        interval_en = f"{low:.0f}–{high:.0f} days" if bounded else "upper bound not estimable"
        reading = f"志愿者参与持续时间（首末次服务间隔）的中位数为{median:.0f}天（95%置信区间{interval}）"
        reading_en = (
            f"The median length of participation (first to last service) is {median:.0f} days "
            f"(95% confidence interval {interval_en})"
        )
    table = pd.DataFrame(
        {
            "term": ["median_days"],
            "label_zh": ["参与持续时间中位数（天）"],
            "label_en": ["Median length of participation (days)"],
            "estimate": [median],
            "ci_low": [low],
            "ci_high": [high],
            "p_value": [np.nan],
            "reading": [reading],
            "reading_en": [reading_en],
        }
    ).astype(_TEXT_COLUMNS)
    message = _joined(
        [
            _window_note(window, details),
            Said(
                f"Greenwood标准误，log(−log)尺度逐点95%置信区间；曲线截至风险集不少于{MIN_AT_RISK}段处",
                "Greenwood standard errors, pointwise 95% confidence intervals on the log(−log) scale; the curve "
                f"stops where fewer than {MIN_AT_RISK} spells remain at risk",
            ),
        ]
    )
    return ModelResult(
        "kaplan_meier", "days", True, n, table, message.zh, curve, details=details, message_en=message.en
    )


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

    series = monthly_hours_series(tables)
    n = len(series)
    if n < min_months:
        return _thin("stl", "strength", n, Said(f"月份少于{min_months}个", f"fewer than {min_months} months"))
    observed = series["hours"].to_numpy(dtype="float64")
    try:
        fit = STL(observed, period=period, robust=True).fit()
    except Exception as error:
        return _failed("stl", "strength", n, _error("分解失败", "the decomposition failed", error))
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
            "label_en": ["Seasonal strength", "Seasonal peak month", "Seasonal trough month"],
            "estimate": [strength, float(peak), float(trough)],
            "ci_low": [np.nan] * 3,
            "ci_high": [np.nan] * 3,
            "p_value": [np.nan] * 3,
            "reading": [
                f"月度服务时长的季节性强度为{strength:.2f}（0–1，越大季节性越明显）",
                f"季节性高峰在{peak}月",
                f"季节性低谷在{trough}月",
            ],
            "reading_en": [
                f"The seasonal strength of monthly service hours is {strength:.2f} (0–1; the higher, the more "
                "seasonal)",
                f"The seasonal peak is in {calendar.month_name[peak]}",
                f"The seasonal trough is in {calendar.month_name[trough]}",
            ],
        }
    ).astype(_TEXT_COLUMNS)
    message = Said(f"STL（周期{period}，稳健），共{n}个月", f"STL (period {period}, robust) over {n} months")
    return ModelResult("stl", "strength", True, n, table, message.zh, curve, message_en=message.en)
