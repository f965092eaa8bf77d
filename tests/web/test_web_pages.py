"""Pages that are not covered by the browser tests: the watched sources' status, an observation
recorded through the form, page-level validation errors."""

from __future__ import annotations

import time
from pathlib import Path

from trucewatch.watch.state import WatchState
from web_server import ServeFactory, Web

HOSTILE = "<script>window.__xss=1</script>"


def test_sources_page_shows_what_watch_left(serve: ServeFactory, tmp_path: Path) -> None:
    config = tmp_path / "watch.toml"
    config.write_text(
        '[[sources]]\nname = "jfo"\nkind = "feed"\nurl = "https://example.org/feed.xml"\n'
        "interval = 600\n\n"
        '[[sources]]\nname = "drop"\nkind = "folder"\npath = "incoming"\ninterval = 60\n',
        encoding="utf-8",
    )
    now = time.time()
    with WatchState(config.with_name("watch.toml.state.sqlite")) as state:
        state.record_success("jfo", now - 120, now + 480)
        state.mark_seen("jfo", ["a", "b", "c"], now - 120)
        state.record_error("drop", f"cannot read {HOSTILE}", now - 60, 60, 3600)
    web = serve(watch_config=str(config))
    page = web.login("analyst").client.get("/sources")
    assert page.status_code == 200
    rows = page.text.split('<table class="list" id="sources">')[1]
    assert "jfo" in rows
    assert "https://example.org/feed.xml" in rows
    assert ">3</td>" in rows  # items seen
    assert "drop" in rows
    assert "1× in a row" in rows
    assert HOSTILE not in page.text
    assert "&lt;script&gt;" in rows


def test_sources_page_without_a_config_or_with_a_broken_one(
    serve: ServeFactory, tmp_path: Path
) -> None:
    plain = serve()
    assert "--watch-config" in plain.login("analyst").client.get("/sources").text
    broken = tmp_path / "broken.toml"
    broken.write_text('[[sources]]\nname = "x"\nkind = "feed"\nurl = "ftp://h/f"\n', "utf-8")
    web = serve(watch_config=str(broken))
    page = web.login("analyst").client.get("/sources")
    assert page.status_code == 200
    assert "broken.toml" in page.text
    assert "must be" in page.text


def test_observation_form_records_and_explains_mistakes(web: Web) -> None:
    analyst = web.login("analyst")
    form = {
        "observed_at": "2022-08-02T07:30",
        "place": "Observation post 4",
        "lat": "40.0",
        "lon": "46.5",
        "type": "shelling",
        "weapon": "mortar",
        "count": "3",
        "actor": "Azerbaijan",
        "target": "Armenia",
        "direction": "from north-east",
        "killed": "",
        "notes": "impacts 300 m south of the post",
        "csrf": analyst.csrf(),
    }
    bad = analyst.client.post("/observations", data={**form, "lat": "95", "count": "x"})
    assert bad.status_code == 422
    assert "lat" in bad.text
    assert "count" in bad.text
    assert 'value="Observation post 4"' in bad.text  # what was typed is kept
    done = analyst.client.post("/observations", data=form)
    assert done.status_code == 303
    page = analyst.client.get(done.headers["location"])
    assert "Monitoring mission" in page.text
    assert "from north-east" in page.text


def test_page_validation_errors_are_pages(web: Web) -> None:
    viewer = web.login("viewer")
    answer = viewer.client.get("/", params={"since": "yesterday"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "since" in answer.text
    api = web.client("viewer").get("/api/v1/incidents", params={"since": "yesterday"})
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["query", "since"]
