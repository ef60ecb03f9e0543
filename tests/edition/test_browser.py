"""The edition as a reader sees it: every page of both languages opened in headless Chromium.

Chromium is driven through its DevTools protocol (a WebSocket, ``websocket-client``): each page
is loaded from disk, then checked for images that did not load, console errors (a blocked
resource, a script error, a Content-Security-Policy violation), internal links to files that do
not exist, its ``lang``, the order of its headings, and, on the Chinese pages, that the Chinese
text is drawn with a CJK font. A full-page screenshot of each is saved in
``reports/browser-check/<language>/`` for a person to look at.

Debian's ``chromium`` package provides the browser (``.ci/run`` installs it where it can);
without it the test is skipped and says so.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from voldata import paths
from voldata.edition.parameters import CHAPTERS

websocket = pytest.importorskip("websocket", reason="websocket-client (the dev extra) drives Chromium")

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason="Debian's chromium is not installed (/usr/bin/chromium); `apt-get install chromium` to run the "
        "browser check",
    ),
]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1200,900",
)
SCREENSHOTS = paths.REPORTS_DIR / "browser-check"
# Families that carry Chinese glyphs (the page's stack, or the system's fallback).
CJK_FONTS = ("CJK", "WenQuanYi", "Zen Hei", "Noto Sans SC", "Source Han", "PingFang", "YaHei")
PAGE_STATE = """JSON.stringify({
  lang: document.documentElement.lang,
  images: [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => Number(h.tagName[1])),
})"""


class Page:
    """One Chromium tab over the DevTools protocol: send commands, collect the events they cause."""

    def __init__(self, url: str):
        self.socket = websocket.create_connection(url, timeout=120, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        id = next(self.ids)
        self.socket.send(json.dumps({"id": id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.socket.recv()))

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(json.dumps(params.get("args"), ensure_ascii=False)[:300])
            elif method == "Runtime.exceptionThrown":
                found.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(params["entry"].get("text", "")[:300])
        return found


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """A headless Chromium with a DevTools port; yields the WebSocket URL of its first tab."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [str(CHROMIUM), *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 120
        while not port_file.is_file() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chromium did not start its DevTools endpoint")
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as response:
            tabs = [t for t in json.load(response) if t.get("type") == "page"]
        yield tabs[0]["webSocketDebuggerUrl"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _open(chromium: str, page_path: Path) -> tuple[Page, dict]:
    page = Page(chromium)
    for domain in ("Page", "Runtime", "Log", "DOM", "CSS"):
        page.send(f"{domain}.enable")
    page.events.clear()
    page.send("Page.navigate", url=page_path.as_uri())
    page.wait_for("Page.loadEventFired")
    state = json.loads(page.send("Runtime.evaluate", expression=PAGE_STATE, returnByValue=True)["result"]["value"])
    return page, state


def _fonts_of(page: Page, selector: str) -> list[str]:
    root = page.send("DOM.getDocument", depth=-1)["root"]["nodeId"]
    node = page.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    return [f["familyName"] for f in page.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]]


def _missing_links(page_path: Path, links: list[str]) -> list[str]:
    missing = []
    for href in links:
        parts = urlsplit(href)
        if parts.scheme or href.startswith("#"):
            continue
        target = (page_path.parent / unquote(parts.path)).resolve()
        if not target.exists():
            missing.append(href)
    return missing


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_renders_in_a_browser(built_edition, chromium, language):
    _, edition = built_edition
    folder = edition if language == "zh" else edition / "en"
    shots = SCREENSHOTS / language
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    for name in ["index", *CHAPTERS]:
        page_path = folder / f"{name}.html"
        page, state = _open(chromium, page_path)
        try:
            assert state["lang"] == {"zh": "zh-CN", "en": "en"}[language], name
            if name != "05_appendix":  # the appendix has tables only
                assert state["images"], f"{name}: no images"
            assert all(image["ok"] for image in state["images"]), f"{name}: an image did not load"
            assert all(image["alt"] for image in state["images"]), f"{name}: an image without alt text"
            assert not _missing_links(page_path, state["links"]), f"{name}: links to nothing"
            assert state["headings"][0] == 1, f"{name}: the first heading is not h1"
            skipped = [b for a, b in itertools.pairwise(state["headings"]) if b > a + 1]
            assert not skipped, f"{name}: a heading level is skipped ({state['headings']})"
            assert page.errors() == [], f"{name}: console errors"
            if language == "zh":
                fonts = _fonts_of(page, "main h1")
                assert any(cjk in family for family in fonts for cjk in CJK_FONTS), f"{name}: drawn with {fonts}"
            shot = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            (shots / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
        finally:
            page.socket.close()
    assert len(list(shots.glob("*.png"))) == len(CHAPTERS) + 1
