"""Train: pick a data set and a model, press Train, and watch the latent space organise itself.

Training never runs in this script: it is submitted to the server-wide job manager
(``latentlab.server.jobs``), which trains in a background process (at most N at once, the rest queued).
This page only polls a snapshot of the job from an ``st.fragment`` every second. The page is
:func:`main`; its view state is :class:`TrainState`.
"""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from aecore.data.corrupt import CORRUPTIONS
from aecore.data.sets import dataset_names, is_available, is_image_dataset
from aecore.errors import UserError
from aecore.storage.library import propose_model_name, user_model_note, user_model_path
from aecore.training.fit import SCHEDULES, TrainConfig
from aecore.training.recipes import MODEL_LABELS, Recipe, live_hidden, live_recon_loss, live_train_config
from latentlab.figures.training import loss_curve
from latentlab.server import jobs, queue
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.loaders import get_dataset, live_plane_url
from latentlab.ui.plain import ask_to_replace, plain
from latentlab.ui.state import (
    TRAIN_ARRIVE_DATASET,
    PageState,
    Setting,
    dataset_label,
    lecture_entry,
    page_file,
    set_lecture_model,
)
from latentlab.ui.theme import chart, is_presenter, show_advanced

# The families the Train page offers (the conv ones train too long for a live demo); names from the registry.
CHOICES = {m: MODEL_LABELS[m] for m in ("ae", "dae", "vae", "linear-ae")}
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 1.0, 10.0]
BATCHES = [32, 64, 128, 256, 512, 1024]
SCHEDULE_LABELS = {
    "constant": "constant",
    "cosine": "cosine decay to 0",
    "onecycle": "one-cycle (warm-up, then cosine)",
}
WIDTHS = ["auto", 16, 32, 64, 128, 256, 512]


def _int(v):
    return int(float(v))


def _width(v):
    return v if v == "auto" else int(v)


class TrainState(PageState):
    """What the Train page remembers (``tr_…`` in the session and the URL). The settings' defaults
    that depend on the data set (epochs, learning rate, batch, schedule) come from its live recipe."""

    prefix = "tr"
    dataset = Setting("digits")  # the data set trained on
    family = Setting("ae")  # the model family (CHOICES)
    k = Setting(2, _int)  # the latent size
    epochs = Setting(None, _int)  # from here on: the data set's live recipe by default
    lr = Setting(None, float)
    batch = Setting(None, _int)
    schedule = Setting(None)
    arch = Setting("MLP")  # advanced: MLP or Conv
    corruption = Setting("gaussian")  # advanced, DAE: the corruption and its level
    level = Setting(0.5, float)
    beta = Setting(1.0, float)  # advanced, VAE: the KL weight
    width = Setting("auto", _width)  # advanced: the first hidden layer's width, and the depth
    depth = Setting(2, _int)
    seed = Setting(0, _int)
    name = Setting(None)  # "Save as": proposed from the subject (data set, family, k)
    subject = Setting(None, private=True)  # the subject the name was proposed for
    lecture_seen = Setting(None, private=True)  # the lecture model this page last followed
    replace = Setting(False, url=False)  # "replace it?" (latentlab.ui.plain.ask_to_replace's key)
    replace_for = Setting(None, private=True)  # … the name that yes is for
    start = Setting(None, url=False)  # the Train button
    job = Setting(None, url=False)  # this session's training (its id in the job queue)
    adopted = Setting(None, private=True)  # the finished job whose model became the lecture model
    scatter = Setting(None, url=False)  # the live plane's key, the loss chart's, the Stop/Cancel buttons
    loss_chart = Setting(None, url=False)
    stop = Setting(None, url=False)
    cancel = Setting(None, url=False)
    cls = Setting(None, url=False, name="class")  # the class's trainings (a container)

    ADVANCED = ("arch", "corruption", "level", "beta", "width", "depth", "lr", "schedule", "batch", "seed")


