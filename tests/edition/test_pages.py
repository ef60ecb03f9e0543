"""The pages' furniture: language, the switch between languages, headings, text contrast (WCAG AA)."""

import re

import pytest

from voldata.edition import html


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(ch * 2 for ch in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two colours."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_on_known_pairs():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)  # just below AA


def _variables() -> dict[str, str]:
    return dict(re.findall(r"--([a-z]+): (#[0-9A-Fa-f]{3,6})", html.STYLE))


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("ink", "#fff"),  # body text on the page
        ("muted", "#fff"),  # blurbs, card labels
        ("muted", "#fafafa"),  # the footer, on the body's background
        ("red", "#fff"),  # headings, card values, current chapter
        ("#fff", "red"),  # the header
        ("ink", "#fff3cd"),  # the demo banner
        ("ink", "#fdf2f3"),  # quotes
        ("ink", "#f3f3f3"),  # table headers
    ],
)
def test_text_colours_pass_wcag_aa(foreground, background):
    variables = _variables()
    ratio = contrast(variables.get(foreground, foreground), variables.get(background, background))
    assert ratio >= 4.5, (foreground, background, round(ratio, 2))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_pages_say_their_language_and_link_to_the_other(language):
    page = html.render_page(
        title="t",
        body="<h1>t</h1>",
        year=2020,
        demo=True,
        current="01_general_report",
        language=language,
        languages=("zh", "en"),
    )
    assert f'<html lang="{html.HTML_LANG[language]}">' in page
    other = 'href="en/01_general_report.html"' if language == "zh" else 'href="../01_general_report.html"'
    assert other in page
    assert ("示例数据" if language == "zh" else "Demo data") in page
    assert "<h1" not in page.split("<main>")[0]  # the page's one h1 is its title in the body


def test_a_single_language_edition_has_no_switch():
    page = html.render_page(title="t", body="", year=2020, demo=False, current=None)
    assert 'class="language"' not in page and 'lang="zh-CN"' in page
