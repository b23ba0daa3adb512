"""Many users at once: ≥ 30 sessions click on the Latent map while one session trains.

Starts one app process (``streamlit run``) on 127.0.0.1 (or uses ``--url``), then drives sessions at the
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

A lecture hall (``--ladder``): for each number of replicas in ``--replicas`` (1 = one plain
``streamlit run``; more = ``./run.sh serve``'s stack, :class:`latentlab.server.serve.Hall`, HAProxy in front),
classes of each size in the ladder load the page and click, without training; one table row per
class with p50, p95, max, errors, and the servers' CPU per page load and per click (from
/proc, summed over the app processes). The largest class with p95 ≤ 1 s and no error is reported
per replica count, in the same run so the ratio holds on a noisy machine. ``--kill-replica-after S``
kills replica r1 S seconds into each class: its sessions reconnect (and count what failed), and the
errors are split by replica.

    python bench/load_test.py --ladder 40,60,80,100,120 --replicas 1,2

Bounded: every loop has a fixed count and every wait a timeout; loopback only. A timeout, a refused
or dropped connection is a counted error, never a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
        self.replica = "?"  # behind HAProxy: the replica it landed on (known once connected)

    async def connect(self):
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30, ping_interval=None
        )
        # Behind HAProxy: the replica this session landed on (the sticky cookie it was given).
        cookie = self.ws.response.headers.get("Set-Cookie", "") if self.ws.response else ""
        self.replica = next(
            (c.split("=", 1)[1] for c in cookie.split(";") if c.strip().startswith("LLREPLICA=")), "single"
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


async def click_once(s: Session, key: str, expect: str, rng: random.Random, seq: int, nonce: str):
    """One click on the latent map held under ``key``: ``(seconds, None)`` when the server answered with
    the decoded point (the text ``expect``), else ``(None, why)``. A widget inside an st.fragment reruns
    only that fragment, as in the browser."""
    n_err = len(s.errors)
    state = click_state(s.widget_ids[key], rng, seq, nonce, s.map_urls.get(key, ""))
    dt = await s.run([state], fragment_id=s.fragments.get(key, ""))
    if len(s.errors) > n_err:
        return None, s.errors[-1]
    if not any(expect in t for t in s.texts):
        return None, "click did not show the decoded point"
    return dt, None


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
        if key not in s.widget_ids:
            errs.append(f"session {idx}: no latent map on the page ({s.errors[:1]})")
            return
        for c in range(clicks):
            await asyncio.sleep(rng.uniform(*think))  # think time: looking at the decoded image
            dt, why = await click_once(s, key, expect, rng, c + 1, f"load-{idx}")
            if why:
                errs.append(f"session {idx}: {why}")
            else:
                lat.append(dt)
    except (TimeoutError, websockets.WebSocketException, OSError) as exc:
        errs.append(f"session {idx}: {type(exc).__name__}: {exc}")
    finally:
        await s.close()


#: What a session's failure is counted as: a timeout, a refused or dropped connection.
FAILURES = (TimeoutError, websockets.WebSocketException, OSError)


async def student(url: str, page: str, idx: int, clicks: int, out: dict, loaded: asyncio.Event, args, seed: int):
    """One student of a class: arrives, loads the page (timed), waits until the whole class has
    loaded, then clicks ``clicks`` times. A failure is counted, then the student reconnects (a new
    page load, as the browser does after a dropped connection) and goes on with the next click."""
    rng = random.Random(seed * 1000 + idx)
    key, expect = PAGES[page]
    await asyncio.sleep(idx * args.start_gap)
    s = None

    async def load():
        nonlocal s
        if s is not None:
            await s.close()
        s = Session(url, page=page)
        await s.connect()
        t0 = time.perf_counter()
        await s.run()
        out["loads"].append(time.perf_counter() - t0)
        if key not in s.widget_ids:
            raise OSError(f"no latent map on the page ({s.errors[:1]})")

    try:
        try:
            await load()
        except FAILURES as exc:
            out["errs"].append((s.replica if s else "?", f"load: {type(exc).__name__}: {exc}"))
        out["arrived"] += 1
        if out["arrived"] == args.n_students:
            loaded.set()
        await asyncio.wait_for(loaded.wait(), 600)
        for c in range(clicks):
            await asyncio.sleep(rng.uniform(args.think_min, args.think_max))
            try:
                if s is None or s.ws is None or key not in s.widget_ids:
                    await load()
                dt, why = await click_once(s, key, expect, rng, c + 1, f"load-{idx}")
                if why:
                    out["errs"].append((s.replica, why))
                else:
                    out["lat"].append(dt)
                    out.setdefault("lat_by", {}).setdefault(s.replica, []).append(dt)
            except FAILURES as exc:
                out["errs"].append((s.replica if s else "?", f"click: {type(exc).__name__}: {exc}"))
                s.ws = None  # reconnect before the next click
    finally:
        if s is not None:
            with contextlib.suppress(*FAILURES):
                await s.close()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds used so far by each of these processes that is alive (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # a killed replica not yet reaped has no CPU time left to read
            out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)
    return out


def cpu_between(a: dict[int, float], b: dict[int, float]) -> float:
    """CPU seconds used between two :func:`cpu_seconds` readings by the processes alive at both
    (a replica killed in between is left out: its CPU time went with it)."""
    return sum(b[p] - a[p] for p in a.keys() & b.keys())


async def one_class(url: str, n: int, args, pids: list[int], kill=None) -> dict:
    """A class of ``n`` students: every one loads the page, then all click. CPU is measured over
    both parts separately (per page load, per click). ``kill()`` runs ``args.kill_replica_after``
    seconds into the clicking."""
    args.n_students = n
    out = {"lat": [], "loads": [], "errs": [], "arrived": 0}
    loaded = asyncio.Event()
    c0 = cpu_seconds(pids)
    tasks = [
        asyncio.create_task(student(url, args.page, i, args.clicks, out, loaded, args, args.seed + n)) for i in range(n)
    ]
    await asyncio.wait_for(loaded.wait(), 900)
    c1 = cpu_seconds(pids)
    killer = None
    if kill is not None:

        async def later():
            await asyncio.sleep(args.kill_replica_after)
            kill()

        killer = asyncio.create_task(later())
    await asyncio.gather(*tasks)
    if killer is not None:
        await killer
    c2 = cpu_seconds(pids)
    out["cpu_per_load"] = cpu_between(c0, c1) / max(1, len(out["loads"]))
    out["cpu_per_click"] = cpu_between(c1, c2) / max(1, len(out["lat"]))
    return out


def ladder(args) -> None:
    """For each replica count, each class size: one row; then the largest class that held."""
    from latentlab.server.serve import Hall, free_port

    sizes = [int(v) for v in args.ladder.split(",")]
    print(
        f"{os.cpu_count()} CPU cores; classes {sizes} × {args.clicks} clicks on the {args.page} page, "
        f"think time {args.think_min:g}–{args.think_max:g} s, arrivals {args.start_gap:g} s apart"
    )
    best = {}
    for replicas in [int(v) for v in args.replicas.split(",")]:
        models = tempfile.mkdtemp(prefix="latentlab-load-")
        if replicas == 1 and not args.balancer_for_one:
            port = free_port()
            procs = [start_server(port, models)]
            url, pids, hall = f"http://127.0.0.1:{port}", [procs[0].pid], None
        else:
            env = {"LATENTLAB_MODELS": models, "LATENTLAB_MAX_TRAININGS": "1"}
            hall = Hall(replicas, free_port(), env, trainers=0).start()  # clicking only: no training queue
            url, pids, procs = hall.url, hall.replica_pids(), []
        try:
            for _ in range(2 * replicas):  # warm every replica: model, data, codes, plane file
                warm: list = []
                asyncio.run(clicker(url, args.page, 0, 1, [], warm, 0.0, 99))
            print(f"\n{replicas} replica(s) at {url}")
            print("  class | p50 ms | p95 ms | max ms | errors | CPU/page load ms | CPU/click ms | load avg")
            for n in sizes:
                kill = None
                if args.kill_replica_after and hall is not None:
                    kill = lambda h=hall: h.kill_replica(0)  # noqa: E731
                r = asyncio.run(one_class(url, n, args, pids, kill))
                lat = r["lat"]
                ok = not r["errs"] and pct(lat, 0.95) <= 1.0
                if ok:
                    best[replicas] = n
                by = {}
                for rep_name, _ in r["errs"]:
                    by[rep_name] = by.get(rep_name, 0) + 1
                print(
                    f"  {n:5d} | {pct(lat, 0.5) * 1000:6.0f} | {pct(lat, 0.95) * 1000:6.0f} | "
                    f"{max(lat, default=0) * 1000:6.0f} | {len(r['errs']):6d} | {r['cpu_per_load'] * 1000:16.0f} | "
                    f"{r['cpu_per_click'] * 1000:12.0f} | {os.getloadavg()[0]:.1f}"
                    + (f"   errors by replica: {by}" if by else ""),
                    flush=True,
                )
                for _, e in r["errs"][:3]:
                    print("     error:", e[:160])
                if len(r.get("lat_by", {})) > 1:
                    print(
                        "     by replica (the session's last): "
                        + ", ".join(
                            f"{k}: {len(v)} clicks, p95 {pct(v, 0.95) * 1000:.0f} ms"
                            for k, v in sorted(r["lat_by"].items())
                        )
                    )
                if kill is not None:  # a killed replica does not come back: one class per hall
                    break
                if not ok and pct(lat, 0.95) > 2.0:
                    break  # far past the target: larger classes only take longer
        finally:
            if hall is not None:
                hall.stop()
            for p in procs:
                p.terminate()
                p.wait(10)
    print("\nlargest class with p95 ≤ 1 s and no error:", best)
    if 1 in best and len(best) > 1:
        for k, v in best.items():
            if k > 1:
                print(f"  {k} replicas: {v / best[1]:.2f}× the single process")


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
        try:
            await asyncio.wait_for(tr, 120)
        except FAILURES as exc:  # a slow or dropped trainer session is an error, not a crash
            errs.append(f"trainer: {type(exc).__name__}: {exc}")
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
    ap.add_argument("--ladder", help="class sizes, e.g. 40,60,80: the lecture-hall table instead of the two phases")
    ap.add_argument("--replicas", default="1", help="with --ladder: replica counts to compare, e.g. 1,2")
    ap.add_argument("--balancer-for-one", action="store_true", help="with --ladder: 1 replica behind HAProxy too")
    ap.add_argument("--kill-replica-after", type=float, default=0.0, help="with --ladder: kill r1 after S s")
    args = ap.parse_args()
    if args.ladder:
        ladder(args)
        return
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
