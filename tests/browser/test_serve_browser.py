"""Real browser through ``./run.sh serve``'s stack (latentlab.server.serve.Hall: two app processes behind HAProxy):
sessions stick to their replica (media, the websocket and the drag pad's position channel all reach
it), a model trained through one replica opens in another's session, and killing a replica moves its
sessions to the other one while the other's sessions see nothing. Trainings go to one Dask queue: a
training started on one replica shows its live progress on the other's Train page."""

from __future__ import annotations

import re

import pytest

from labtools.browser import assert_no_error, fill_field, free_port, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe
from latentlab.server.serve import STICKY_COOKIE, Hall, find_haproxy

MODEL = "digits-ae-2d"


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    if find_haproxy() is None:
        pytest.skip("HAProxy is not installed (Debian's package haproxy; ./run.sh test installs it)")
    env = {
        "LATENTLAB_MODELS": str(tmp_path_factory.mktemp("hall-models")),
        "LATENTLAB_DATASETS": str(tmp_path_factory.mktemp("hall-datasets")),
    }
    with Hall(2, free_port(), env, log_dir=tmp_path_factory.mktemp("hall-logs")) as h:
        yield h


def _student(browser, hall, path: str):
    """A fresh browser (its own cookies) on ``path``; returns (context, page, replica)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    page.goto(hall.url + path)
    wait_for_app(page, timeout=180_000)
    replica = next(c["value"] for c in ctx.cookies() if c["name"] == STICKY_COOKIE)
    return ctx, page, replica


def _click_a_point(page, i: int = 10) -> None:
    """Click example ``i`` on the explorer's plane and wait for the server's panel (its images too)."""
    page.mouse.click(*PlaneProbe(page).point_xy(i))
    page.get_by_text(f"Selected example #{i}").wait_for(timeout=60_000)
    wait_for_app(page)
    # Media files live in the process that made them: every image loaded means the requests stuck.
    page.wait_for_function(
        "() => Array.from(document.images).every((im) => im.complete && im.naturalWidth > 0)", timeout=30_000
    )


def test_a_session_works_end_to_end_through_the_balancer(browser, hall):
    ctx1, p1, r1 = _student(browser, hall, f"/explorer?ex_model={MODEL}")
    ctx2, p2, r2 = _student(browser, hall, f"/explorer?ex_model={MODEL}")
    try:
        assert {r1, r2} == {"r1", "r2"}  # round robin: two students, two replicas
        wait_for_map(p1)
        _click_a_point(p1)
        # Drag to decode: the position channel (a POST during the drag) reaches the session's replica.
        p1.goto(hall.url + f"/drag?dg_model={MODEL}")
        wait_for_app(p1)
        probe = PlaneProbe(p1)
        probe.wait("s && s.ready && s.decoder && s.markers.length")
        x, y = probe.marker_xy(0)
        p1.mouse.move(x, y)
        p1.mouse.down()
        for s in range(1, 31):
            p1.mouse.move(x + 3 * s, y + 2 * s)
            p1.wait_for_timeout(30)
        p1.mouse.up()
        probe.wait("st.follows > 0", timeout=30_000)
        assert probe.stats()["followErrors"] == 0
        # A training started through replica A shows its live progress on replica B's Train page.
        p1.goto(hall.url + "/train?tr_dataset=digits")
        wait_for_app(p1)
        fill_field(p1, "Epochs", "200")
        fill_field(p1, "Save as (model name)", "served-long")
        p1.get_by_role("button", name="Train", exact=True).click()
        p2.goto(hall.url + "/train")
        wait_for_app(p2)
        table = p2.locator(".st-key-tr_class")
        table.get_by_text("served-long").wait_for(timeout=60_000)
        seen = set()
        for _ in range(80):  # B's page polls the class's queue: it shows the epoch growing
            text = table.inner_text(timeout=5_000) if table.count() else ""
            seen.update(int(e) for e in re.findall(r"epoch (\d+) of 200", text))
            if len(seen) >= 2 or not text:
                break
            p2.wait_for_timeout(250)
        assert len(seen) >= 2, seen
        stop = p1.get_by_role("button", name="Stop (keep the best model so far)")
        if stop.count():
            stop.click()
        p1.get_by_text("saved as 'served-long'").wait_for(timeout=60_000)
        # Its model opens in a session on replica B (one model library on disk).
        p2.goto(hall.url + "/explorer?ex_model=served-long")
        wait_for_app(p2, timeout=180_000)
        wait_for_map(p2)
        assert "ex_model=served-long" in p2.url  # the picker kept it: the other replica lists the new file
        assert next(c["value"] for c in ctx1.cookies() if c["name"] == STICKY_COOKIE) == r1  # still stuck
        for p in (p1, p2):
            assert_no_error(p)
    finally:
        ctx1.close()
        ctx2.close()


def test_killing_a_replica_moves_its_students_and_spares_the_others(browser, hall):
    ctx1, p1, r1 = _student(browser, hall, f"/explorer?ex_model={MODEL}")
    ctx2, p2, r2 = _student(browser, hall, f"/explorer?ex_model={MODEL}")
    try:
        assert r1 != r2
        for p in (p1, p2):
            wait_for_map(p)
        hall.kill_replica(int(r1[1:]) - 1)
        # The other replica's student clicks on as if nothing happened.
        _click_a_point(p2, 12)
        assert_no_error(p2)
        # The killed replica's student: the page reconnects (to the other replica) and works again.
        PlaneProbe(p1).wait("all.some((p) => p.ready)", timeout=60_000)
        p1.wait_for_timeout(3000)  # the reconnect's rerun
        wait_for_app(p1, timeout=120_000)
        wait_for_map(p1)
        _click_a_point(p1, 14)
        assert_no_error(p1)
    finally:
        ctx1.close()
        ctx2.close()
