"""The dashboard in headless Chromium: log in, read the map and timeline, filter, open an
incident, edit it as an analyst and see the edit in its history; a viewer cannot edit; a
hostile report renders as text. Screenshots go to out/e2e/ (map, timeline, incident,
dashboard) for a person to look at.

The `context` fixture fails a test whose pages log a console error, throw, fail a request or
ask any host but 127.0.0.1 for anything.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from .conftest import PASSWORDS, XSS_DOCUMENT, XSS_IMG, XSS_OUTLET, XSS_SCRIPT, Traffic

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install '.[dev]'"
)
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def log_in(page: Page, role: str, start: str = "/") -> None:
    """Open `start`, be sent to the login form, log in as the user named `role`, and come
    back to `start`."""
    page.goto(start)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    form = page.locator("#login-form")
    form.locator("input[name=username]").fill(role)
    form.locator("input[name=password]").fill(PASSWORDS[role])
    form.locator("button[type=submit]").click()
    expect(page.locator("#whoami")).to_have_text(f"{role} ({role})")
    assert page.url.endswith(start)


def incident_rows(page: Page) -> list[dict[str, str]]:
    """The dashboard's incident list: date, type, place, blamed, killed and the link."""
    rows: list[dict[str, str]] = page.locator("#incident-list tbody tr").evaluate_all(
        """rows => rows.map(row => {
            const cells = [...row.cells].map(cell => cell.textContent.trim());
            return {date: cells[0], type: cells[1], place: cells[2], blamed: cells[3],
                    killed: cells[4], href: row.querySelector("a").getAttribute("href")};
        })"""
    )
    return rows


def incident_link(page: Page, type_: str, place: str) -> str:
    """The incident page of the one listed incident of this type at this place."""
    found = [r["href"] for r in incident_rows(page) if r["type"] == type_ and r["place"] == place]
    assert len(found) == 1, (type_, place, incident_rows(page))
    return found[0]


def no_script_ran(page: Page) -> None:
    assert page.evaluate("() => typeof window.__xss") == "undefined"


# --- (a) log in, map and timeline ------------------------------------------------------------


def test_analyst_logs_in_and_sees_map_and_timeline(page: Page, artifacts: Path) -> None:
    log_in(page, "analyst")
    expect(page).to_have_title("Dashboard · trucewatch")
    rows = incident_rows(page)
    assert len(rows) >= 9
    circles = page.locator("#incident-map circle.incident")
    assert circles.count() >= 5
    expect(page.locator("#incident-map")).to_have_attribute(
        "aria-label", f"Map of {circles.count()} incidents"
    )
    expect(page.locator("#incident-map path.country").first).to_be_attached()
    bars = page.locator("#timeline g.bars rect")
    assert bars.count() >= 1
    assert page.locator("#blame-matrix tbody tr").count() >= 1
    # every circle links to an incident the list shows
    hrefs = page.locator("#incident-map a").evaluate_all("as => as.map(a => a.href.baseVal)")
    assert len(hrefs) == circles.count()
    assert set(hrefs) <= {r["href"] for r in rows}

    page.locator("#incident-map").screenshot(path=artifacts / "map.png")
    page.locator("#timeline").screenshot(path=artifacts / "timeline.png")
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)


# --- (b) filters -----------------------------------------------------------------------------


def assert_only_shelling(page: Page, everything: list[dict[str, str]]) -> None:
    rows = incident_rows(page)
    expected = [r for r in everything if r["type"] == "shelling"]
    assert 0 < len(rows) < len(everything)
    assert sorted(r["href"] for r in rows) == sorted(r["href"] for r in expected)
    assert {r["place"] for r in rows} >= {"Avdiivka", "Mendhar"}
    expect(page.locator("#incident-map circle.incident")).to_have_count(len(rows))
    expect(page.locator("#incident-map circle.incident[data-type=shelling]")).to_have_count(
        len(rows)
    )


def test_filter_form_narrows_list_and_map(page: Page, traffic: Traffic) -> None:
    log_in(page, "analyst")
    everything = incident_rows(page)
    page.locator("#filters select[name=type]").select_option("shelling")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_load_state()
    problems = traffic.take()  # judged here, so that the known bug can be marked
    expect(page.locator("#incident-list")).to_be_visible(timeout=3000)
    assert not problems, "\n".join(problems)
    assert_only_shelling(page, everything)
    expect(page.locator("#filters select[name=type]")).to_have_value("shelling")


def test_filters_in_the_address_narrow_list_and_map(page: Page) -> None:
    """What the filter form would send, without its empty fields."""
    log_in(page, "analyst")
    everything = incident_rows(page)
    page.goto("/?type=shelling")
    assert_only_shelling(page, everything)
    expect(page.locator("#filters select[name=type]")).to_have_value("shelling")

    page.goto("/?since=2022-01-01")
    rows = incident_rows(page)
    expected = [r for r in everything if r["date"] >= "2022-01-01"]
    assert 0 < len(rows) < len(everything)
    assert sorted(r["href"] for r in rows) == sorted(r["href"] for r in expected)
    assert {r["place"] for r in rows} >= {"Saribaba", "Khan Younis"}
    expect(page.locator("#filters input[name=since]")).to_have_value("2022-01-01")
    hrefs = page.locator("#incident-map a").evaluate_all("as => as.map(a => a.href.baseVal)")
    assert 0 < len(hrefs) <= len(rows)  # incidents without a known place are not drawn
    assert set(hrefs) <= {r["href"] for r in rows}