def main() -> None:
    st.title("Train a model")
    st.caption(
        "Choose a data set and a model, press **Train**, and watch the codes z = f(x) of test images "
        "organise themselves epoch by epoch. The finished model opens in every page's model picker."
    )
    state = TrainState()
    mgr = queue.manager()
    snap = mgr.get(state.job) if state.job else None
    busy_here = snap is not None and not snap.is_finished  # this session's training runs: controls locked
    advanced = show_advanced()
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.subheader("What to train")
        ds_name = _dataset(state, busy_here)
        family, k, epochs = _model(state, ds_name, busy_here)
        if family == "vae":  # the β knob, in both modes: the β page's "Train this β live" sets it
            st.slider(
                "β (weight of the KL term)", 0.0, 10.0, step=0.1, key=state.key("beta"), disabled=busy_here,
                help="The VAE's loss is distortion + β × rate; β = 1 is the ELBO (the β knob page shows a sweep).",
            )  # fmt: skip
        opts = _advanced(state, ds_name, family, busy_here) if advanced else _simple(state, family)
        name, note, start = _name_and_go(state, ds_name, family, k, busy_here)
    state.push("dataset", "family", "k", "epochs", *(TrainState.ADVANCED if advanced else ("beta",)))
    if start and not busy_here:
        _submit(state, mgr, left, ds_name, family, k, epochs, opts, name, note)
    with right:
        st.fragment(live_view, run_every=_poll_every(mgr, busy_here))(state, mgr, busy_here)


def _live_defaults(state: TrainState) -> None:
    """Each data set starts from its own live recipe (aecore.training.recipes.LIVE_TRAIN): MNIST's reaches
    a decent 2-D AE in ~13 s on 2 cores, digits' in a few. Picking another data set resets these settings."""
    live = live_train_config(state.dataset)
    state.epochs, state.batch, state.lr, state.schedule = live.epochs, live.batch_size, live.lr, live.schedule


def _dataset(state: "TrainState", busy_here: bool) -> str:
    """The data set: one a link names (the address, or the Data sets page's hand-over) wins; else the
    lecture model's, when that changed since this page last drew; else the one picked here."""
    # A data set named by the address (a deep link, or a link from another page) wins over the
    # lecture model's below: the link said which set.
    named = "dataset" in state.fresh and st.query_params.get(state.key("dataset")) is not None
    names = dataset_names()
    lecture = lecture_entry()
    arrived = None if busy_here else st.session_state.pop(TRAIN_ARRIVE_DATASET, None)
    if arrived in names:
        state.dataset = arrived
        _live_defaults(state)
    if (named or arrived) and lecture is not None:
        state.lecture_seen = lecture.name
    if lecture is not None and state.lecture_seen != lecture.name and not busy_here:
        # The lecture model changed since this page last drew: train on its data set.
        state.lecture_seen = lecture.name
        if lecture.dataset in names and lecture.dataset != state.dataset:
            state.dataset = lecture.dataset
            _live_defaults(state)
    if state.dataset not in names:
        state.dataset = "digits"
    st.selectbox(
        "Data set",
        names,
        key=state.key("dataset"),
        disabled=busy_here,
        on_change=lambda: _live_defaults(state),
        format_func=lambda n: dataset_label(n) + ("" if is_available(n) else "  (data missing)"),
    )
    return state.dataset


def _model(state: "TrainState", ds_name: str, busy_here: bool) -> tuple[str, int, int]:
    """The family, the latent size and the epochs: ``(family, k, epochs)``."""
    live = live_train_config(ds_name)
    if state.family not in CHOICES:
        state.family = "ae"
    st.selectbox("Model family", list(CHOICES), key=state.key("family"), format_func=CHOICES.get, disabled=busy_here)
    st.number_input(
        "Latent size k (dimensions of z)", min_value=1, max_value=64, step=1, key=state.key("k"), disabled=busy_here
    )
    if state.epochs is None:
        state.epochs = live.epochs
    st.number_input(
        "Epochs",
        min_value=1,
        max_value=200,
        step=1,
        key=state.key("epochs"),
        disabled=busy_here,
        help="One epoch = one pass over the training images. digits: under 1 s each; MNIST: ~1.5 s "
        "each with the default network and batch on 2 cores.",
    )
    if state.lr not in LRS:
        state.lr = live.lr
    if state.batch not in BATCHES:
        state.batch = live.batch_size
    if state.schedule not in SCHEDULES:
        state.schedule = live.schedule
    return state.family, int(state.k), int(state.epochs)


