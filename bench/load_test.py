"""Many users at once: ≥ 30 sessions click on the Latent map while one session trains.

Starts one ``streamlit run app.py`` on 127.0.0.1 (or uses ``--url``), then drives sessions at the
websocket level: each session is a real Streamlit session (its own script runs, session state and
widget states), speaking the same protobuf protocol as the browser, but without a browser. That
is what the server sees from 30 students; 30 Chromium renderers would not fit in 2 CPU cores
beside the server, and the browser's own rendering time is not what this measures.

A *click* is what the browser sends when a student clicks the latent map (the latent-map
component): a fragment rerun with the component's state ``{"click": {x, y, index, ...}}``, half of
them on a data point, half on empty space. Its latency is the time from sending it until the server
says the script run finished (all the new elements have been sent by then).

Two phases, same process, same server: a baseline with nobody training, then the same clicking
while one extra session trains on the Train page (and polls its progress every second, like the
page's fragment does in a browser). Reports p50/p95/max click latency and the error count.

    python bench/load_test.py                  # 30 sessions × 8 clicks per phase
    python bench/load_test.py --sessions 40 --clicks 10 --train-dataset mnist --epochs 3

Bounded: every loop has a fixed count and every wait a timeout; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from labtools.browser import start_streamlit
from labtools.stats import pct

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 60.0  # one script run; longer counts as an error


class Session:
    """One Streamlit session over the websocket, like one browser tab."""

    def __init__(self, url: str, query: str = "", page: str = ""):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.query = query
        self.page_name = page  # what a browser opening http://…/<page> sends first
        self.page_hash = ""
        self.fragments: dict[str, str] = {}  # user key → id of the fragment holding that widget
        self.cached: set[str] = set()  # hashes of big messages we hold, reported like a browser does
        self.pages: dict[str, str] = {}  # url path → page script hash
        self.widget_ids: dict[str, str] = {}  # user key → widget id
        self.map_urls: dict[str, str] = {}  # latent map's key → the map file it shows
        self.texts: list[str] = []  # markdown/alert bodies of the last run
        self.errors: list[str] = []
        self.auto_rerun: tuple[float, str] | None = None  # (interval, fragment id)
        self.ws = None

    async def connect(self):
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30, ping_interval=None
        )

    async def close(self):
        if self.ws is not None:
            await self.ws.close()

    async def run(self, widgets=(), fragment_id: str = "", page_hash: str | None = None, auto: bool = False) -> float:
        """Send one rerun with these widget states; wait for the run to finish; return seconds."""
        bm = BackMsg()
        cs = bm.rerun_script
        cs.query_string = self.query
        if self.page_name:  # like a browser on http://…/<page>: the page is named by its URL path
            cs.page_name = self.page_name
        else:
            cs.page_script_hash = self.page_hash if page_hash is None else page_hash
        cs.cached_message_hashes.extend(sorted(self.cached))
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = auto
        for w in widgets:
            cs.widget_states.widgets.append(w)
        self.texts = []
        t0 = time.perf_counter()
        await self.ws.send(bm.SerializeToString())
        deadline = t0 + RUN_TIMEOUT
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(0.1, deadline - time.perf_counter()))
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if fm.metadata.cacheable and fm.hash:
                self.cached.add(fm.hash)
            if kind == "new_session":
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                for p in fm.navigation.app_pages:
                    self.pages[p.url_pathname or p.page_name] = p.page_script_hash
            elif kind == "auto_rerun":
                self.auto_rerun = (fm.auto_rerun.interval, fm.auto_rerun.fragment_id)
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                which = el.WhichOneof("type")
                if which == "exception":
                    self.errors.append(el.exception.message[:200])
                elif which == "alert":
                    self.texts.append(el.alert.body)
                    if el.alert.format == 1:  # ERROR
                        self.errors.append(el.alert.body[:200])
                elif which == "markdown":
                    self.texts.append(el.markdown.body)
                elif which == "progress":
                    self.texts.append(el.progress.text)
                wid = getattr(getattr(el, which), "id", "") if which else ""
                if isinstance(wid, str) and wid.startswith("$$ID-"):
                    key = wid.rsplit("-", 1)[-1]
                    self.widget_ids[key] = wid
                    self.fragments[key] = fm.delta.fragment_id
                    if which == "bidi_component":
                        data = json.loads(el.bidi_component.json or "[{}]")
                        data = data[0] if isinstance(data, list) else data  # our components send [data]
                        self.map_urls[key] = data.get("url", "")
            elif kind == "script_finished":
                status = fm.script_finished
                if status not in (0, 3):  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                    if status == 1:  # FINISHED_WITH_COMPILE_ERROR
                        self.errors.append("script compile error")
                    # 2 = FINISHED_EARLY_FOR_RERUN: a later rerun replaced this one; keep waiting for it
                    if status == 2:
                        continue
                return time.perf_counter() - t0


def click_state(widget_id: str, rng: random.Random, seq: int, nonce: str, url: str, n_points: int = 300) -> object:
    """The state the latent-map component sends when the map is clicked: on a data point (its row)
    or on empty space (index -1), at a plane position inside the map's window."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    on_point = rng.random() < 0.5
    click = {
        "x": rng.uniform(-3, 3),
        "y": rng.uniform(-3, 3),
        "index": rng.randrange(n_points) if on_point else -1,
        "seq": seq,
        "nonce": nonce,
        "url": url,
    }
    w = WidgetState()
    w.id = widget_id
    w.json_value = json.dumps({"click": click})
    return w


