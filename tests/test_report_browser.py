"""The HTML report in a real browser: Debian's chromium, headless, offline.

The page of a hand-built session (``test_html_report.session``) is opened from a file; every
request the page makes is recorded, and anything but the page itself is refused. The charts must be
there, visible, of a real size, and drawn: a screenshot with many colours, and in each chart the
colours of what it draws.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from helpers import chromium
from matplotlib.image import imread
from playwright.sync_api import Browser, Page, Route
from test_html_report import page_of, session

VIEWPORT = {"width": 1200, "height": 900}
CHARTS = ("ds-chart-0-timeline", "ds-chart-0-open", "ds-chart-0-availability")
#: The colours each chart must show (those of html_report: open bar, focus, AVAILABLE...).
OPEN, FOCUS = (0xC8, 0xCC, 0xD2), (0x5B, 0x64, 0x70)
LINE, AVAILABLE, UNAVAILABLE = (0x1F, 0x77, 0xB4), (0x2C, 0xA0, 0x2C), (0xB0, 0xB0, 0xB0)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser of Playwright's own)."""
    with chromium() as launched:
        yield launched


def pixels(png: bytes) -> npt.NDArray[np.uint8]:
    """A PNG screenshot as rows of RGB bytes."""
    image = imread(io.BytesIO(png), format="png")
    return np.round(image[..., :3] * 255).astype(np.uint8)


def colours(image: npt.NDArray[np.uint8]) -> set[tuple[int, int, int]]:
    return {(int(r), int(g), int(b)) for r, g, b in image.reshape(-1, 3)}


@pytest.fixture
def opened(browser: Browser, tmp_path: Path) -> Iterator[tuple[Page, list[str], list[str]]]:
    """The report opened from a file; every request made, and every console message."""
    report = tmp_path / "report.html"
    report.write_text(page_of(session()), encoding="utf-8")
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = context.new_page()
    requests: list[str] = []
    console: list[str] = []

    def only_the_page(route: Route) -> None:
        if route.request.url == report.as_uri():
            route.continue_()
        else:
            route.abort()

    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.route("**/*", only_the_page)
    page.goto(report.as_uri(), wait_until="load")
    yield page, requests, console
    context.close()


def test_the_report_makes_no_request_but_for_itself(
    opened: tuple[Page, list[str], list[str]], tmp_path: Path
) -> None:
    """The only request is the page's own file: no script, style, font or image fetched."""
    page, requests, console = opened
    page.wait_for_load_state("networkidle")
    assert requests == [(tmp_path / "report.html").as_uri()]
    assert console == []  # nor a fetch the page's policy refused


def test_each_chart_is_there_visible_and_sized(opened: tuple[Page, list[str], list[str]]) -> None:
    """Each chart's SVG element is visible with a box of real size; bars and ticks in it."""
    page, _, _ = opened
    for chart in CHARTS:
        element = page.locator(f"svg#{chart}")
        assert element.count() == 1
        assert element.is_visible()
        box = element.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, chart
    # Drawn shapes of the timeline (paths or uses outside defs), as counted by hand.
    drawn = "path:not(defs *), use:not(defs *)"
    assert page.locator(f'[id="ds-open-0-c1"] >> {drawn}').count() == 2
    assert page.locator(f'[id="ds-msg-0-c1"] >> {drawn}').count() == 2
    assert page.locator(f'[id="ds-focus-0-c1"] >> {drawn}').count() == 1


def test_the_screenshot_is_not_blank_and_each_chart_shows_its_colours(
    opened: tuple[Page, list[str], list[str]],
) -> None:
    """The page has many colours; each chart the colours of what it draws, not one plain fill."""
    page, _, _ = opened
    whole = pixels(page.screenshot(full_page=True))
    assert len(colours(whole)) > 50
    assert float(whole.std()) > 10
    expected = {
        "ds-chart-0-timeline": {OPEN, FOCUS},
        "ds-chart-0-open": {LINE},
        "ds-chart-0-availability": {AVAILABLE, UNAVAILABLE},
    }
    for chart, shown in expected.items():
        image = pixels(page.locator(f"svg#{chart}").screenshot())
        assert float(image.std()) > 10, chart
        assert shown <= colours(image), chart
