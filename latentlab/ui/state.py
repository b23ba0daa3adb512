"""What a session remembers: settings mirrored in the URL (a deep link restores a view), every
page's widgets kept across page switches, and the one lecture model (its picker:
:mod:`latentlab.ui.model_picker`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from aecore.data.sets import is_available
from aecore.errors import UserError, translating
from aecore.storage.library import ModelEntry, list_models

_log = logging.getLogger(__name__)

#: The page scripts' folder; the app's script (latentlab/app/app.py) registers each page from here.
PAGE_DIR = Path(__file__).resolve().parent / "pages"


def page_file(name: str) -> str:
    """The script of page ``name`` ("train", "home"…) as ``st.Page``, ``st.switch_page`` and
    ``st.page_link`` take it: an absolute path, since they resolve a relative one against the app's
    script, which lives in another folder (latentlab/app/)."""
    return (PAGE_DIR / f"{name}.py").as_posix()


def default_model_name(models: list[ModelEntry], prefer: tuple[str, ...]) -> str | None:
    """The first preferred model whose data set is present, else the first usable model."""
    names = {m.name: m for m in models}
    for n in prefer:
        if n in names and is_available(names[n].dataset):
            return n
    for m in models:
        if is_available(m.dataset):
            return m.name
    return models[0].name if models else None


# ---------------------------------------------------------------- the lecture model
# One model for the whole session: the model picked on any page is the model of every page whose
# picker lists it (the lecturer picks it once, not once per page). It lives in st.session_state
# ["model"] and in the URL as ?model=. A page whose picker does not list it (the drag page needs a
# 2-D code, the explorer images) shows its own choice until the lecturer picks another there.


LECTURE_KEY = "model"
#: A hand-over between pages: the Data sets page's "Train a model on 'X'" leaves X here, and the Train
#: page takes it once, whatever set it showed before.
TRAIN_ARRIVE_DATASET = "tr_arrive_dataset"
#: A hand-over from the app to the page: a clicker press (±1) that no lecture playlist took, left here
#: by app.py for the page to use once (the guided tour steps with it).
CLICKER_STEP = "_clicker"
#: Session key: the models the page on screen showed in its last run, as ``(name, label)`` pairs
#: (written by :func:`latentlab.ui.slide.note_model`, read by the slide band and the lecture playlist).
MODELS_KEY = "_slide_models"


def models_shown() -> list[tuple[str, str]]:
    """The ``(name, label)`` of each model the page on screen showed in its last (or this) run."""
    return list(st.session_state.get(MODELS_KEY, []))


def lecture_model() -> str | None:
    """The session's lecture model name (seeded once from ``?model=``), or None before any page chose."""
    if LECTURE_KEY not in st.session_state:
        st.session_state[LECTURE_KEY] = _seed_from_url(LECTURE_KEY, None, str)
    return st.session_state[LECTURE_KEY]


def set_lecture_model(name: str | None) -> None:
    st.session_state[LECTURE_KEY] = name


def lecture_entry() -> ModelEntry | None:
    """The library entry of the lecture model (None if unset or no longer in the library)."""
    name = lecture_model()
    return next((m for m in list_models() if m.name == name), None) if name else None


def dataset_label(name: str) -> str:
    """A data set's name where one is chosen: an imported set says it is yours, its kind and size
    ("strokes  (yours: 28×28 pictures, 1,000)"); a built-in one is its name."""
    from aecore.data.importing import list_user_datasets

    for d in list_user_datasets():
        if d["name"] == name:
            shape = d["image_shape"]
            kind = (
                f"{shape[1]}×{shape[2]}{' RGB' if shape[0] == 3 else ''} pictures"
                if shape
                else f"table of {d['input_dim']}"
            )
            return f"{name}  (yours: {kind}, {d['n_train'] + d['n_test']:,})"
    return name