def trigger(widget_id: str):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    w = WidgetState()
    w.id = widget_id
    w.trigger_value = True
    return w


# page → (the latent map's widget key, a text every successful click shows)
PAGES = {"explorer": ("ex_map", "Decoded g(z)"), "home": ("home_map", "z = (")}


async def clicker(
    url: str, page: str, idx: int, clicks: int, lat: list, errs: list, start_gap: float, seed: int, think=(0.3, 1.5)
):
    rng = random.Random(seed * 1000 + idx)
    await asyncio.sleep(idx * start_gap)  # students arrive over a few seconds, not in one instant
    key, expect = PAGES[page]
    s = Session(url, page=page)
    try:
        await s.connect()
        await s.run()  # first page load
        chart = s.widget_ids.get(key)
        if chart is None:
            errs.append(f"session {idx}: no latent map on the page ({s.errors[:1]})")
            return
        url = s.map_urls.get(key, "")
        for c in range(clicks):
            await asyncio.sleep(rng.uniform(*think))  # think time: looking at the decoded image
            n_err = len(s.errors)
            # A widget inside an st.fragment reruns only that fragment, as in the browser.
            dt = await s.run([click_state(chart, rng, c + 1, f"load-{idx}", url)], fragment_id=s.fragments.get(key, ""))
            if len(s.errors) > n_err:
                errs.append(f"session {idx}: " + s.errors[-1])
            elif not any(expect in t for t in s.texts):
                errs.append(f"session {idx}: click did not show the decoded point")
            else:
                lat.append(dt)
    except (TimeoutError, websockets.WebSocketException, OSError) as exc:
        errs.append(f"session {idx}: {type(exc).__name__}: {exc}")
    finally:
        await s.close()


async def trainer(url: str, dataset: str, epochs: int, info: dict, stop: asyncio.Event):
    """One session on the Train page: press Train, then poll like the page's fragment does."""
    s = Session(url, query=f"tr_dataset={dataset}&tr_epochs={epochs}&tr_name=loadtest-{dataset}", page="train")
    await s.connect()
    try:
        await s.run()
        await s.run([trigger(s.widget_ids["tr_start"])])
        info["started"] = time.perf_counter()
        polls = 0
        for _ in range(3600):  # at most an hour of 1 s polls
            if stop.is_set():
                break
            interval, frag = s.auto_rerun or (1.0, "")
            await asyncio.sleep(interval or 1.0)
            await s.run(fragment_id=frag, auto=True) if frag else await s.run()
            polls += 1
            prog = [t for t in s.texts if "epoch" in t and "%" in t]
            if prog:
                info["progress"] = prog[-1]
            if any(t.startswith(("Done:", "Stopped", "Training stopped", "Training failed")) for t in s.texts):
                info["finished"] = time.perf_counter()
                info["result"] = next(t for t in s.texts if t.startswith(("Done:", "Stopped", "Training")))
                break
        info["polls"] = polls
        info["errors"] = s.errors
    finally:
        await s.close()


