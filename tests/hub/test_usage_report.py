"""The usage report: signed in as a manager or IT, every chart beside its data table, CSV
and a PDF whose every chart page renders (pdftoppm), and no console errors in Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from hub.app import create_app
from hub.passwords import Passwords
from hub.settings import HubSettings
from hub.usage.demo_cli import load_demo
from tests.browser import running_chromium
from tests.hub.appointment_helpers import serving
from tests.hub.fleet_helpers import registered
from tests.hub.helpers import PASSWORD, add_account, sign_in
from tests.needs import require_or_skip

HTML = {"Accept": "text/html"}
SECTIONS = ("outcomes", "funnel", "access", "satisfaction", "avoidable", "hours", "sites", "services")


@pytest.fixture
def with_demo(app: FastAPI) -> FastAPI:
    load_demo(app.state.hub.engine, 40, 3, date(2026, 3, 1), ZoneInfo("Europe/London"))
    return app


@pytest.fixture
def manager(with_demo: FastAPI, browser: TestClient) -> TestClient:
    add_account(with_demo, "meg", "manager")
    sign_in(browser, "meg")
    return browser


def test_strangers_are_sent_to_sign_in(browser: TestClient) -> None:
    page = browser.get("/report", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert browser.get("/report.csv").status_code == 401


@pytest.mark.parametrize("role", ["staff", "advisor"])
def test_other_roles_may_not_see_the_report(with_demo: FastAPI, browser: TestClient, role: str) -> None:
    add_account(with_demo, "sam", role)
    sign_in(browser, "sam")
    assert browser.get("/report", headers=HTML).status_code == 403
    assert browser.get("/report.pdf").status_code == 403


def test_an_empty_hub_says_how_to_fill_it(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "meg", "manager")
    sign_in(browser, "meg")
    page = browser.get("/report")
    assert page.status_code == 200
    assert "kiosk-hub demo-events" in page.text


def test_every_chart_has_its_table_beside_it(manager: TestClient) -> None:
    page = manager.get("/report?service=missed-bin&from=2026-01&to=2026-02")
    assert page.status_code == 200, page.text
    text = page.text
    for section in SECTIONS:
        assert f'id="chart-{section}" src="data:image/svg+xml;base64,' in text, section
        table = text.split(f'id="table-{section}"')[1].split("</table>")[0]
        assert "<caption>" in table
        assert '<th scope="col">' in table
        assert '<th scope="row">' in table
    assert "Completion rate" in text
    assert "User satisfaction" in text
    assert "Digital take-up" in text
    assert "Cost per transaction" in text
    assert "img-src data:" in page.headers["content-security-policy"]
    assert "<script" not in text


def test_it_sees_a_terminal_from_the_fleet(with_demo: FastAPI, browser: TestClient) -> None:
    registered(with_demo.state.hub.sessions, "demo-library-1")
    add_account(with_demo, "ivy", "it")
    sign_in(browser, "ivy")
    fleet = browser.get("/fleet/demo-library-1")
    assert '<a href="/report?terminal=demo-library-1">' in fleet.text
    report = browser.get("/report?terminal=demo-library-1")
    assert report.status_code == 200
    assert "terminal demo-library-1" in report.text


def test_the_csv_has_the_figures_of_the_filter(manager: TestClient) -> None:
    answer = manager.get("/report.csv?site=town-hall")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.splitlines()
    assert lines[0].startswith("report,")
    assert "site town-hall" in lines[0]
    assert any(line.startswith("key figures,Visits,value,") for line in lines)
    assert any(line.startswith("Busiest hours by weekday,Monday,") for line in lines)


def test_the_pdf_renders_with_every_chart(manager: TestClient, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    require_or_skip(pdftoppm is not None, "pdftoppm is not installed (script/bootstrap --test "
                    "installs poppler-utils)")
    assert pdftoppm is not None
    answer = manager.get("/report.pdf?service=missed-bin&from=2026-02&to=2026-02")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(answer.content)
    subprocess.run([pdftoppm, "-png", "-r", "40", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 1 + len(SECTIONS)  # the title page, then a page per chart
    for page in pages:
        with Image.open(page) as image:
            grey = image.convert("L")
            width, height = grey.size
            assert width > 100
            assert height > 100
            top = grey.crop((0, int(height * 0.08), width, int(height * 0.55)))
            assert top.getextrema()[0] < 128, f"{page.name}: nothing drawn where the chart goes"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}", secure_cookies=False)
    app = create_app(settings, passwords=Passwords.cheap_for_tests())
    load_demo(app.state.hub.engine, 30, 4, date(2026, 3, 1), ZoneInfo("Europe/London"))
    add_account(app, "meg", "manager")
    with serving(app) as url:
        yield url, app


def test_the_page_has_no_console_errors_in_chromium(served: tuple[str, FastAPI],
                                                    tmp_path: Path) -> None:
    url, _ = served
    with running_chromium(tmp_path) as browser:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
                else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{url}/sign-in?next=/report")
        page.fill("#name", "meg")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/report")
        page.select_option("#service", "missed-bin")
        page.click("form.report-filter button")
        page.wait_for_url("**/report?*service=missed-bin*")
        page.wait_for_load_state("load")
        charts = page.locator("img.report-chart")
        assert charts.count() == len(SECTIONS)
        for index in range(charts.count()):
            width = charts.nth(index).evaluate("img => img.naturalWidth")
            assert width > 0, f"chart {index} did not load"
        assert problems == []