def lecture_model_for(dataset: str) -> str | None:
    """The model that should become the lecture model when a page switches to ``dataset``: the one
    with the current lecture model's family and latent size, else the usual default of that data set."""
    models = [m for m in list_models() if m.dataset == dataset]
    cur = lecture_entry()
    if cur is not None:
        if cur.dataset == dataset:
            return cur.name
        same = [m for m in models if (m.family, m.latent_dim) == (cur.family, cur.latent_dim)]
        if same:
            return same[0].name
    prefer = tuple(f"{dataset}-{kind}-2d" for kind in ("vae", "ae", "dae"))
    return default_model_name(models, prefer) if models else None


def note_not_here(key: str, why: str, shown: Any) -> None:
    """Remember why the link's value for ``key`` was not used and what is ``shown`` instead;
    :func:`show_not_here` says it (a value a page cannot use is said, never swapped silently)."""
    st.session_state[f"_{key}_not_here"] = (why, shown)


def show_not_here(key: str, value: Any) -> None:
    """Show the note :func:`note_not_here` left for ``key`` while the page still shows its stand-in
    ``value``; forget it once another value is picked."""
    why, shown = st.session_state.get(f"_{key}_not_here") or (None, None)
    if why and shown == value:
        st.info(why)
    else:
        st.session_state.pop(f"_{key}_not_here", None)


def prepare_lecture_button() -> None:
    """The sidebar's "Prepare this lecture": ``python -m aecore prepare`` as a job in a child process
    (:func:`latentlab.server.child.prepare_job`), so every slow view (toy manifolds, overfitting, time-lapses,
    anomaly detectors, UMAP) is then on disk. While it runs (~10 minutes) its progress shows in the
    sidebar of every page and tab of this server, and the pages stay usable."""
    from latentlab.server.child import prepare_job

    job = prepare_job()
    running = job is not None and not job.done
    with st.sidebar:
        # Polled once a second only while a preparation runs (a fragment's own rerun, not the page's).
        st.fragment(_prepare_status, run_every=1.0 if running else None)(running)


def _prepare_status(was_running: bool) -> None:
    from latentlab.server.child import prepare_job

    job = prepare_job()
    if job is not None and not job.done:
        st.session_state["_prepare_watched"] = True
        st.progress(min(job.fraction, 1.0), text=f"Preparing the lecture: {job.message}")
        st.caption("Runs in the background: the pages stay usable.")
        return
    if was_running:
        st.rerun(scope="app")  # done: the page's sidebar without the once-a-second poll
    if job is not None and st.session_state.pop("_prepare_watched", False):
        r = job.result
        if r["ok"]:
            st.success(
                f"Lecture prepared: {r['items']} items ready ({r['cached']} were already), {r['seconds']:.0f} s."
            )
        else:
            st.error(r["message"])
    if st.button(
        "Prepare this lecture",
        key="_prepare_lecture",
        width="stretch",
        help="Computes, once, everything a page could otherwise make the class wait for "
        "(a few minutes, in the background; the same as `python -m aecore prepare`).",
    ):
        prepare_job(start=True)
        st.session_state["_prepare_watched"] = True
        st.rerun(scope="app")


# ---------------------------------------------------------------- deep links and presenter mode
# Every page keeps its view state in widget keys mirrored to the URL query string, so a copied URL
# reopens the exact view (lecture prep: bookmark each demo). Keys are page-prefixed, e.g. "ex_model".


def url_state(key: str, default, cast=str):
    """Seed ``st.session_state[key]`` (once) from ``?key=…`` in the URL, else from the value the page
    had when the lecturer last left it (:func:`keep_page_state`), else ``default``.

    Call it *before* creating the widget with ``key=key`` (and no ``value=``/``index=``).
    A URL value that :func:`parse_url_value` refuses (malformed, not finite, too large, too long)
    falls back to ``default``, leaves the URL and is named in the page's notice. A value that
    parses but does not fit the page (outside a slider's range, a z for another model) is caught by
    :func:`run_page`, which resets the link's values.
    """
    st.session_state.setdefault(_KEYS, set()).add(key)
    if key not in st.session_state:
        kept = st.session_state.get(_KEPT, {})
        st.session_state[key] = _seed_from_url(key, kept.get(key, default), cast)
    return st.session_state[key]


