"""Train: pick a data set and a model, press Train, and watch the latent space organise itself.

Training never runs in this script: it is submitted to the server-wide job manager
(``latentlab.server.jobs``), which trains in a background process (at most N at once, the rest queued).
This page only polls a snapshot of the job from an ``st.fragment`` every second.
"""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from aecore.data.corrupt import CORRUPTIONS
from aecore.data.sets import dataset_names, is_available, is_image_dataset
from aecore.errors import UserError
from aecore.storage.library import propose_model_name, user_model_note, user_model_path
from aecore.training.fit import SCHEDULES, TrainConfig
from aecore.training.recipes import MODEL_LABELS, Recipe, live_hidden, live_train_config
from latentlab.figures.training import loss_curve
from latentlab.server import jobs, queue
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.loaders import get_dataset, live_plane_url
from latentlab.ui.plain import ask_to_replace, plain
from latentlab.ui.state import (
    TRAIN_ARRIVE_DATASET,
    dataset_label,
    lecture_entry,
    push_url,
    set_lecture_model,
    url_state,
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
mgr = queue.manager()
#: Set by a link that opens this page on a data set ("Train a model on 'X'" on the Data sets page):
#: taken once, it selects that set whatever this page showed before.

st.title("Train a model")
st.caption(
    "Choose a data set and a model, press **Train**, and watch the codes z = f(x) of test images "
    "organise themselves epoch by epoch. The finished model opens in every page's model picker."
)


def _int(v):
    return int(float(v))


def _width(v):
    return v if v == "auto" else int(v)


# ---------------------------------------------------------------- the job of this session (if any)
job_id = st.session_state.get("tr_job")
snap = mgr.get(job_id) if job_id else None
busy_here = snap is not None and not snap.is_finished

# ---------------------------------------------------------------- controls
advanced = show_advanced()
left, right = st.columns([1, 2], gap="large")
with left:
    st.subheader("What to train")

    def _live_defaults() -> None:
        # Each data set starts from its own live recipe (aecore.training.recipes.LIVE_TRAIN): MNIST's reaches a
        # decent 2-D AE in ~13 s on 2 cores, digits' in a few. Picking another data set resets these settings.
        live = live_train_config(st.session_state["tr_dataset"])
        st.session_state.update(
            tr_epochs=live.epochs, tr_batch=live.batch_size, tr_lr=live.lr, tr_schedule=live.schedule
        )

    # A data set named by the address (a deep link, or a link from another page) wins over the
    # lecture model's below: the link said which set.
    named = "tr_dataset" not in st.session_state and st.query_params.get("tr_dataset") is not None
    url_state("tr_dataset", "digits")
    names = dataset_names()
    lecture = lecture_entry()
    arrived = None if busy_here else st.session_state.pop(TRAIN_ARRIVE_DATASET, None)
    if arrived in names:
        st.session_state["tr_dataset"] = arrived
        _live_defaults()
    if (named or arrived) and lecture is not None:
        st.session_state["_tr_lecture_seen"] = lecture.name
    if lecture is not None and st.session_state.get("_tr_lecture_seen") != lecture.name and not busy_here:
        # The lecture model changed since this page last drew: train on its data set.
        st.session_state["_tr_lecture_seen"] = lecture.name
        if lecture.dataset in names and lecture.dataset != st.session_state["tr_dataset"]:
            st.session_state["tr_dataset"] = lecture.dataset
            _live_defaults()
    if st.session_state["tr_dataset"] not in names:
        st.session_state["tr_dataset"] = "digits"

    st.selectbox(
        "Data set",
        names,
        key="tr_dataset",
        disabled=busy_here,
        on_change=_live_defaults,
        format_func=lambda n: dataset_label(n) + ("" if is_available(n) else "  (data missing)"),
    )
    ds_name = st.session_state["tr_dataset"]
    live = live_train_config(ds_name)
    is_image = is_image_dataset(ds_name)

    url_state("tr_family", "ae")
    if st.session_state["tr_family"] not in CHOICES:
        st.session_state["tr_family"] = "ae"
    st.selectbox("Model family", list(CHOICES), key="tr_family", format_func=CHOICES.get, disabled=busy_here)
    family = st.session_state["tr_family"]

    url_state("tr_k", 2, _int)
    st.number_input(
        "Latent size k (dimensions of z)", min_value=1, max_value=64, step=1, key="tr_k", disabled=busy_here
    )
    url_state("tr_epochs", live.epochs, _int)
    st.number_input(
        "Epochs",
        min_value=1,
        max_value=200,
        step=1,
        key="tr_epochs",
        disabled=busy_here,
        help="One epoch = one pass over the training images. digits: under 1 s each; MNIST: ~1.5 s "
        "each with the default network and batch on 2 cores.",
    )
    url_state("tr_lr", live.lr, float)
    url_state("tr_batch", live.batch_size, _int)
    url_state("tr_schedule", live.schedule)
    if st.session_state["tr_lr"] not in LRS:
        st.session_state["tr_lr"] = live.lr
    if st.session_state["tr_batch"] not in BATCHES:
        st.session_state["tr_batch"] = live.batch_size
    if st.session_state["tr_schedule"] not in SCHEDULES:
        st.session_state["tr_schedule"] = live.schedule

    arch, corruption, level, beta = "MLP", None, 0.0, 1.0
    width, depth, seed = "auto", 2, 0
    lr, batch = float(st.session_state["tr_lr"]), int(st.session_state["tr_batch"])
    schedule = st.session_state["tr_schedule"]
    if advanced:
        with st.expander("Architecture and optimiser", expanded=True):
            if is_image and family != "linear-ae":
                url_state("tr_arch", "MLP")
                st.radio(
                    "Network",
                    ["MLP", "Conv"],
                    key="tr_arch",
                    horizontal=True,
                    disabled=busy_here,
                    help="MLP: fully connected layers. Conv: two convolution layers (images only).",
                )
                arch = st.session_state["tr_arch"]
            if family == "dae":
                url_state("tr_corruption", "gaussian")
                st.selectbox("Corruption", list(CORRUPTIONS), key="tr_corruption", disabled=busy_here)
                url_state("tr_level", 0.5, float)
                st.slider("Corruption level", 0.0, 1.0, step=0.05, key="tr_level", disabled=busy_here)
                corruption, level = st.session_state["tr_corruption"], float(st.session_state["tr_level"])
            if family == "vae":
                url_state("tr_beta", 1.0, float)
                st.slider("β (weight of the KL term)", 0.0, 10.0, step=0.1, key="tr_beta", disabled=busy_here)
                beta = float(st.session_state["tr_beta"])
            c1, c2 = st.columns(2)
            url_state("tr_width", "auto", _width)
            if st.session_state["tr_width"] not in WIDTHS:
                st.session_state["tr_width"] = "auto"
            c1.selectbox(
                "Width (first hidden layer)",
                WIDTHS,
                key="tr_width",
                disabled=busy_here,
                help="auto: 256/128 for MNIST-sized images (fast enough to train live), 128/64 for "
                "digits, 64/64 for point clouds.",
            )
            url_state("tr_depth", 2, _int)
            c2.number_input(
                "Depth (hidden layers)",
                1,
                4,
                step=1,
                key="tr_depth",
                disabled=busy_here,
                help="Each layer is half as wide as the one before. Conv nets always use two.",
            )
            st.select_slider(
                "Learning rate",
                LRS,
                key="tr_lr",
                format_func=lambda v: f"{v:g}",
                disabled=busy_here,
                help="The peak rate with a one-cycle schedule.",
            )
            st.selectbox(
                "Learning-rate schedule",
                list(SCHEDULES),
                key="tr_schedule",
                disabled=busy_here,
                format_func=SCHEDULE_LABELS.get,
                help="Decaying schedules end with tiny steps: the last epochs refine instead of jumping "
                "around, which is how a short live training still ends on a good model.",
            )
            c3, c4 = st.columns(2)
            c3.selectbox("Batch size", BATCHES, key="tr_batch", disabled=busy_here)
            url_state("tr_seed", 0, _int)
            c4.number_input(
                "Seed",
                0,
                10_000,
                step=1,
                key="tr_seed",
                disabled=busy_here,
                help="Same seed and settings give the same model.",
            )
            width, depth = st.session_state["tr_width"], int(st.session_state["tr_depth"])
            # lr, batch and schedule were read above the expander: a widget's new value is in
            # session_state from the start of the rerun, so reading it before the widget is the same.
            seed = int(st.session_state["tr_seed"])
            if lr >= 1.0:
                st.warning(f"A learning rate of {lr:g} is far too large: expect training to diverge.")
    elif family == "dae":
        corruption, level = "gaussian", 0.5

    k, epochs = int(st.session_state["tr_k"]), int(st.session_state["tr_epochs"])
    # The proposal names what is trained and is free (my-digits-ae-2d, else …-2): as proposed, a
    # training never replaces a model. It follows its subject: picking another data set, family
    # or k proposes again, so a name made for the previous set is never reused by accident.
    suggested = propose_model_name(f"my-{ds_name}-{family}-{k}d")
    url_state("tr_name", suggested)
    subject = [ds_name, family, k]
    if st.session_state.get("_tr_subject") not in (None, subject) and not busy_here:
        st.session_state["tr_name"] = suggested
    st.session_state["_tr_subject"] = subject
    st.text_input(
        "Save as (model name)",
        key="tr_name",
        max_chars=64,
        disabled=busy_here,
        help="Letters, digits, '-', '_', '.' and spaces. Your models are listed on the Model library page.",
    )
    name = st.session_state["tr_name"].strip()
    name_ok, replace, note = True, False, None
    if not busy_here:
        try:
            user_model_path(name)  # the one name rule (aecore.names); a shipped name is read-only
        except UserError as exc:
            name_ok = False
            msg = str(exc)
            st.error(plain(msg[:1].upper() + msg[1:] + "."))  # the name may come from the URL: shown as typed
        note = user_model_note(name) if name_ok else None
        replace = ask_to_replace("model", name, note, "tr_replace", "Train")  # nothing replaced unasked
    ok_data = is_available(ds_name)
    if not ok_data:
        st.error(f"The {ds_name} data set is not on this machine. Pick digits or a toy data set.")
    start = st.button(
        "Train",
        type="primary",
        key="tr_start",
        disabled=busy_here or not ok_data or not name_ok or not replace,
        width="stretch",
    )

push_url(
    "tr_dataset",
    "tr_family",
    "tr_k",
    "tr_epochs",
    *(
        (
            "tr_arch",
            "tr_corruption",
            "tr_level",
            "tr_beta",
            "tr_width",
            "tr_depth",
            "tr_lr",
            "tr_schedule",
            "tr_batch",
            "tr_seed",
        )
        if advanced
        else ()
    ),
)

if start and not busy_here:
    if width == "auto":
        hidden = live_hidden(ds_name) if arch == "MLP" and family != "linear-ae" else None
    else:
        hidden = tuple(max(4, int(width) // 2**i) for i in range(depth))
    model = family
    if arch == "Conv" and family in ("ae", "dae", "vae"):
        model = "conv-vae" if family == "vae" else "conv-ae"
        hidden = None if width == "auto" else (max(4, int(width) // 2), int(width))
    try:
        recipe = Recipe(
            dataset=ds_name,
            model=model,
            latent_dim=k,
            hidden=hidden,
            beta=beta,
            train=TrainConfig(
                epochs=epochs,
                batch_size=batch,
                lr=lr,
                seed=seed,
                schedule=schedule,
                corruption=corruption,
                corruption_level=level,
            ),
        )
        ds = get_dataset(ds_name)  # shared with the other pages: one copy in memory
        st.session_state["tr_job"] = mgr.submit(
            recipe, name, dataset=ds, overwrite=note is not None, scatter_every=1 if epochs <= 20 else 2
        )
        st.session_state["_tr_replace_for"] = None  # a yes holds for one training: ask again next time
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


def _draw(s: jobs.JobSnapshot) -> None:
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
                key="tr_scatter",
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
        chart(loss_curve(s.history, height=400), "tr_loss_chart", config={"displaylogo": False, "staticPlot": True})
    if s.state == jobs.RUNNING:
        if st.button("Stop (keep the best model so far)", key="tr_stop"):
            mgr.stop(s.id)
            st.rerun(scope="fragment")
    elif s.state == jobs.QUEUED:
        if st.button("Cancel", key="tr_cancel"):
            mgr.stop(s.id)
            st.rerun()
    if s.saved_path and s.is_finished:
        if st.session_state.get("_tr_adopted") != s.id:
            # A model just trained is what the lecturer wants to show next: every page opens on it.
            st.session_state["_tr_adopted"] = s.id
            set_lecture_model(s.name)
        st.markdown(f"**'{s.name}'** is now the lecture model: every page that can show it opens on it.")
        _links(
            [
                ("latentlab/ui/pages/home.py", "Latent map"),
                ("latentlab/ui/pages/explorer.py", "Latent explorer"),
                ("latentlab/ui/pages/library.py", "Model library"),
            ]
        )


def _class_trainings(own: str | None) -> None:
    """Everyone else's trainings that have not finished: on a lecture hall's server (``./run.sh serve``)
    the whole class's, from every replica, with live progress; queued ones with their place."""
    others = [j for j in mgr.jobs() if not j.is_finished and j.id != own]
    if not others:
        return
    with st.container(key="tr_class"):
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


# Poll while this session's training runs, and (less often) while anyone else's does.
class_busy = any(not j.is_finished for j in mgr.jobs())


@st.fragment(run_every=1.0 if busy_here else 2.0 if class_busy else None)
def live_view() -> None:
    s = mgr.get(st.session_state.get("tr_job", ""))
    if s is None:
        st.subheader("Progress")
        c = mgr.counts()
        st.info("Press **Train** to start. Progress, the loss curve and the latent map appear here.")
        st.caption(f"Server: {c['running']} training(s) running, {c['queued']} waiting (at most {c['limit']} at once).")
        _class_trainings(None)
        return
    st.subheader(f"Progress: {s.name}")
    _draw(s)
    _class_trainings(s.id)
    if s.is_finished and busy_here:
        # The job ended while we were polling: one full rerun re-enables the controls and stops polling.
        st.rerun(scope="app")


with right:
    live_view()
