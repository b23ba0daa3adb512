"""The latent pad's position channel: marker positions reach Python *during* a drag, without a
Streamlit rerun.

Why not a rerun: each Streamlit rerun costs the browser 30–45 ms of main-thread work (React) and
the server ~25 ms of CPU. At one report per 100 ms that took a two-marker drag on a 2-core laptop
from ~55 to 30–40 frames/s (bench/drag_fps.py). A POST to this route costs the server about a
millisecond plus the followers (~2 ms), and the browser one ``fetch`` and one ``innerHTML``.

How: every run of the drag page registers a *follower* (a function: marker positions → the HTML of
the readouts under the pad: density, nearest examples, the A → B profile) under a token kept in the
session's state. While a marker is dragged, the pad POSTs ``{token, markers, seq}`` here about every
100 ms and shows the HTML that comes back. The release still goes through Streamlit (a component
state change), so session state, the URL and any server-decoded images end where the mouse did.

``app.py`` serves :func:`routes` through ``st.App``. This module imports neither Streamlit nor torch:
the server imports it at start, before any page runs.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aecore.errors import UserError, translating
from latentlab.server.static import under_base

PATH = "/api/latentlab/pad-follow"
MAX_BODY = 4096  # bytes: a request is a token, ≤ 2 positions and a counter (~150 bytes)
MAX_FOLLOWERS = 256  # one per open drag page; the oldest go first (each holds cached arrays)

Follower = Callable[[list[list[float]]], str]

_LOG = logging.getLogger(__name__)


class PadRequestError(UserError):
    """A request body the channel cannot parse (answered 400 with this message, never raised out)."""


_lock = threading.Lock()
_followers: OrderedDict[str, Follower] = OrderedDict()
_latest: dict[str, list[list[float]]] = {}


def new_token() -> str:
    """An unguessable token: one session cannot read or steer another session's pad."""
    return secrets.token_urlsafe(18)


def register(token: str, follower: Follower) -> None:
    """Serve ``follower`` under ``token`` (replacing the one a previous page run registered)."""
    with _lock:
        _followers[token] = follower
        _followers.move_to_end(token)
        while len(_followers) > MAX_FOLLOWERS:
            old, _ = _followers.popitem(last=False)
            _latest.pop(old, None)


def latest(token: str) -> list[list[float]] | None:
    """The last marker positions the pad sent for ``token`` through this channel (``None`` before any)."""
    with _lock:
        pos = _latest.get(token)
        return None if pos is None else [list(p) for p in pos]


def parse_markers(value: Any) -> list[list[float]] | None:
    """1 or 2 finite ``[x, y]`` pairs, or ``None`` if ``value`` is anything else."""
    if not isinstance(value, list) or not 1 <= len(value) <= 2:
        return None
    out = []
    for p in value:
        if not (isinstance(p, list) and len(p) == 2):
            return None
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and _finite(v) for v in p):
            return None
        out.append([float(p[0]), float(p[1])])
    return out


def _finite(v: int | float) -> bool:
    # math.isfinite converts an int to a float: a JSON integer of 400 digits overflows there.
    return math.isfinite(v) if isinstance(v, float) else abs(v) < 2**1000


def handle(body: bytes) -> tuple[int, dict]:
    """One request: ``(HTTP status, JSON reply)``; never raises, whatever the body (the route runs it
    on the server's thread pool, where an exception would be a 500 and a log line per bad request).
    Pure apart from the registry, so tests call it directly."""
    if len(body) > MAX_BODY:
        return 413, {"error": "request too large"}
    try:
        # Not only ValueError: 1,500 nested "[" are within MAX_BODY and exhaust the parser's recursion.
        with translating(PadRequestError, "not JSON"):
            req = json.loads(body)
    except PadRequestError as exc:
        return 400, {"error": str(exc)}
    if not isinstance(req, dict):
        return 400, {"error": "expected a JSON object"}
    token, seq, markers = req.get("token"), req.get("seq"), parse_markers(req.get("markers"))
    if not isinstance(token, str) or markers is None or not isinstance(seq, int) or isinstance(seq, bool):
        return 400, {"error": "expected {token: str, markers: [[x, y], ...], seq: int}"}
    with _lock:
        follower = _followers.get(token)
        if follower is not None:
            _latest[token] = markers
    if follower is None:
        # The server restarted, or the page is too old: the pad stops asking until its next rerun.
        return 404, {"error": "unknown pad; the page updates when the marker is released"}
    try:
        html = follower(markers)
    except Exception as exc:  # a bug in a readout must not cost the drag its frames: log, answer 500
        _LOG.exception("pad follower failed")
        return 500, {"error": f"{type(exc).__name__}: {exc}"}
    return 200, {"seq": seq, "html": html}


def routes(base_url_path: str = "") -> list:
    """The starlette route(s) for ``st.App(routes=...)``, under the server's base URL path."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def endpoint(request):
        body = b""
        async for chunk in request.stream():  # stop reading at the limit: never buffer a huge body
            body += chunk
            if len(body) > MAX_BODY:
                break
        # The followers are numpy work: off the event loop, so websockets keep flowing meanwhile.
        status, reply = await run_in_threadpool(handle, body)
        return JSONResponse(reply, status_code=status, headers={"Cache-Control": "no-store"})

    return [Route(url_path(base_url_path), endpoint, methods=["POST"])]


def url_path(base_url_path: str = "") -> str:
    """The channel's path on the server (what the pad POSTs to)."""
    return under_base(base_url_path, PATH)