async def phase(url: str, args, with_training: bool) -> dict:
    lat: list[float] = []
    errs: list[str] = []
    info: dict = {}
    stop = asyncio.Event()
    t0 = time.perf_counter()
    tasks = [
        asyncio.create_task(
            clicker(
                url,
                args.page,
                i,
                args.clicks,
                lat,
                errs,
                args.start_gap,
                args.seed + with_training,
                (args.think_min, args.think_max),
            )
        )
        for i in range(args.sessions)
    ]
    tr = None
    if with_training:
        tr = asyncio.create_task(trainer(url, args.train_dataset, args.epochs, info, stop))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    if tr is not None:
        info["progress_at_end_of_clicking"] = info.get("progress", "")
        stop.set()  # stop polling; the job itself runs on in the server
        await asyncio.wait_for(tr, 120)
    return {"lat": lat, "errs": errs, "info": info, "wall": wall}


def start_server(port: int, models: str) -> subprocess.Popen:
    env = {"LATENTLAB_MODELS": models, "LATENTLAB_MAX_TRAININGS": "1"}
    return start_streamlit(port, env, log=Path(os.devnull), poll=0.2)


def report(name: str, r: dict) -> None:
    lat = r["lat"]
    print(
        f"{name}: {len(lat)} clicks in {r['wall']:.0f} s, errors {len(r['errs'])}, "
        f"p50 {pct(lat, 0.5) * 1000:.0f} ms, p95 {pct(lat, 0.95) * 1000:.0f} ms, "
        f"max {max(lat, default=0) * 1000:.0f} ms"
    )
    for e in r["errs"][:5]:
        print("   error:", e)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="use a running server instead of starting one (loopback only)")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--clicks", type=int, default=8, help="clicks per session per phase")
    ap.add_argument("--start-gap", type=float, default=0.1, help="seconds between session arrivals")
    ap.add_argument("--think-min", type=float, default=0.3, help="seconds a student waits between clicks (min)")
    ap.add_argument("--think-max", type=float, default=1.5, help="… (max)")
    ap.add_argument("--page", choices=list(PAGES), default="explorer", help="the page whose scatter is clicked")
    ap.add_argument("--train-dataset", default="mnist")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    proc = None
    url = args.url
    if url is None:
        sock_port = __import__("socket").socket()
        sock_port.bind(("127.0.0.1", 0))
        port = sock_port.getsockname()[1]
        sock_port.close()
        proc = start_server(port, tempfile.mkdtemp(prefix="latentlab-load-"))
        url = f"http://127.0.0.1:{port}"
    assert url.startswith(("http://127.0.0.1", "http://localhost")), "loopback only"
    try:
        # Warm-up: one session loads the page so caches (model, data, codes) are filled for both phases.
        warm: list = []
        asyncio.run(clicker(url, args.page, 0, 1, [], warm, 0.0, 99))
        if warm:
            raise SystemExit(f"warm-up failed on page {args.page!r}: {warm[0]}")
        print(
            f"{args.sessions} websocket sessions × {args.clicks} clicks on the {args.page} page "
            f"(think time {args.think_min:g}–{args.think_max:g} s), server {url}, "
            f"{os.cpu_count()} CPU cores, load average before: {os.getloadavg()[0]:.1f}"
        )
        base = asyncio.run(phase(url, args, with_training=False))
        report("baseline (no training)  ", base)
        load = asyncio.run(phase(url, args, with_training=True))
        report("while one session trains", load)
        print(f"   load average after: {os.getloadavg()[0]:.1f} (other processes share this machine)")
        info = load["info"]
        print(
            f"   training ({args.train_dataset}, {args.epochs} epochs): "
            f"{info.get('progress_at_end_of_clicking', '?')!r}"
            f" when the clicking ended; trainer polls: {info.get('polls', 0)}, trainer errors: {info.get('errors', [])}"
        )
        if base["lat"] and load["lat"]:
            print(f"   p95 ratio training/baseline: {pct(load['lat'], 0.95) / pct(base['lat'], 0.95):.2f}")
        ok = not load["errs"] and not base["errs"] and pct(load["lat"], 0.95) <= 1.0
        print("TARGET (0 errors, p95 ≤ 1 s while training):", "met" if ok else "NOT met")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