def _seed_from_url(key: str, default, cast):
    """The URL's value of ``key`` if there is one and it parses (then it waits for :func:`run_page`
    to see the page run with it), else ``default``."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        val = parse_url_value(raw, cast)
    except LinkValueError:
        st.session_state.setdefault(_NOTICE, []).append(key)
        del st.query_params[key]  # the address bar no longer carries what was not used
        return default
    st.session_state.setdefault(_UNVALIDATED, set()).add(key)
    return val


# ---------------------------------------------------------------- a page's view state, as one class


def truthy(s: Any) -> bool:
    """Cast for a yes/no setting in a URL: "1", "true" (any case) are yes, anything else no."""
    return str(s).strip().lower() in ("1", "true")


class Setting:
    """One setting of a page's view state (:class:`PageState`): a session-state key named
    ``<prefix>_<name>`` (``_<prefix>_<name>`` when ``private``; ``name`` defaults to the attribute's),
    its default and, when ``url``, its
    mirror in the address bar (read through ``cast``, bounded as :func:`url_state` does). Read and
    written as an attribute of the page's state object; its widget takes ``key=state.key("name")``."""

    def __init__(
        self,
        default: Any = None,
        cast: Callable = str,
        url: bool = True,
        private: bool = False,
        name: str = "",
        later: bool = False,
    ):
        self.default, self.cast, self.url, self.private = default, cast, url and not private, private
        self.name = name  # the key's suffix; default: the attribute's name
        #: Its default depends on what the page loads (a model's rectangle): the page seeds it with
        #: :meth:`PageState.seed_setting` once it knows the default, not when the state object is made.
        self.later = later

    def __set_name__(self, owner, name: str) -> None:
        self.name = self.name or name

    def key(self, prefix: str) -> str:
        return f"{'_' if self.private else ''}{prefix}_{self.name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return st.session_state.get(self.key(obj.prefix), self.default)

    def __set__(self, obj, value) -> None:
        st.session_state[self.key(obj.prefix)] = value


class PageState:
    """A page's view state in one place: a subclass names its ``prefix`` and its settings
    (:class:`Setting` class attributes), and no page spells a session-state key by hand. Making one
    seeds every URL setting (:func:`url_state`: from the link, else the value the page had when the
    lecturer last left it, else the default); :meth:`push` mirrors them back into the URL."""

    prefix: str = ""

    def __init_subclass__(cls, **kw) -> None:
        super().__init_subclass__(**kw)
        # A setting named like a method of PageState hides it (a "seed" setting once hid the method
        # that seeds settings, and the page raised only when that view was opened).
        clash = sorted(n for n, v in vars(cls).items() if isinstance(v, Setting) and hasattr(PageState, n))
        if clash:
            raise TypeError(f"{cls.__name__}: settings {clash} hide PageState's own attributes; rename them")

    def __init__(self) -> None:
        settings = self.settings()
        #: The settings this session had no value for before this run (seeded now: a first visit).
        self.fresh = {s.name for s in settings if s.key(self.prefix) not in st.session_state}
        for s in settings:
            if s.url and not s.later:
                url_state(s.key(self.prefix), s.default, s.cast)

    @classmethod
    def settings(cls) -> list[Setting]:
        return [v for k in dir(cls) if isinstance(v := getattr(cls, k), Setting)]

    def key(self, name: str) -> str:
        """The session-state (and widget) key of setting ``name``."""
        setting = getattr(type(self), name, None)
        if not isinstance(setting, Setting):
            raise AttributeError(f"{type(self).__name__} has no setting {name!r}")
        return setting.key(self.prefix)

    def seed_setting(self, name: str, default: Any) -> Any:
        """Seed a ``later`` setting now that its default is known (as :func:`url_state`); its value."""
        setting, key = getattr(type(self), name), self.key(name)
        return url_state(key, default, setting.cast) if setting.url else st.session_state.setdefault(key, default)

    def push(self, *names: str) -> None:
        """Mirror these URL settings (default: every one) into the address bar, so a copied URL
        reopens this view."""
        chosen = [getattr(type(self), n) for n in names] if names else self.settings()
        push_url(*(s.key(self.prefix) for s in chosen if s.url))


# ---------------------------------------------------------------- hostile links
# A link is input from anyone: a student can type any query string. Two layers keep every page
# standing. (1) parse_url_value: no cast yields a non-finite or absurdly large number, an over-long
# text or list; such a value is refused and the page uses its default. (2) run_page: a value that
# parses but that the page cannot use (outside a slider's range, an index past the data, a z of
# another length) makes the page raise; the guard then drops every value this link seeded and runs
# the page once more with its defaults. Streamlit itself resets a selectbox, radio or number_input
# whose session value is not among its options or inside its bounds; sliders raise instead, and so
# do the page's own computations, which no list of widget bounds would cover: hence the guard.

#: The largest magnitude of a number in any page's view state (a z, a level, a learning rate).
MAX_NUMBER = 1e6
#: Integers (seeds, indices, sizes) stay inside a 32-bit int: numpy seeds and JS numbers take them.
MAX_INT = 2**31 - 1
#: The longest text value (a model or data-set name, a tab's title, a picked option).
MAX_TEXT = 256
#: The most numbers in one value: a lasso polygon's coordinates, a vertex per 2 px of the stroke
#: (a z has at most a few hundred).
MAX_VALUES = 8192
#: The longest raw URL value looked at: MAX_VALUES numbers as repr text, with room to spare.
MAX_RAW = 120_000

_UNVALIDATED, _NOTICE, _RETRIED = "_url_unvalidated", "_url_notice", "_url_retried"


class LinkValueError(UserError):
    """A value in a link's query string that cannot be used (its message says which and why)."""


def finite_float(s: Any) -> float:
    """Cast for ``url_state``: a finite number no larger than :data:`MAX_NUMBER` in magnitude."""
    v = float(str(s).strip())
    if not math.isfinite(v) or abs(v) > MAX_NUMBER:
        raise LinkValueError(f"{str(s)[:40]!r} is not a usable number (finite, at most {MAX_NUMBER:g})")
    return v


def bounded_int(s: Any) -> int:
    """Cast for ``url_state``: an integer that fits in 32 bits ("7", "-3"; not "1e3" or 40 digits)."""
    text = str(s).strip()
    if len(text) > 12:
        raise LinkValueError(f"{text[:40]!r} is not a usable whole number")
    v = int(text)
    if abs(v) > MAX_INT:
        raise LinkValueError(f"{text!r} is too large")
    return v


def floats(s: Any) -> list[float]:
    """Cast for ``url_state``: "0.5,-1.2" → [0.5, -1.2]; every number finite (:func:`finite_float`),
    at most :data:`MAX_VALUES` of them."""
    parts = [v for v in str(s).split(",") if v.strip()]
    if len(parts) > MAX_VALUES:
        raise LinkValueError(f"{len(parts):,} numbers are more than a view holds ({MAX_VALUES:,})")
    return [finite_float(v) for v in parts]


#: The plain casts pages pass, replaced by their bounded versions.
_SAFE_CASTS = {int: bounded_int, float: finite_float}


def parse_url_value(raw: str, cast=str):
    """``cast(raw)`` for a URL value, or :class:`LinkValueError` (a ``ValueError``) saying why not.

    ``int`` and ``float`` are replaced by :func:`bounded_int` and :func:`finite_float`; whatever a
    cast returns is checked too (:func:`check_url_value`), so a page's own cast (a lambda) cannot let
    a NaN or a 5,000-character string through either."""
    if not isinstance(raw, str) or len(raw) > MAX_RAW:
        raise LinkValueError("the value is longer than any view needs")
    with translating(LinkValueError, f"The link's value {raw[:40]!r}"):
        val = _SAFE_CASTS.get(cast, cast)(raw)
    check_url_value(val)
    return val


def check_url_value(val: Any) -> None:
    """Raise :class:`LinkValueError` unless ``val`` is a sane view-state value: numbers finite and
    bounded, text at most :data:`MAX_TEXT` characters, lists at most :data:`MAX_VALUES` long."""
    if isinstance(val, bool) or val is None:
        return
    if isinstance(val, int):
        if abs(val) > MAX_INT:
            raise LinkValueError(f"{str(val)[:20]}… is too large")
    elif isinstance(val, float):
        if not math.isfinite(val) or abs(val) > MAX_NUMBER:
            raise LinkValueError(f"{val!r} is not a usable number")
    elif isinstance(val, str):
        if len(val) > MAX_TEXT:
            raise LinkValueError(f"a text of {len(val):,} characters is longer than any setting")
    elif isinstance(val, (list, tuple)):
        if len(val) > MAX_VALUES:
            raise LinkValueError(f"{len(val):,} values are more than a view holds")
        for v in val:
            if isinstance(v, (list, tuple)):
                raise LinkValueError("a nested list is not a setting")
            check_url_value(v)


def link_notice(keys: list[str]) -> str:
    """The short notice a page shows when some of its link's settings were not used."""
    names = list(dict.fromkeys(keys))
    shown = ", ".join(f"`{k[:40]}`" for k in names[:8]) + (", …" if len(names) > 8 else "")
    return f"Some settings in this link could not be used and were reset to their defaults: {shown}."


def run_page(page) -> None:
    """Run the page; if it raises while the URL carried values that no run has yet used without
    error, drop every value this link seeded (:func:`forget`), note them, and run the page again
    with its defaults, once. An error with no link value involved, or a second one, is the page's
    as before. Streamlit's own control flow (``st.rerun``, ``st.stop``: ``ScriptControlException``,
    a ``BaseException``) passes through untouched."""
    try:
        page.run()
    except Exception as exc:
        seeded = set(st.session_state.get(_UNVALIDATED, ()))
        # Values the failed run did not reach yet would seed the next run: drop them too, so that
        # the rerun starts from defaults and one rerun is all it takes.
        pending = {k for k in st.query_params if k not in st.session_state and k not in ("presenter", "playlist")}
        if not (seeded or pending) or st.session_state.get(_RETRIED):
            raise
        drop = sorted(seeded | pending)
        # One line, no traceback: the server log of the browser suite is checked for tracebacks.
        # labtools.browser.LOG_DEFECTS names its first words: keep them.
        _log.warning("link values %s reset after %s: %s", drop, type(exc).__name__, str(exc)[:200])
        forget(*drop)
        st.session_state[_UNVALIDATED] = set()
        st.session_state.setdefault(_NOTICE, []).extend(drop)
        st.session_state[_RETRIED] = True
        st.rerun()
    else:
        st.session_state[_UNVALIDATED] = set()  # this run used them without error
        st.session_state[_RETRIED] = False
        notice = st.session_state.pop(_NOTICE, None)
        if notice:
            st.toast(link_notice(notice), icon=":material/link_off:", duration="long")


# Streamlit drops a widget's value when a run does not draw the widget, so leaving a page reset
# all its settings. The app script calls keep_page_state() at the top of every run, before the page
# runs: the previous run's values of every url_state key are still there and are copied aside, and
# url_state restores them when the page is drawn again.
_KEYS, _KEPT = "_url_state_keys", "_kept_page_state"


def keep_page_state() -> None:
    """Copy the current value of every :func:`url_state` key aside, so that it survives page switches."""
    kept = st.session_state.setdefault(_KEPT, {})
    for key in st.session_state.get(_KEYS, ()):
        if key in st.session_state:
            kept[key] = st.session_state[key]


def forget(*keys: str) -> None:
    """Drop these view-state keys everywhere (session, kept copy, URL): e.g. a z of another model."""
    kept = st.session_state.get(_KEPT, {})
    for key in keys:
        st.session_state.pop(key, None)
        kept.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]


def push_url(*keys: str) -> None:
    """Mirror these session-state keys into the URL, so the address bar always restores this view."""
    for k in keys:
        v = st.session_state.get(k)
        if v is None:
            if k in st.query_params:
                del st.query_params[k]
            continue
        # Floats as repr: the shortest text that reads back as the same number, so that a bookmarked
        # or copied view decodes exactly the same z (4 digits changed the decoded image).
        s = (
            ",".join(repr(float(x)) if isinstance(x, float) else str(x) for x in v)
            if isinstance(v, (list, tuple))
            else (repr(float(v)) if isinstance(v, float) else str(v))
        )
        if st.query_params.get(k) != s:
            st.query_params[k] = s