# --- (c) an incident: claims side by side, evidence marked -----------------------------------


def test_map_circle_opens_its_incident(page: Page) -> None:
    log_in(page, "analyst")
    href = incident_link(page, "shelling", "Avdiivka")
    page.locator(f'#incident-map a[href="{href}"]').click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("#incident-title")).to_contain_text("Shelling at Avdiivka")
    expect(page.locator(".minimap #incident-map circle.incident")).to_have_count(1)
    # two English outlets and the Ukrainian report of the same shelling (samples/reports-ru-uk)
    expect(page.locator("#claims .claim.asserts")).to_have_count(3)
    expect(page.locator("#claims .column").nth(1)).to_contain_text("No denial.")


def test_incident_shows_claims_side_by_side(page: Page, artifacts: Path) -> None:
    log_in(page, "analyst")
    href = incident_link(page, "drone strike", "Saribaba")
    page.locator(f'#incident-list a[href="{href}"]').click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("#incident-title")).to_contain_text("Drone strike at Saribaba")

    reporting, denying = page.locator("#claims .column").all()
    expect(reporting.locator(".claim.asserts").first).to_be_visible()
    expect(denying.locator(".claim.denies")).to_have_count(1)
    expect(denying.locator(".claim.denies .claimant")).to_have_text("Azerbaijan")
    left, right = reporting.bounding_box(), denying.bounding_box()
    assert left is not None
    assert right is not None
    assert right["x"] >= left["x"] + left["width"] - 1  # side by side, not stacked
    assert abs(right["y"] - left["y"]) < 2

    # each claim's evidence is marked in its source's text, and the claim links to it
    marks = page.locator("#sources .source-text mark")
    assert marks.count() >= 2
    first_claim = page.locator("#claims .claim").first
    target = first_claim.locator("a", has_text="in the source").get_attribute("href")
    assert target is not None
    assert target.startswith("#ev-")
    mark = page.locator(f'mark[id="{target[1:]}"]')
    expect(mark).to_be_visible()
    evidence = first_claim.locator("blockquote.evidence").all_text_contents()
    assert mark.text_content() in evidence
    page.screenshot(path=artifacts / "incident.png", full_page=True)


# --- (d) an analyst edits a field ------------------------------------------------------------


def test_analyst_edit_is_shown_and_in_the_history(page: Page) -> None:
    log_in(page, "analyst")
    page.goto(incident_link(page, "shelling", "Mendhar"))
    version = int(page.locator("#incident-version").inner_text())
    expect(page.locator("#fact-killed")).not_to_contain_text("set by analyst")
    expect(page.locator("#history")).to_contain_text("No review yet.")

    form = page.locator("#edit-form")
    form.locator("input[name=killed]").fill("3")
    form.locator("input[name=comment]").fill("two more in the hospital report")
    form.locator("#save-edit").click()

    expect(page).to_have_url(re.compile(r"/incidents/inc-[^/#]+#history$"))
    expect(page.locator("#fact-killed")).to_have_text(re.compile(r"^3\b.*set by analyst"))
    expect(page.locator("#incident-version")).to_have_text(str(version + 1))
    edits = page.locator("#history-table tbody tr").filter(
        has=page.locator("td:nth-child(3)", has_text=re.compile(r"^edit$"))
    )
    expect(edits).to_have_count(1)
    cells = edits.locator("td")
    expect(cells.nth(1)).to_have_text("analyst")
    expect(cells.nth(4)).to_contain_text('"best": 3')
    expect(cells.nth(5)).to_have_text("two more in the hospital report")
    # the form now offers to undo the override, and holds the new version
    expect(form.locator("input[name=clear_killed]")).to_have_count(1)
    expect(form.locator("input[name=version]")).to_have_value(str(version + 1))


# --- (e) a viewer cannot edit ----------------------------------------------------------------


def test_viewer_sees_no_review_form_and_cannot_post_one(page: Page, traffic: Traffic) -> None:
    log_in(page, "viewer")
    expect(page.locator("header nav")).not_to_contain_text("Review queue")
    href = incident_link(page, "drone strike", "Khan Younis")
    page.goto(href)
    expect(page.locator("#incident-title")).to_contain_text("Khan Younis")
    expect(page.locator("#review")).to_have_count(0)
    expect(page.locator("#edit-form")).to_have_count(0)
    version = page.locator("#incident-version").inner_text()
    killed = page.locator("#fact-killed").inner_text()

    # the viewer's own session and CSRF token (from the logout form) are not enough
    csrf = page.locator("form[action='/logout'] input[name=csrf]").input_value()
    assert csrf
    for action, extra in (("edit", {"killed": "99"}), ("accept", {})):
        response = page.request.post(
            f"{href}/review",
            form={"csrf": csrf, "version": version, "action": action, **extra},
            max_redirects=0,
        )
        assert response.status == 403, (action, response.status, response.text()[:300])
        assert "needs the analyst role" in response.text()

    page.reload()
    expect(page.locator("#incident-version")).to_have_text(version)
    expect(page.locator("#fact-killed")).to_have_text(killed)
    expect(page.locator("#incident-status")).to_have_text("unreviewed")
    expect(page.locator("#history")).to_contain_text("No review yet.")

    traffic.allow(r"status of 403 .*/review\)$")
    response = page.goto("/review")
    assert response is not None
    assert response.status == 403
    expect(page.locator("#error-message")).to_contain_text("needs the analyst role")


