"""The HTML edition: one page per chapter plus an index, code-free and self-contained.

Chapter pages are the executed notebooks converted with nbconvert's
``HTMLExporter`` (input cells and prompts excluded; images are already
embedded as data URIs), wrapped in one page template with the edition's own
small stylesheet and navigation. Nothing is loaded from the network.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from voldata.demo import DEMO_MARK, DEMO_MARK_EN
from voldata.edition import english, text
from voldata.edition.output import MISSING_ENGLISH, read_figure_meta
from voldata.edition.parameters import CHAPTERS, CHAPTERS_EN
from voldata.indicators import REGISTRY

__all__ = [
    "chapter_fragment",
    "render_page",
    "render_chapter_page",
    "render_index",
    "HEADLINES",
    "STYLE",
    "CONTENT_SECURITY_POLICY",
]

# Indicators shown on the index page, in order: the 2020 report's highlights first.
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("reported_party_members", "在职党员到社区报到", "人"),
    ("party_service_teams", "党员志愿服务队", "支"),
    ("party_team_activities", "党员服务队开展活动", "场"),
    ("registered_volunteers", "注册志愿者", "人"),
    ("active_volunteers", "活跃志愿者", "人"),
    ("service_hours", "志愿服务时长", "小时"),
    ("contribution_value", "志愿服务贡献价值", "元"),
    ("digital_record_share", "数字化记录占比", "share"),
    ("social_work_activity_share", "社工参与活动占比", "share"),
    ("timebank_accounts", "时间银行开户数", "户"),
    ("young_old_active", "活跃初老志愿者", "人"),
    ("timebank_young_old_to_old_old_points", "时间银行初老服务老老积分", "积分"),
)

CHAPTER_BLURBS: dict[str, str] = {
    "01_general_report": (
        "规模与增长；党员作用、社区治理、数字化记录、社工+慈善+志愿服务、初老服务老老与时间银行；贡献价值。"
    ),
    "02_professional_development": (
        "队伍类型、服务领域与对象、星级志愿者、公民核心、激活与留存，以及三个统计模型的通俗解读。"
    ),
    "03_practice_and_cases": "在职党员报到、时间银行、初老服务老老、社工+慈善联动等项目案例，以及精选品牌项目。",
    "04_district_development": "11个区横向比较、分区地图与街道（镇）统计表（小数据单元已抑制）。",
    "05_appendix": "方法说明、数据质量报告、完整统计表、名词解释、人口与工资参考表、软件版本。",
}

STYLE = """
:root { --red: #C8102E; --ink: #222; --muted: #666; --line: #e3e3e3; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fafafa;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  line-height: 1.75; }
header.edition { background: var(--red); color: #fff; padding: 1.2rem 2rem; }
header.edition a { color: #fff; text-decoration: none; }
header.edition .edition-title { margin: 0; font-size: 1.5rem; font-weight: bold; }
nav.chapters { background: #fff; border-bottom: 1px solid var(--line); padding: .5rem 2rem;
  position: sticky; top: 0; z-index: 2; }
nav.chapters a { margin-right: 1.2rem; color: var(--ink); text-decoration: none; white-space: nowrap; }
nav.chapters a.current { color: var(--red); font-weight: bold; border-bottom: 2px solid var(--red); }
main { max-width: 980px; margin: 0 auto; padding: 1.5rem 2rem 3rem; background: #fff; }
.demo-banner { background: #fff3cd; border: 1px solid #e0b84c; padding: .6rem 1rem; margin: 1rem 0; font-weight: bold; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; white-space: nowrap; }
blockquote { border-left: 4px solid var(--red); margin: 1rem 0; padding: .3rem 1rem; background: #fdf2f3; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: .8rem; margin: 1rem 0 2rem; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--red); padding: .7rem .9rem; background: #fff; }
.card .value { font-size: 1.6rem; font-weight: bold; color: var(--red); }
.card .label { color: var(--muted); font-size: .9rem; }
.card .growth { color: var(--muted); font-size: .8rem; }
ol.toc li { margin: .6rem 0; }
ol.toc .blurb { color: var(--muted); font-size: .9rem; display: block; }
.pager { display: flex; justify-content: space-between; margin-top: 3rem; border-top: 1px solid var(--line);
  padding-top: 1rem; }
footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 1rem; }
.caption { margin-bottom: .2rem; }
.anchor-link { display: none; }
h1 { color: var(--red); }
"""


# No script at all, nothing from another site: images are the page's own data URIs, styles its own.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)


def chapter_fragment(notebook: str | Path, *, language: str = "zh") -> str:
    """The body HTML of an executed notebook without code, prompts or stderr output.

    In the English edition a Markdown cell shows its English text (the cell's metadata
    ``voldata.en``); a cell without one is left out, with a note saying so.
    """
    node = nbformat.read(str(notebook), as_version=4)
    for cell in node.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        elif cell.cell_type == "markdown" and language != "zh":
            english = cell.get("metadata", {}).get("voldata", {}).get(language)
            cell.source = english if english else MISSING_ENGLISH
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(node)
    return body


#: Words of the page furniture, by language.
WORDS = {
    "zh": {"contents": "目录", "edition": "广州市社区志愿服务发展报告（{year}）", "switch": "English"},
    "en": {
        "contents": "Contents",
        "edition": "Guangzhou Community Volunteer Service Development Report ({year})",
        "switch": "中文",
    },
}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _titles(language: str) -> dict[str, str]:
    return CHAPTERS if language == "zh" else CHAPTERS_EN


def _nav(current: str | None, *, language: str = "zh", languages: Sequence[str] = ("zh",)) -> str:
    words = WORDS[language]
    links = [f'<a href="index.html"{" class=current" if current is None else ""}>{words["contents"]}</a>']
    for key, title in _titles(language).items():
        cls = ' class="current"' if key == current else ""
        links.append(f'<a href="{key}.html"{cls}>{html.escape(title)}</a>')
    other = [lang for lang in languages if lang != language]
    if other:
        page = f"{current}.html" if current else "index.html"
        href = f"{other[0]}/{page}" if language == "zh" else f"../{page}"
        links.append(
            f'<a class="language" href="{href}" hreflang="{HTML_LANG[other[0]]}" lang="{HTML_LANG[other[0]]}">'
            f"{words['switch']}</a>"
        )
    return '<nav class="chapters">' + "".join(links) + "</nav>"


def render_page(
    *,
    title: str,
    body: str,
    year: int,
    demo: bool,
    current: str | None,
    language: str = "zh",
    languages: Sequence[str] = ("zh",),
) -> str:
    """One complete page of the edition (header, navigation, optional demo banner, body) in ``language``.

    ``languages`` are the edition's languages: each page links to the same page in the other one.
    """
    edition = WORDS[language]["edition"].format(year=year)
    mark = DEMO_MARK if language == "zh" else DEMO_MARK_EN
    notice = (
        "本版由演示数据生成，数字不代表真实情况。"
        if language == "zh"
        else ("this edition was generated from demo data; the numbers are not real.")
    )
    separator = "：" if language == "zh" else ": "
    banner = f'<div class="demo-banner">{mark}{separator}{notice}</div>' if demo else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{HTML_LANG[language]}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · {html.escape(edition)}</title><style>{STYLE}</style></head><body>"
        f'<header class="edition"><p class="edition-title"><a href="index.html">{html.escape(edition)}</a></p>'
        f"{'<div>' + mark + '</div>' if demo else ''}</header>"
        f"{_nav(current, language=language, languages=languages)}<main>{banner}{body}</main>"
        f"<footer>{html.escape(edition)} · voldata</footer></body></html>\n"
    )


def render_chapter_page(
    notebook: str | Path,
    *,
    key: str,
    year: int,
    demo: bool,
    language: str = "zh",
    languages: Sequence[str] = ("zh",),
) -> str:
    """A chapter's page: its notebook's outputs plus links to the previous and next chapters."""
    titles = _titles(language)
    contents = WORDS[language]["contents"]
    keys = list(titles)
    position = keys.index(key)
    previous = (
        f'<a href="{keys[position - 1]}.html">← {html.escape(titles[keys[position - 1]])}</a>'
        if position
        else f'<a href="index.html">← {contents}</a>'
    )
    following = (
        f'<a href="{keys[position + 1]}.html">{html.escape(titles[keys[position + 1]])} →</a>'
        if position + 1 < len(keys)
        else f'<a href="index.html">{contents} →</a>'
    )
    body = chapter_fragment(notebook, language=language) + f'<div class="pager">{previous}{following}</div>'
    return render_page(
        title=titles[key], body=body, year=year, demo=demo, current=key, language=language, languages=languages
    )


CHAPTER_BLURBS_EN: dict[str, str] = {
    "01_general_report": (
        "Scale and growth; party members, community governance, digital records, social work + charity + "
        "volunteering, the young-old serving the old-old and the time bank; the value of volunteering."
    ),
    "02_professional_development": (
        "Team types, service areas and groups served, star volunteers, the civic core, activation and retention, "
        "and three statistical models read in plain language."
    ),
    "03_practice_and_cases": (
        "Cases: party members reporting to communities, the time bank, the young-old serving the old-old, "
        "social work and charity, and featured projects."
    ),
    "04_district_development": (
        "The 11 districts compared, a district map and street (town) tables (small cells suppressed)."
    ),
    "05_appendix": ("Methods, data quality, full tables, glossary, population and wage references, software versions."),
}
#: The index's two headline figures: file stem, then the caption by language (the figure's own alt text,
#: written where it is computed, is read from ``figures/.meta``).
HEADLINE_FIGURES = (
    ("01_growth", {"zh": "注册志愿者与服务时长的年度变化", "en": "Registered volunteers and service hours by year"}),
    (
        "04_map_per_10k",
        {"zh": "各区每万常住人口注册志愿者数", "en": "Registered volunteers per 10,000 residents by district"},
    ),
)


def headline_figures(folder: Path, language: str) -> list[tuple[Path, str, str]]:
    """The index's figures of one language's folder: (PNG, caption, alt text)."""
    found = []
    for stem, captions in HEADLINE_FIGURES:
        meta = read_figure_meta(folder / "figures").get(stem, {})
        found.append((folder / "figures" / f"{stem}.png", captions[language], meta.get("alt") or captions[language]))
    return found


def _headline_value(value: object, unit: str, language: str = "zh") -> str:
    if language == "en":
        if unit == "share":
            return english.share(value)
        if unit == "元":
            return english.money(value)
        return english.count(value, unit=english.unit(unit))
    if unit == "share":
        return text.share(value)
    if unit == "元":
        return text.money(value)
    if unit == "小时":
        return text.hours(value)
    return text.count(value, unit=unit)


def render_index(
    *,
    year: int,
    indicators: Mapping[str, object],
    figures: Sequence[tuple[Path, str, str]],
    demo: bool,
    population_source: str,
    language: str = "zh",
    languages: Sequence[str] = ("zh",),
) -> str:
    """The edition's front page in ``language``: headline numbers, headline figures (embedded), contents.

    ``figures`` are (PNG, caption, alt text); a missing file is left out.
    """
    zh = language == "zh"
    cards = []
    for key, label, unit in HEADLINES:
        growth = indicators.get(f"{key}_yoy")
        if not zh:
            label = REGISTRY[key].name_en if key in REGISTRY else label
        if text.is_missing(growth):
            growth_text = ""
        else:
            words = text.versus_last_year(growth) if zh else english.versus_last_year(growth)
            growth_text = f'<div class="growth">{html.escape(words)}</div>'
        cards.append(
            f'<div class="card"><div class="value">{html.escape(_headline_value(indicators.get(key), unit, language))}'
            f'</div><div class="label">{html.escape(label)}</div>{growth_text}</div>'
        )
    images = []
    for path, caption, alt in figures:
        if Path(path).is_file():
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            images.append(
                f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
    blurbs = CHAPTER_BLURBS if zh else CHAPTER_BLURBS_EN
    toc = "".join(
        f'<li><a href="{key}.html"><strong>{html.escape(title)}</strong></a>'
        f'<span class="blurb">{html.escape(blurbs[key])}</span></li>'
        for key, title in _titles(language).items()
    )
    up = "" if zh else "../"  # the edition-wide files sit in the Chinese (top) folder
    opendata = f"{up}opendata/"
    if zh:
        files = (
            f'<li>统计表：<a href="tables/voldata_{year}_tables.xlsx">Excel 工作簿</a>（每表一页）及 '
            '<a href="tables/">CSV 文件</a>；区以下的表已做小数据单元抑制</li>'
            f'<li>开放数据：<a href="{opendata}">长表 CSV、数据字典与 datapackage.json</a>'
            "（许可见其中的 LICENSE.md）</li>"
            f'<li><a href="{up}indicators.json">indicators.json</a>：全市指标</li>'
            f'<li><a href="{up}manifest.json">manifest.json</a>：参数、输入文件校验值、软件版本</li>'
            f"<li>人口数据：{html.escape(text.source_name(population_source))}</li>"
        )
        headings = (f"广州市社区志愿服务发展报告（{year}）", f"{year}年度要点", "目录", "数据与文件")
    else:
        files = (
            f'<li>Tables: <a href="tables/voldata_{year}_tables.xlsx">Excel workbook</a> (a sheet per table) and '
            '<a href="tables/">CSV files</a>; tables below city level have small cells suppressed</li>'
            f'<li>Open data: <a href="{opendata}">long CSV tables, data dictionary and datapackage.json</a> '
            "(licence in its LICENSE.md)</li>"
            f'<li><a href="{up}indicators.json">indicators.json</a>: the city indicators</li>'
            f'<li><a href="{up}manifest.json">manifest.json</a>: parameters, input checksums, software versions</li>'
            f"<li>Population: {html.escape(text.source_name(population_source, language='en'))}</li>"
        )
        headings = (
            f"Guangzhou Community Volunteer Service Development Report ({year})",
            f"Highlights of {year}",
            "Contents",
            "Data and files",
        )
    body = (
        f"<h1>{html.escape(headings[0])}</h1>"
        f'<h2>{html.escape(headings[1])}</h2><div class="cards">{"".join(cards)}</div>'
        f"{''.join(images)}"
        f'<h2>{headings[2]}</h2><ol class="toc">{toc}</ol>'
        f"<h2>{headings[3]}</h2><ul>{files}</ul>"
    )
    return render_page(
        title=WORDS[language]["contents"],
        body=body,
        year=year,
        demo=demo,
        current=None,
        language=language,
        languages=languages,
    )