def _simple(state: "TrainState", family: str) -> dict:
    """Without the advanced controls: the live recipe's optimiser, an MLP, a DAE's usual corruption, a
    VAE's β (its slider is shown in both modes)."""
    corruption, level = ("gaussian", 0.5) if family == "dae" else (None, 0.0)
    beta = float(state.beta) if family == "vae" else 1.0
    return dict(arch="MLP", corruption=corruption, level=level, beta=beta, width="auto", depth=2, seed=0,
                lr=float(state.lr), batch=int(state.batch), schedule=state.schedule)  # fmt: skip


def _advanced(state: "TrainState", ds_name: str, family: str, busy_here: bool) -> dict:
    """The architecture and optimiser, in an expander (advanced mode)."""
    opts = _simple(state, family) | {"corruption": None, "level": 0.0}
    with st.expander("Architecture and optimiser", expanded=True):
        if is_image_dataset(ds_name) and family != "linear-ae":
            st.radio(
                "Network",
                ["MLP", "Conv"],
                key=state.key("arch"),
                horizontal=True,
                disabled=busy_here,
                help="MLP: fully connected layers. Conv: two convolution layers (images only).",
            )
            opts["arch"] = state.arch
        if family == "dae":
            st.selectbox("Corruption", list(CORRUPTIONS), key=state.key("corruption"), disabled=busy_here)
            st.slider("Corruption level", 0.0, 1.0, step=0.05, key=state.key("level"), disabled=busy_here)
            opts["corruption"], opts["level"] = state.corruption, float(state.level)
        _network_and_optimiser(state, busy_here)
        opts.update(width=state.width, depth=int(state.depth), seed=int(state.seed))
        # lr, batch and schedule were read above the expander: a widget's new value is in session_state
        # from the start of the rerun, so reading it before the widget is the same.
        if opts["lr"] >= 1.0:
            st.warning(f"A learning rate of {opts['lr']:g} is far too large: expect training to diverge.")
    return opts


def _network_and_optimiser(state: "TrainState", busy_here: bool) -> None:
    """Width and depth, learning rate and its schedule, batch size and seed."""
    c1, c2 = st.columns(2)
    if state.width not in WIDTHS:
        state.width = "auto"
    c1.selectbox(
        "Width (first hidden layer)",
        WIDTHS,
        key=state.key("width"),
        disabled=busy_here,
        help="auto: 256/128 for MNIST-sized images (fast enough to train live), 128/64 for "
        "digits, 64/64 for point clouds.",
    )
    c2.number_input(
        "Depth (hidden layers)",
        1,
        4,
        step=1,
        key=state.key("depth"),
        disabled=busy_here,
        help="Each layer is half as wide as the one before. Conv nets always use two.",
    )
    st.select_slider(
        "Learning rate",
        LRS,
        key=state.key("lr"),
        format_func=lambda v: f"{v:g}",
        disabled=busy_here,
        help="The peak rate with a one-cycle schedule.",
    )
    st.selectbox(
        "Learning-rate schedule",
        list(SCHEDULES),
        key=state.key("schedule"),
        disabled=busy_here,
        format_func=SCHEDULE_LABELS.get,
        help="Decaying schedules end with tiny steps: the last epochs refine instead of jumping "
        "around, which is how a short live training still ends on a good model.",
    )
    c3, c4 = st.columns(2)
    c3.selectbox("Batch size", BATCHES, key=state.key("batch"), disabled=busy_here)
    c4.number_input(
        "Seed",
        0,
        10_000,
        step=1,
        key=state.key("seed"),
        disabled=busy_here,
        help="Same seed and settings give the same model.",
    )


