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

from voldata.demo import DEMO_MARK
from voldata.edition import text
from voldata.edition.parameters import CHAPTERS

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


def chapter_fragment(notebook: str | Path) -> str:
    """The body HTML of an executed notebook without code, prompts or stderr output."""
    node = nbformat.read(str(notebook), as_version=4)
    for cell in node.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(node)
    return body


def _nav(current: str | None) -> str:
    links = [f'<a href="index.html"{" class=current" if current is None else ""}>目录</a>']
    for key, title in CHAPTERS.items():
        cls = ' class="current"' if key == current else ""
        links.append(f'<a href="{key}.html"{cls}>{html.escape(title)}</a>')
    return '<nav class="chapters">' + "".join(links) + "</nav>"


def render_page(*, title: str, body: str, year: int, demo: bool, current: str | None) -> str:
    """One complete page of the edition (header, navigation, optional 示例数据 banner, body)."""
    edition = f"广州市社区志愿服务发展报告（{year}）"
    banner = f'<div class="demo-banner">{DEMO_MARK}：本版由演示数据生成，数字不代表真实情况。</div>' if demo else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · {html.escape(edition)}</title><style>{STYLE}</style></head><body>"
        f'<header class="edition"><p class="edition-title"><a href="index.html">{html.escape(edition)}</a></p>'
        f"{'<div>' + DEMO_MARK + '</div>' if demo else ''}</header>"
        f"{_nav(current)}<main>{banner}{body}</main>"
        f"<footer>{html.escape(edition)} · voldata</footer></body></html>\n"
    )


def render_chapter_page(notebook: str | Path, *, key: str, year: int, demo: bool) -> str:
    """A chapter's page: its notebook's outputs plus links to the previous and next chapters."""
    keys = list(CHAPTERS)
    position = keys.index(key)
    previous = (
        f'<a href="{keys[position - 1]}.html">← {CHAPTERS[keys[position - 1]]}</a>'
        if position
        else '<a href="index.html">← 目录</a>'
    )
    following = (
        f'<a href="{keys[position + 1]}.html">{CHAPTERS[keys[position + 1]]} →</a>'
        if position + 1 < len(keys)
        else '<a href="index.html">目录 →</a>'
    )
    body = chapter_fragment(notebook) + f'<div class="pager">{previous}{following}</div>'
    return render_page(title=CHAPTERS[key], body=body, year=year, demo=demo, current=key)


def _headline_value(value: object, unit: str) -> str:
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
    figures: Sequence[tuple[Path, str]],
    demo: bool,
    population_source: str,
) -> str:
    """The edition's front page: headline numbers, headline figures (embedded), table of contents."""
    cards = []
    for key, label, unit in HEADLINES:
        growth = indicators.get(f"{key}_yoy")
        growth_text = "" if text.is_missing(growth) else f'<div class="growth">{text.versus_last_year(growth)}</div>'
        cards.append(
            f'<div class="card"><div class="value">{_headline_value(indicators.get(key), unit)}</div>'
            f'<div class="label">{html.escape(label)}</div>{growth_text}</div>'
        )
    images = []
    for path, caption in figures:
        if Path(path).is_file():
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            images.append(
                f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
    toc = "".join(
        f'<li><a href="{key}.html"><strong>{html.escape(title)}</strong></a>'
        f'<span class="blurb">{html.escape(CHAPTER_BLURBS[key])}</span></li>'
        for key, title in CHAPTERS.items()
    )
    body = (
        f"<h1>广州市社区志愿服务发展报告（{year}）</h1>"
        f'<h2>{year}年度要点</h2><div class="cards">{"".join(cards)}</div>'
        f"{''.join(images)}"
        f'<h2>目录</h2><ol class="toc">{toc}</ol>'
        "<h2>数据与文件</h2><ul>"
        f'<li>统计表：<a href="tables/voldata_{year}_tables.xlsx">Excel 工作簿</a>（每表一页）及 '
        '<a href="tables/">CSV 文件</a>；区以下的表已做小数据单元抑制</li>'
        '<li><a href="indicators.json">indicators.json</a>：全市指标</li>'
        '<li><a href="manifest.json">manifest.json</a>：参数、输入文件校验值、软件版本</li>'
        f"<li>人口数据：{html.escape(text.source_name(population_source))}</li></ul>"
    )
    return render_page(title="目录", body=body, year=year, demo=demo, current=None)