# --- (f) a hostile report is text ------------------------------------------------------------


def test_hostile_report_renders_as_text(page: Page, hostile_document: str) -> None:
    log_in(page, "viewer", start=f"/documents/{hostile_document}")
    title = XSS_DOCUMENT.title
    assert title is not None
    expect(page.locator("main h1")).to_have_text(title)
    assert page.title() == f"{title} · trucewatch"
    text = page.locator("main .source-text")
    expect(text).to_contain_text(XSS_SCRIPT)
    expect(text).to_contain_text(XSS_IMG)
    expect(text.locator("mark").first).to_contain_text(XSS_SCRIPT)  # the evidence headline
    assert page.locator("main script, main img, main iframe").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    no_script_ran(page)

    page.locator("main a", has_text="incident").first.click()
    expect(page).to_have_url(re.compile(r"/incidents/inc-"))
    source = page.locator(f'#sources article[id="doc-{hostile_document}"]')
    expect(source.locator("h3")).to_have_text(title)
    expect(source.locator(".meta")).to_contain_text(XSS_OUTLET)
    expect(source.locator(".meta")).to_contain_text(str(XSS_DOCUMENT.url))
    expect(source.locator(".source-text")).to_contain_text(XSS_IMG)
    expect(page.locator("#claims blockquote.evidence").first).to_contain_text(XSS_SCRIPT)
    assert page.locator("main script, main img, main iframe").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    no_script_ran(page)

    page.goto("/?since=2021-04-01&until=2021-04-30")  # the map's tooltips and the list
    assert page.locator("#incident-list tbody tr").count() >= 1
    assert page.locator("main script, main img").count() == 0
    no_script_ran(page)


# --- (g) offline: only this server is asked for anything --------------------------------------


def test_api_docs_link_works_offline(page: Page, traffic: Traffic) -> None:
    log_in(page, "viewer")
    page.locator("header nav a", has_text="API").click()
    expect(page).to_have_url(re.compile(r"/api$"))
    operations = page.locator("#operations tbody tr")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 19
    expect(page.locator("#operations")).to_contain_text("/api/v1/incidents")
    problems = traffic.take()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ceasefires",
        "/bulletin",
        "/api",
        "/review",
        "/observations/new",
        "/admin/users",
    ],
)
def test_page_asks_only_this_server(page: Page, traffic: Traffic, path: str) -> None:
    """Each page loads, styled, from 127.0.0.1 alone, with no console error."""
    log_in(page, "admin")
    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    problems = traffic.take()  # judged here, so that a known bug can be marked
    assert not problems, "\n".join(problems)
    sheets: list[str | None] = page.evaluate("() => [...document.styleSheets].map(s => s.href)")
    assert sheets, "no stylesheet applies"
    assert all(urlsplit(s).hostname == "127.0.0.1" for s in sheets if s), sheets


# --- observation log: the place picked on the map ---------------------------------------------


def test_observation_place_is_picked_on_the_map(page: Page, traffic: Traffic) -> None:
    log_in(page, "analyst", "/observations/new")
    svg = page.locator("#pick-map svg#incident-map")
    # wait for what the user waits for: the map's script has started taking clicks (a busy
    # machine may still be running it when the page is shown)
    expect(svg).to_have_attribute("data-ready", "pick")
    box = svg.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#picked")).to_be_attached()
    lat = float(page.locator("input[name=lat]").input_value())
    lon = float(page.locator("input[name=lon]").input_value())
    centre_lat = float(svg.get_attribute("data-centre-lat") or "nan")
    centre_lon = float(svg.get_attribute("data-centre-lon") or "nan")
    assert abs(lat - centre_lat) < 0.5  # the middle of the map is its centre
    assert abs(lon - centre_lon) < 0.5
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    assert float(page.locator("input[name=lon]").input_value()) > lon  # further east
    form = page.locator("#observation-form")
    form.locator("input[name=observed_at]").fill("2022-08-02T07:30")
    form.locator("input[name=place]").fill("Observation post 4")
    form.locator("select[name=type]").select_option("shelling")
    form.locator("input[name=count]").fill("3")
    form.locator("input[name=direction]").fill("from north-east")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/(incidents|documents)/"))
    expect(page.locator("main")).to_contain_text("Monitoring mission")
    expect(page.locator("main")).to_contain_text("Observation post 4")
    assert not traffic.take()