def _name_and_go(state: "TrainState", ds_name: str, family: str, k: int, busy_here: bool):
    """ "Save as" and the Train button: ``(name, the note on a model of that name or None, pressed)``.

    The proposal names what is trained and is free (my-digits-ae-2d, else …-2): as proposed, a training
    never replaces a model. It follows its subject: picking another data set, family or k proposes
    again, so a name made for the previous set is never reused by accident."""
    suggested = propose_model_name(f"my-{ds_name}-{family}-{k}d")
    if state.name is None:
        state.name = suggested
    subject = [ds_name, family, k]
    if state.subject not in (None, subject) and not busy_here:
        state.name = suggested
    state.subject = subject
    st.text_input(
        "Save as (model name)",
        key=state.key("name"),
        max_chars=64,
        disabled=busy_here,
        help="Letters, digits, '-', '_', '.' and spaces. Your models are listed on the Model library page.",
    )
    name = state.name.strip()
    name_ok, replace, note = True, False, None
    if not busy_here:
        try:
            user_model_path(name)  # the one name rule (aecore.names); a shipped name is read-only
        except UserError as exc:
            name_ok = False
            msg = str(exc)
            st.error(plain(msg[:1].upper() + msg[1:] + "."))  # the name may come from the URL: shown as typed
        note = user_model_note(name) if name_ok else None
        replace = ask_to_replace("model", name, note, state.key("replace"), "Train")  # nothing replaced unasked
    ok_data = is_available(ds_name)
    if not ok_data:
        st.error(f"The {ds_name} data set is not on this machine. Pick digits or a toy data set.")
    start = st.button(
        "Train",
        type="primary",
        key=state.key("start"),
        disabled=busy_here or not ok_data or not name_ok or not replace,
        width="stretch",
    )
    return name, note, start


