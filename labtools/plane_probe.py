"""The latent plane's test interface from Python: what browser tests and benchmarks read from and do
to a plane, through ``window.__llplane.test`` (latentlab/ui/components/latent_plane/testing.js documents
each call). No test reaches into a plane's fields; a field renamed in the JavaScript breaks this
file and testing.js, not twenty tests.

``which`` picks the plane: ``None`` (the plane mounted or updated last) or a filter dict over the
plane's info, e.g. ``{"link": "cmp"}``, ``{"live": True}``, ``{"marks": True}``, ``{"ready": True}``.

Conditions for :meth:`PlaneProbe.wait` are JavaScript expressions over ``s``, the chosen plane's
info (``null`` before any plane), ``all``, the infos of every plane matching ``which`` (in page
order), and ``st``, the counters; e.g. ``"s && s.ready && s.decoder"`` or ``"st.follows > 3"``.
"""

from __future__ import annotations

import json
from typing import Any

_T = "window.__llplane.test"


class PlaneProbe:
    """One page's latent planes, through the documented test interface."""

    def __init__(self, page) -> None:
        self.page = page

    def _call(self, name: str, *args: Any) -> Any:
        return self.page.evaluate(f"(a) => {_T}.{name}(...a)", list(args))

    # ------------------------------------------------------------------ reading

    def info(self, which: dict | None = None) -> dict | None:
        """The chosen plane's snapshot (testing.js's info): url, ready, decoder, n, bounds, markers…"""
        return self._call("info", which)

    def infos(self, which: dict | None = None) -> list[dict]:
        """Every matching plane's info, in page order (left to right, then top to bottom)."""
        return self._call("infos", which or {})

    def stats(self) -> dict:
        """A copy of the page's plane counters (draws, baseDraws, clicks, frames, follows, …)."""
        return self._call("stats")

    def timing(self) -> dict:
        """``{lastClickAt, insetAt, insetShownAt}`` in the page's ``performance.now()`` ms (0 before any)."""
        return self._call("timing")

    def last_export(self) -> dict | None:
        """What the last "PNG ×2" drew: sizes, legend items with swatch pixels, labels."""
        return self._call("lastExport")

    # ------------------------------------------------------------------ where things are on the page

    def client_xy(self, x: float, y: float, which: dict | None = None) -> list[float]:
        """Page coordinates of the plane point (x, y)."""
        return self._call("clientXY", float(x), float(y), which)

    def point_xy(self, i: int, which: dict | None = None) -> list[float]:
        """Page coordinates of example ``i``."""
        return self._call("pointXY", int(i), which)

    def marker_xy(self, i: int, which: dict | None = None) -> list[float]:
        """Page coordinates of marker ``i`` (markers mode)."""
        return self._call("markerXY", int(i), which)

    def to_px(self, x: float, y: float, which: dict | None = None) -> list[float]:
        """Canvas coordinates (CSS px) of the plane point (x, y)."""
        return self._call("toPx", float(x), float(y), which)

    def labels_at(self, which: dict | None = None) -> list[dict]:
        """Each class name written on the plane ("Labels" on): ``{"name", "x", "y"}``, its centre in
        the canvas (CSS px)."""
        return self._call("labelsAt", which)

    # ------------------------------------------------------------------ what was decoded

    def image_sum(self, i: int = 0) -> float:
        """A checksum of decoded panel ``i``'s pixels (markers mode): it changes when the image does."""
        return self._call("imageSum", int(i))

    def strip_sum(self) -> float:
        """A checksum of the A → B strip's pixels."""
        return self._call("stripSum")

    def inset_grey(self, which: dict | None = None) -> list[int]:
        """The inset's decoded image, one grey level (0-255) per pixel, row-major."""
        return self._call("insetGrey", which)

    def inset_decoded(self, which: dict | None = None) -> dict | None:
        """``{"z", "x"}``: the code and the decoding (floats) the click-mode inset shows last."""
        return self._call("insetDecoded", which)

    def decode_marker(self, i: int = 0) -> dict:
        """``{"z", "x"}``: marker ``i``'s code and its decoding, exactly as drawn."""
        return self._call("decodeMarker", int(i))

    def decode_with(self, manifest: dict, zs: list, simd: bool = True) -> dict:
        """Codes decoded by the plane's own decoder code: ``{"kernel", "x"}``."""
        return self.page.evaluate(
            f"async ([m, zs, simd]) => await {_T}.decodeWith(m, zs, {{simd}})", [manifest, zs, simd]
        )

    # ------------------------------------------------------------------ doing

    def reset_view(self, which: dict | None = None) -> None:
        self._call("resetView", which)

    def zoom(self, f: float, which: dict | None = None) -> None:
        """Scale the view's span by ``f`` around its centre, as the wheel does (redraw when cheap)."""
        self._call("zoom", float(f), which)

    def set(self, glide_ms: float | None = None, follow_ms: float | None = None) -> None:
        """The glide's time constant and the channel's interval (``None``: the defaults)."""
        js = f"([g, f]) => {_T}.set({{glideMs: g ?? undefined, followMs: f ?? undefined}})"
        self.page.evaluate(js, [glide_ms, follow_ms])

    def reset_timing(self) -> None:
        self._call("resetTiming")

    def break_follow(self) -> None:
        """Give the channel a token the server does not know (as after a server restart)."""
        self._call("breakFollow", None)

    def watch_marker(self, which: dict | None = None) -> None:
        """From now on, :meth:`marker_times` lists when Python's marker on the plane changed."""
        self._call("watchMarker", which)

    def marker_times(self) -> list[float]:
        return self._call("markerTimes")

    def pick_times(self, n: int) -> list[float]:
        """``n`` hover hit-tests at pseudo-random spots of the last plane: each one's ms."""
        return self._call("pickTimes", int(n))

    def zoom_for(self, ms: float = 4000, step: float = 0.02, which: dict | None = None) -> float:
        """Zoom on every animation frame for ``ms``, through :meth:`zoom` (the wheel's path): by
        ``exp(-step)`` (in) for a second, then by ``exp(step)`` (out) for a second, and so on, as a
        trackpad pinch sends. Returns the frames drawn per second meanwhile (the counters' draws)."""
        return self.page.evaluate(
            f"""([ms, k, w]) => new Promise((done) => {{
                const t = {_T}, d0 = t.stats().draws, t0 = performance.now();
                const step = (now) => {{
                  const dt = now - t0;
                  t.zoom(Math.exp((dt % 2000 < 1000 ? -1 : 1) * k), w);
                  if (dt < ms) requestAnimationFrame(step);
                  else done((t.stats().draws - d0) / (dt / 1000));
                }};
                requestAnimationFrame(step);
              }})""",
            [float(ms), float(step), which],
        )

    def marker_trail(self, i: int, frames: int, action, which: dict | None = None, timeout: float = 10_000) -> list:
        """Marker ``i``'s page coordinates ``[x, y]`` on each of the next ``frames`` animation
        frames, recorded page-side while ``action()`` (e.g. a mouse move) runs."""
        self.page.evaluate(
            f"""([i, n, w]) => {{ const t = {_T}, out = (window.__planeTrail = []);
                const f = () => {{ out.push(t.markerXY(i, w)); if (out.length < n) requestAnimationFrame(f); }};
                requestAnimationFrame(f); }}""",
            [int(i), int(frames), which],
        )
        action()
        self.page.wait_for_function("(n) => window.__planeTrail.length >= n", arg=int(frames), timeout=timeout)
        return self.page.evaluate("() => window.__planeTrail")

    # ------------------------------------------------------------------ waiting

    def condition(self, cond: str, which: dict | None = None) -> str:
        """The page-side function for :meth:`wait` (for a test that polls it itself)."""
        w = json.dumps(which)
        return (
            "() => { const t = window.__llplane && window.__llplane.test; if (!t) return false;"
            f" const s = t.info({w}), all = t.infos({w} || {{}}), st = t.stats(); return !!({cond}); }}"
        )

    def wait(self, cond: str, which: dict | None = None, timeout: float = 30_000) -> None:
        """Wait until ``cond`` (a JavaScript expression over ``s``, ``all`` and ``st``) holds."""
        self.page.wait_for_function(self.condition(cond, which), timeout=timeout)

    def value(self, expr: str, which: dict | None = None) -> Any:
        """The value of ``expr`` (over ``s``, ``all`` and ``st``, as in :meth:`wait`) now."""
        w = json.dumps(which)
        read = f"const t = {_T}; const s = t.info({w}), all = t.infos({w} || {{}}), st = t.stats();"
        return self.page.evaluate(f"() => {{ {read} return ({expr}); }}")
