"""A chapter: its parameters, checked once, the data it reads, and how it shows and publishes.

Each notebook's papermill ``parameters`` cell holds literals only; the next cell
calls :func:`open_chapter` with them, which checks them
(:func:`voldata.edition.parameters.validate_parameters`) and returns a
:class:`Chapter`. The chapter reads the store lazily (Polars) and takes the
year's indicators from the ``indicators`` file when the build gave one, or
computes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from voldata import indicators as indicator_suite
from voldata import reference
from voldata import store as store_module
from voldata.demo import DEMO_MARK, DEMO_MARK_EN, is_demo_store
from voldata.edition import english, output, shared
from voldata.edition.parameters import CHAPTERS, COMMON, ParameterError, validate_parameters
from voldata.editorial import Editorial

#: What the English edition shows where the editors wrote a text in Chinese only.
NO_ENGLISH_EDITORS_TEXT = "*(The editors have not supplied this text in English; see the Chinese edition.)*"

__all__ = ["Chapter", "open_chapter", "NO_ENGLISH_EDITORS_TEXT"]


@dataclass
class Chapter:
    """One chapter's resolved parameters and lazily loaded data.

    Create it with :func:`open_chapter`.
    """

    key: str
    year: int
    store: Path
    output_dir: Path
    language: str
    threshold: int
    population_path: Path | None
    indicators_file: Path | None = None
    options: dict[str, int] = field(default_factory=dict)
    editorial: Editorial = field(default_factory=Editorial)
    # How many tables and figures the chapter has shown so far (they are numbered 表1-1, 图1-1 … in order).
    shown: dict[str, int] = field(default_factory=lambda: {"table": 0, "figure": 0})
    # Chinese texts the English edition had no English for (each shown as a note instead).
    untranslated: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        """The chapter's number: 1 for ``01_general_report`` …"""
        return int(self.key[:2])

    def _next_number(self, kind: str) -> str:
        self.shown[kind] += 1
        word = {("table", "zh"): "表", ("figure", "zh"): "图", ("table", "en"): "Table ", ("figure", "en"): "Figure "}
        return f"{word[kind, self.language]}{self.number}-{self.shown[kind]}"

    def _in_language(self, zh: str, en: str | None, what: str) -> str:
        """The text in the chapter's language; in English without one, a visible note (counted)."""
        if self.language == "zh":
            return zh
        if en is None:
            self.untranslated.append(zh)
            return f"(no English {what} yet)"
        return en

    @property
    def title(self) -> str:
        return CHAPTERS[self.key]

    @cached_property
    def tables(self) -> dict:
        """All canonical tables as Polars lazy frames (nothing read until asked)."""
        return store_module.tables(self.store, engine="polars")

    @cached_property
    def years(self) -> list[int]:
        """Years with service records in the store."""
        return store_module.store_years(self.store, "service_records")

    @property
    def years_to_date(self) -> list[int]:
        """Store years up to and including the reference year."""
        return [y for y in self.years if y <= self.year]

    @cached_property
    def ingest_report(self) -> dict:
        return store_module.ingest_report(self.store)

    @property
    def is_demo(self) -> bool:
        return is_demo_store(self.ingest_report)

    @cached_property
    def population(self) -> pd.DataFrame:
        return reference.population(self.population_path)

    @cached_property
    def context(self) -> indicator_suite.Context:
        """The indicator suite's context over :attr:`tables`: pass it as ``tables`` to any
        indicator function, so aggregates they share are computed once per chapter."""
        return shared.chapter_context(self.tables, self.indicators_file)

    @cached_property
    def _shared(self) -> shared.SharedIndicators:
        if self.indicators_file is not None:
            return shared.read_indicators(self.indicators_file)
        return shared.compute_indicators(self.context, year=self.year, population=self.population_path)

    @property
    def indicators(self) -> dict:
        """``voldata.indicators.city_indicators`` for the reference year (growth included)."""
        return self._shared[0]

    @property
    def district_indicators(self) -> pd.DataFrame:
        """``voldata.indicators.district_indicators`` for the reference year (not yet suppressed)."""
        return self._shared[1]

    def say(self, zh: str, en: str | None = None) -> None:
        """Show a passage of the report (Markdown) in the edition's language; see :func:`output.say`.

        In the English edition a passage without ``en`` is left out, with a note saying so
        (and listed in :attr:`untranslated`).
        """
        if self.language != "zh" and en is None:
            self.untranslated.append(zh)
            en = output.MISSING_ENGLISH
        output.say(zh, en, language=self.language)

    def demo_notice(self) -> None:
        """The banner every chapter shows first: 示例数据 for demo stores, the data source otherwise."""
        if self.is_demo:
            self.say(
                zh=f"> **{DEMO_MARK}**：本篇所有数字均由演示数据生成器产生，仅用于展示报告的计算方法，"
                "不代表广州市志愿服务的真实情况。",
                en=f"> **{DEMO_MARK_EN}**: every number in this part was produced by the demo data generator, to "
                "show how the report is computed; none describes volunteering in Guangzhou.",
            )
        else:
            files = len(self.ingest_report.get("files", []))
            self.say(
                zh=f"> 数据来源：志愿服务平台导出数据（{files}个文件），经 voldata 清洗、去标识化后计算。",
                en=f"> Source: the volunteer platforms' exports ({files} files), cleaned and de-identified by voldata.",
            )

    def table(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        title: str,
        title_en: str | None = None,
        counts=(),
        rates=None,
        labels=None,
        labels_en=None,
        city_level: bool = False,
        decided=(),
        show: bool | int = True,
    ) -> pd.DataFrame:
        """Publish a table (suppressed, CSV in ``tables/``) and show it; ``show`` = an int shows the first rows.

        ``decided``: count columns already published by :mod:`voldata.publish` (see :func:`output.publish_table`).
        ``title_en``, ``labels_en``: the title and the column headers in the English edition.
        """
        number = self._next_number("table")
        shown_title = self._in_language(title, title_en, "table title")
        if self.language == "en":
            frame = english.translate_names(frame)
        published = output.publish_table(
            frame,
            name,
            output_dir=self.output_dir,
            title=shown_title,
            counts=counts,
            rates=rates,
            threshold=self.threshold,
            labels=labels if self.language == "zh" or labels_en is None else labels_en,
            city_level=city_level,
            decided=decided,
            number=number,
            demo=self.is_demo,
            language=self.language,
        )
        if show:
            formats = published.attrs["formats"]
            rows = published if show is True else published.head(int(show))
            shortened = show is not True and len(published) > int(show)
            if not shortened:
                note = ""
            elif self.language == "zh":
                note = f"（前{int(show)}行，共{len(published)}行，全表见 tables/{name}.csv）"
            else:
                note = f" (first {int(show)} of {len(published)} rows; the whole table is tables/{name}.csv)"
            self._show(rows, f"{number} {shown_title}{note}", formats)
        return published

    def _show(self, frame: pd.DataFrame, caption: str, formats: dict | None = None) -> None:
        output.show_table(frame, caption, formats=formats, language=self.language)

    def show_table(
        self, frame: pd.DataFrame, *, title: str, title_en: str | None = None, labels_en: dict | None = None
    ) -> None:
        """Show a table that is not published as a file (numbered with the chapter's tables).

        Its numbers must already be published ones (the chapter's own tables, or rows of them).
        """
        number = self._next_number("table")
        if self.language == "en":
            frame = english.translate_names(frame)
        if self.language != "zh" and labels_en:
            frame = frame.rename(columns=labels_en)
        self._show(frame, f"{number} {self._in_language(title, title_en, 'table title')}")

    def figure(
        self,
        fig,
        name: str,
        caption: str,
        *,
        caption_en: str | None = None,
        alt: str | None = None,
        alt_en: str | None = None,
    ) -> Path:
        """Save a figure (PNG + SVG in ``figures/``) and show it, numbered (图1-1 …), with its caption.

        ``caption_en`` is the caption in the English edition; ``alt`` and ``alt_en`` describe what the
        figure shows and its main finding, for readers who cannot see it (the page's ``<img alt>``;
        without one, the caption). In a demo edition the files carry the 示例数据 mark.
        """
        number = self._next_number("figure")
        shown_caption = self._in_language(caption, caption_en, "figure caption")
        shown_alt = alt if self.language == "zh" else alt_en
        mark = (DEMO_MARK if self.language == "zh" else DEMO_MARK_EN) if self.is_demo else None
        return output.show_figure(
            fig,
            name,
            f"{number} {shown_caption}",
            output_dir=self.output_dir,
            alt=shown_alt or shown_caption,
            language=self.language,
            mark=mark,
        )

    def path(self, *parts: str) -> Path:
        return self.output_dir.joinpath(*parts)

    @property
    def editors(self) -> Editorial:
        """The editors' text in the chapter's language (the English edition's comes from the folder's ``en/``)."""
        return self.editorial.in_language(self.language)

    def _no_english_editors_text(self, heading: str | None) -> None:
        """In English, where the editors wrote only Chinese: the heading and a short note instead of the text."""
        if heading:
            output.say(heading, heading, language=self.language)
        output.say("", NO_ENGLISH_EDITORS_TEXT, language=self.language)

    def editors_text(self, slot: str, *, heading: str | None = None, heading_en: str | None = None) -> bool:
        """Show the editors' Markdown of ``slot`` (safely rendered), under ``heading`` when given.

        An empty or unsupplied slot shows nothing (the build lists it). The English edition shows the
        slot's English text; a slot the editors filled in Chinese only shows a note instead.
        Returns whether text was shown.
        """
        text = self.editors.text(slot)
        if text is None:
            if self.language != "zh" and self.editorial.text(slot) is not None:
                self._no_english_editors_text(heading_en or heading)
            return False
        if heading:
            self.say(zh=heading, en=heading_en or heading)
        self.say(zh=text, en=text)
        return True

    def editors_cases(self, *, level: int = 2) -> int:
        """Show the editors' case studies, each under a heading of ``level``; returns how many.

        In English, cases written in Chinese only give a note instead.
        """
        cases = self.editors.cases
        for title, text in cases:
            self.say(zh=f"{'#' * level} 案例：{title}", en=f"{'#' * level} Case study: {title}")
            self.say(zh=text, en=text)
        if not cases and self.language != "zh" and self.editorial.cases:
            self._no_english_editors_text(f"{'#' * level} Case studies")
        return len(cases)

    def editors_table(self, key: str, *, heading: str | None = None, heading_en: str | None = None):
        """The editors' table ``key`` ({"chronicle", "policies"}) in the chapter's language, its heading shown;
        None when there is none (in English, a table given in Chinese only shows its heading and a note)."""
        table = self.editors.tables.get(key)
        if table is None:
            if self.language != "zh" and key in self.editorial.tables:
                self._no_english_editors_text(heading_en or heading)
            return None
        if heading:
            self.say(zh=heading, en=heading_en or heading)
        return table


def open_chapter(key: str, **parameters: Any) -> Chapter:
    """Validate a notebook's parameters and return its :class:`Chapter`.

    Parameters
    ----------
    key : {"01_general_report", "02_professional_development", "03_practice_and_cases", \
"04_district_development", "05_appendix"}
        The notebook's stem.
    **parameters
        The literals of the notebook's ``parameters`` cell (see :mod:`voldata.edition.parameters`).
    """
    if key not in CHAPTERS:
        raise ParameterError(f"unknown chapter {key!r}; the chapters are {list(CHAPTERS)}")
    resolved = validate_parameters(**parameters)
    chapter = Chapter(
        key=key,
        year=resolved["year"],
        store=resolved["store"],
        output_dir=resolved["output_dir"],
        language=resolved["language"],
        threshold=resolved["suppression_threshold"],
        population_path=resolved["population"],
        indicators_file=resolved["indicators_file"],
        options={k: v for k, v in resolved.items() if k not in COMMON},
        editorial=resolved["editorial"],
    )
    for folder in ("figures", "tables"):
        chapter.path(folder).mkdir(parents=True, exist_ok=True)
    return chapter