def _submit(state: "TrainState", mgr, left, ds_name: str, family: str, k: int, epochs: int, o: dict, name, note):
    """Queue the training (a recipe from the settings ``o``); a refusal is said beside the controls."""
    if o["width"] == "auto":
        hidden = live_hidden(ds_name) if o["arch"] == "MLP" and family != "linear-ae" else None
    else:
        hidden = tuple(max(4, int(o["width"]) // 2**i) for i in range(o["depth"]))
    model = family
    if o["arch"] == "Conv" and family in ("ae", "dae", "vae"):
        model = "conv-vae" if family == "vae" else "conv-ae"
        hidden = None if o["width"] == "auto" else (max(4, int(o["width"]) // 2), int(o["width"]))
    try:
        cfg = TrainConfig(
            epochs=epochs, batch_size=o["batch"], lr=o["lr"], seed=o["seed"], schedule=o["schedule"],
            corruption=o["corruption"], corruption_level=o["level"],
        )  # fmt: skip
        recipe = Recipe(
            dataset=ds_name, model=model, latent_dim=k, hidden=hidden, beta=o["beta"], train=cfg,
            recon_loss=live_recon_loss(ds_name, model),
        )  # fmt: skip
        ds = get_dataset(ds_name)  # shared with the other pages: one copy in memory
        state.job = mgr.submit(
            recipe, name, dataset=ds, overwrite=note is not None, scatter_every=1 if epochs <= 20 else 2
        )
        state.replace_for = None  # a yes holds for one training: ask again next time
        st.rerun()
    except (UserError, ValueError) as exc:  # a name taken meanwhile, an unknown data set: said, not raised
        with left:
            st.error(f"Cannot start training: {exc}")
    except jobs.ServerBusy as exc:
        with left:
            st.warning(str(exc))


# ---------------------------------------------------------------- live view of the job
def _links(pages) -> None:
    """Page links, or plain names when the page runs outside the app's navigation (AppTest)."""
    for col, (path, label) in zip(st.columns(len(pages)), pages):
        try:
            col.page_link(path, label=label)
        except StreamlitAPIException:
            col.markdown(f"*{label}*")


def _draw(state: TrainState, mgr, s: jobs.JobSnapshot) -> None:
    """The job's progress, its live plane of codes and its loss curve; Stop or Cancel; the links once done."""
    if s.state == jobs.QUEUED:
        st.info(s.message)
    pct = int(round(100 * s.fraction))
    st.progress(s.fraction, text=f"**{pct}%** · epoch {s.epoch} of {s.epochs} · {s.elapsed:.0f} s")
    if s.state == jobs.RUNNING:
        st.markdown(f"**Training '{s.name}'.** {s.message}")
    elif s.state == jobs.DONE:
        st.success(s.message)
    elif s.state == jobs.STOPPED:
        st.warning(s.message)
    elif s.state == jobs.FAILED:
        st.error(s.message)
    elif s.state == jobs.CANCELLED:
        st.info(s.message)
    a, b = st.columns([3, 2])
    with a:
        if s.codes is not None:
            st.markdown(
                f"**Codes z = f(x) of {len(s.codes):,} test images, epoch {s.codes_epoch}**"
                + (" (first two PCA axes)" if s.recipe.get("latent_dim", 2) > 2 else "")
            )
            latent_map(
                live_plane_url(s.id, s.codes_epoch, s.codes, s.labels, tuple(s.class_names)),
                key=state.key("scatter"),
                options=PlaneOptions(
                    height=460,
                    presenter=is_presenter(),
                    live=True,
                    local=True,  # nothing here answers a click, and the decoder is still changing
                    hint="The codes move as the encoder learns. Drag to pan, scroll to zoom.",
                ),
            )
        else:
            st.markdown("**Codes z = f(x) of test images**")
            st.caption("The latent map appears after the first epoch.")
    with b:
        st.markdown("**Loss per epoch**")
        chart(
            loss_curve(s.history, height=400),
            state.key("loss_chart"),
            config={"displaylogo": False, "staticPlot": True},
        )
    if s.state == jobs.RUNNING:
        if st.button("Stop (keep the best model so far)", key=state.key("stop")):
            mgr.stop(s.id)
            st.rerun(scope="fragment")
    elif s.state == jobs.QUEUED:
        if st.button("Cancel", key=state.key("cancel")):
            mgr.stop(s.id)
            st.rerun()
    if s.saved_path and s.is_finished:
        if state.adopted != s.id:
            # A model just trained is what the lecturer wants to show next: every page opens on it.
            state.adopted = s.id
            set_lecture_model(s.name)
        st.markdown(f"**'{s.name}'** is now the lecture model: every page that can show it opens on it.")
        _links(
            [
                (page_file("home"), "Latent map"),
                (page_file("explorer"), "Latent explorer"),
                (page_file("library"), "Model library"),
            ]
        )


def _class_trainings(state: TrainState, mgr, own: str | None) -> None:
    """Everyone else's trainings that have not finished: on a lecture hall's server (``./run.sh serve``)
    the whole class's, from every replica, with live progress; queued ones with their place."""
    others = [j for j in mgr.jobs() if not j.is_finished and j.id != own]
    if not others:
        return
    with st.container(key=state.key("cls")):
        st.markdown("**The class's trainings**")
        st.table(
            [
                {
                    "model": j.name,
                    "state": f"queued, position {j.queue_position}" if j.state == jobs.QUEUED else j.state,
                    "progress": f"epoch {j.epoch} of {j.epochs} · {round(100 * j.fraction)}%",
                }
                for j in others
            ]
        )


def _poll_every(mgr, busy_here: bool) -> float | None:
    """Poll while this session's training runs, and (less often) while anyone else's does."""
    return 1.0 if busy_here else 2.0 if any(not j.is_finished for j in mgr.jobs()) else None


def live_view(state: TrainState, mgr, busy_here: bool) -> None:
    """The job of this session (or an invitation to start one) and the class's other trainings."""
    s = mgr.get(state.job or "")
    if s is None:
        st.subheader("Progress")
        c = mgr.counts()
        st.info("Press **Train** to start. Progress, the loss curve and the latent map appear here.")
        st.caption(f"Server: {c['running']} training(s) running, {c['queued']} waiting (at most {c['limit']} at once).")
        _class_trainings(state, mgr, None)
        return
    st.subheader(f"Progress: {s.name}")
    _draw(state, mgr, s)
    _class_trainings(state, mgr, s.id)
    if s.is_finished and busy_here:
        # The job ended while we were polling: one full rerun re-enables the controls and stops polling.
        st.rerun(scope="app")


main()
