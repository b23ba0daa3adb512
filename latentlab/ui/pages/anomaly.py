"""Anomalies: an AE reconstructs what it was trained on well and anything else badly, so the
reconstruction error ‖x − g(f(x))‖² flags out-of-distribution inputs. The page is :func:`main`; its
view state is :class:`AnomalyState`."""

from contextlib import nullcontext

import numpy as np
import streamlit as st

from aecore.analysis import anomaly, coding, denoise
from aecore.analysis.requirements import held_out_classes
from aecore.data.importing import dataset_key
from aecore.data.sets import is_available
from aecore.lecture import prepare
from aecore.storage.library import find_model
from aecore.training.fit import TrainingDiverged
from latentlab.figures.demos import channel_bars_figure, distance_contour_figure, roc_figure, score_histogram_figure
from latentlab.ui.demo_common import (
    IMAGE_SETS,
    model_of,
    pick_image_set,
    pick_toy,
    require_fit,
    require_models,
    set_label,
)
from latentlab.ui.glossary import define
from latentlab.ui.loaders import computed_once, get_dataset, require_dataset
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, main_visual, page_header, show_image

N_WORST = 8
SOURCES = {"pictures": "A data set: pictures, or your own", "sensors": "A machine's sensor log (built-in table)"}


class AnomalyState(PageState):
    """What the Anomalies page remembers (``an_…`` in the session and the URL)."""

    prefix = "an"
    src = Setting("pictures")  # pictures (a data set) or the sensor log (SOURCES)
    data = Setting(None, url=False)  # the data set (seeded and mirrored by demo_common.pick_image_set)
    ood = Setting(None)  # out of distribution is: "other" (another data set) or "class" (a held-out class)
    cls = Setting(0, int, name="class")  # the held-out class
    thr = Setting(95, int)  # the threshold, a percentile of the normal scores
    seed = Setting(0, int)  # the sensor log's seed (which pump)
    trained = Setting(None, url=False)  # the (data set, class) detectors trained in this session: a set
    train = Setting(None, url=False)  # "Train it now"
    s_kind = Setting(None, url=False)  # the sensor log's faulty minute: its kind and number
    s_row = Setting(None, url=False)
    toy = Setting(None, url=False)  # the toy model (seeded and mirrored by demo_common.pick_toy)
    hist = Setting(None, url=False)  # the charts' keys
    roc = Setting(None, url=False)
    contour = Setting(None, url=False)
    s_hist = Setting(None, url=False)
    s_roc = Setting(None, url=False)
    s_bars = Setting(None, url=False)


def live_model_without(dataset: str, cls: int, epochs: int, label: str):
    """A vanilla AE trained without class ``cls``: from disk when prepared (``python -m aecore
    prepare``), else trained here once (with a progress bar)."""
    return computed_once(
        ("anomaly-without", dataset_key(dataset), cls, epochs),
        label,
        lambda on_progress: prepare.model_without_class(dataset, cls, epochs, on_progress=on_progress),
    )


@st.cache_data(show_spinner="Scoring every test image…", max_entries=32)
def cached_scores(_model, model_key, in_set: str, out_set: str, cls: int | None):
    """Scores and the test-split rows they belong to (on disk once prepared). ``cls`` set:
    held-out-class scenario."""
    return prepare.recon_scores(_model, model_key, in_set, out_set, cls, prepare.MAX_SCORES)


def sensor_detector(seed: int):
    """The sensor-log demo's AE and its data set, trained once per seed per server (a progress bar
    the first time)."""
    return computed_once(
        ("anomaly-sensors", seed),
        "Training the detector on the healthy log (an AE with k = 3)",
        lambda on_progress: anomaly.train_sensor_detector(seed, on_progress=on_progress),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def sensor_errors(seed: int) -> np.ndarray:
    model, ds = sensor_detector(seed)
    return anomaly.channel_errors(model, ds.x_test)  # (N, 12)


def threshold_slider(state: AnomalyState, normal: str) -> None:
    """The detector's threshold (URL-backed ``an_thr``): a percentile of the ``normal`` scores."""
    state.thr = int(np.clip(state.thr, 50, 100))
    st.sidebar.slider(
        f"Threshold: flag scores above this percentile of the {normal} scores",
        50,
        100,
        step=1,
        key=state.key("thr"),
        help="95 flags the worst 5% of normal inputs as false alarms; move it to trade "
        "false alarms against missed anomalies.",
    )


def _one_minute(
    state: AnomalyState, model, ds, score: np.ndarray, thr: float, blame: np.ndarray, broken: np.ndarray
) -> None:
    """One faulty minute, picked by kind and number: which sensor broke, which one the AE blames, its
    score against the threshold, and its reading beside its reconstruction."""
    y = ds.y_test.numpy()
    names = ds.meta["columns"]
    c1, c2 = st.columns([1, 3], gap="large")
    with c1:
        kind = st.radio("A faulty minute of kind", ds.class_names[1:], key=state.key("s_kind"))
        f = ds.class_names.index(kind)
        which = np.flatnonzero(y == f)
        i = st.number_input(
            "Minute", 1, len(which), 1, key=state.key("s_row"), help="One of this kind's faulty minutes."
        )
        row = int(which[int(i) - 1])
        st.markdown(f"Broken: **{names[broken[row]]}**  \nThe AE's largest error: **{names[blame[row]]}**")
        st.markdown(f"Score {score[row]:.4f}: {'**flagged**' if score[row] > thr else 'passed as normal'}")
    recon = coding.reconstruct_array(model, ds.x_test[row : row + 1])[0]  # (12,)
    chart(
        channel_bars_figure(ds.x_test[row].numpy(), recon, names, int(broken[row]), f"{kind}: the reading and its x̂"),
        state.key("s_bars"),
        c2,
        max_height=440,
    )


def sensor_log_demo(state: AnomalyState) -> None:
    """A pump's 12 sensors (aecore.data.sensors): an AE trained on the healthy log flags three kinds
    of fault by its reconstruction error, and its largest per-channel error names the broken sensor."""
    sb = st.sidebar
    sb.selectbox(
        "Log",
        list(range(5)),
        key=state.key("seed"),
        format_func=lambda s: f"pump #{s + 1} (seed {s})",
        help="Each seed is another pump's log: the same physics, other weather and duty, other faults.",
    )
    threshold_slider(state, "healthy")
    state.push("seed", "thr")
    seed = int(state.seed)
    model, ds = sensor_detector(seed)
    err = sensor_errors(seed)  # (N, 12)
    y = ds.y_test.numpy()
    broken = np.asarray(ds.meta["fault_channel"])  # (N,) -1 for healthy rows
    score = err.mean(1)
    s_in, s_out = score[y == 0], score[y > 0]
    thr = anomaly.threshold_at_percentile(s_in, state.thr)
    r = anomaly.roc(s_in, s_out)
    cm = anomaly.confusion_at(s_in, s_out, thr)
    a, b = main_visual().columns([3, 2], gap="large")
    chart(
        score_histogram_figure(s_in, s_out, thr, "healthy readings", "faulty readings"),
        state.key("s_hist"),
        a,
        max_height=460,
        slide_px=450,
    )
    chart(roc_figure(r, (cm.fpr, cm.tpr)), state.key("s_roc"), b, max_height=460, slide_px=450)
    m1, m2, m3 = st.columns(3)
    m1.metric("AUC, all faults", f"{r.auc:.3f}")
    m2.metric("Faults caught (TPR)", f"{cm.tpr:.0%}")
    m3.metric("False alarms (FPR)", f"{cm.fpr:.0%}")
    st.markdown(
        f"**Detector:** an MLP AE with a 3-D code (the log's three hidden operating variables: load, speed, "
        f"ambient temperature), trained on {len(ds.x_train):,} healthy minutes. **Score:** the mean squared "
        f"reconstruction error over the 12 channels. **Test:** {len(s_in):,} healthy and {len(s_out):,} faulty minutes."
    )

    st.subheader("Each kind of fault, and which channel broke")
    blame = anomaly.blamed_channel(err, err[y == 0])
    single = anomaly.single_channel_scores(ds.x_train.numpy(), ds.x_test.numpy())
    rows = [
        {
            "fault": r.kind,
            "minutes": r.minutes,
            "caught at this threshold": f"{r.caught:.0%}",
            "AUC (the AE)": f"{r.auc:.3f}",
            "AUC (each channel on its own)": f"{r.auc_single:.3f}",
            "largest error on the broken channel": "–" if r.blamed_right is None else f"{r.blamed_right:.0%}",
        }
        for r in anomaly.fault_rows(score, y, thr, single, blame, broken, ds.class_names[1:])
    ]
    st.table(rows)  # a static table: readable on a slide, and the numbers are the lesson
    st.caption(
        "*Each channel on its own*: flag a minute when any channel is far from its usual range (its largest "
        "|z-score|). A drift moves a value out of its range and that finds it; a stuck sensor or a broken "
        "correlation leaves every value in range: only their disagreement with the other channels gives them "
        "away, and that is what the AE's reconstruction measures. *Broken channel*: the one whose error is "
        "largest compared with its error on healthy minutes."
    )

    _one_minute(state, model, ds, score, thr, blame, broken)


def main() -> None:
    page_header(
        "Anomalies: reconstruction error as a detector",
        "Score every test input by how badly the AE reconstructs it. Inputs unlike the training data "
        "reconstruct badly: a threshold on the score flags them.",
    )
    state = AnomalyState()
    if state.src not in SOURCES:
        state.src = "pictures"
    st.sidebar.radio("Data", list(SOURCES), key=state.key("src"), format_func=SOURCES.get)
    state.push("src")
    if state.src == "sensors":
        sensor_log_demo(state)
        st.stop()
    data = pick_image_set(state.key("data"), ("ae",), imported=("image", "table"))
    ds = require_dataset(data)
    # An imported set has no shipped model: its detector is trained here (the held-out-class scenario).
    models = require_models(data, ("ae",)) if data in IMAGE_SETS else {}
    scenario, other = _scenario(state, data, ds)
    model, model_key, in_set, out_set, cls, detector = _detector(state, data, ds, models, scenario, other)
    s_in, s_out, idx_in, idx_out = cached_scores(model, model_key, in_set, out_set, cls)
    _results(state, ds, s_in, s_out, in_set, out_set, cls, detector)
    _worst(model, ds, s_in, s_out, idx_in, idx_out, in_set, out_set)
    if ds.is_image:  # a table ends with its worst rows
        _toy(state)


def _scenario(state: AnomalyState, data: str, ds) -> tuple[str, str | None]:
    """What out of distribution is (another data set, where there is one, or a held-out class), the
    held-out class and the threshold: ``(scenario, the other set or None)``."""
    sb = st.sidebar
    scenarios = {"class": "A class the model never saw"}
    other = anomaly.OTHER_SET.get(data)
    if other and is_available(other):
        scenarios = {"other": f"Another data set ({set_label(other)})", **scenarios}
    if state.ood not in scenarios:
        state.ood = next(iter(scenarios))
    scenario = sb.radio(
        "Out of distribution is…", list(scenarios), key=state.key("ood"), format_func=lambda k: scenarios[k]
    )
    if scenario == "class":
        # A user's set may have one class, or a class with no test row: said here, never a ZeroDivisionError.
        require_fit(ds, "anomaly-class")
        can_hold_out = held_out_classes(ds)
        if state.cls not in can_hold_out:
            state.cls = can_hold_out[0]
        sb.selectbox("Held-out class", can_hold_out, key=state.key("cls"), format_func=lambda c: ds.class_names[c])
    threshold_slider(state, "in-distribution")
    state.push("ood", "cls", "thr")
    return scenario, other


def _detector(state: AnomalyState, data: str, ds, models: dict, scenario: str, other: str | None):
    """The detector and the two sets it is measured on: a shipped AE against another data set, or an AE
    trained without one class (from disk, or trained here after a button): ``(model, its key, the in
    set, the out set, the held-out class or None, the line that says what is measured)``."""
    unit = "images" if ds.is_image else "rows"
    if scenario == "other":
        entry = models["ae"]
        model, model_key = model_of(entry), prepare.file_model_key(entry.path)
        in_set, out_set, cls = data, other, None
        detector = (
            f"**Detector:** `{entry.name}` (trained on {set_label(data)}). **In:** {set_label(data)} test "
            f"images. **Out:** {set_label(other)} test images."
        )
    else:
        cls = int(state.cls)
        in_set = out_set = data
        small = len(ds.x_train) < 5000
        epochs = prepare.heldout_epochs(ds)  # ds: loaded already
        cname = ds.class_names[cls]
        trained = state.trained or set()  # the (data set, class) detectors trained in this session
        ready = prepare.heldout_ready(data, cls, epochs)  # prepared on disk: no wait, no button
        # The work, stated (rows × epochs); its time is measured while it runs, never promised ahead.
        n_rows = int((ds.y_train != cls).sum())
        work = f"{epochs} epochs over {n_rows:,} training {unit}, once per class"
        if small or ready or (data, cls) in trained:
            try:
                # Loading from disk is quick (a spinner); a training shows its own progress bar.
                with st.spinner(f"Loading the detector trained without '{cname}'…") if ready else nullcontext():
                    model = live_model_without(
                        data, cls, epochs, f"Training an AE on {set_label(data)} without '{cname}' ({work})"
                    )
            except TrainingDiverged as exc:
                st.error(f"**The detector could not be trained on {set_label(data)} without '{cname}'.** {exc}")
                st.stop()
            state.trained = trained | {(data, cls)}
        else:
            st.info(
                f"This scenario needs an AE trained on {set_label(data)} **without '{cname}'**: {work}. Training it "
                "here shows its progress and the time left; or use the CLI: "
                f"`python -m aecore train --dataset {data} --model ae --exclude-class {cls} --out my-model`."
            )
            if st.button(f"Train it now (without '{cname}')", key=state.key("train"), type="primary"):
                state.trained = trained | {(data, cls)}
                st.rerun()
            st.stop()
        model_key = prepare.heldout_model_key(data, cls, epochs)
        detector = (
            f"**Detector:** a 2-D AE trained here on {set_label(data)} without class '{cname}'. "
            f"**In:** the other classes' test {unit}. **Out:** the '{cname}' test {unit}."
        )
    return model, model_key, in_set, out_set, cls, detector


def _results(state: AnomalyState, ds, s_in, s_out, in_set: str, out_set: str, cls, detector: str) -> None:
    """The slide: score histogram with the threshold, and the ROC curve; the numbers under them and the
    confusion counts."""
    unit = "images" if ds.is_image else "rows"
    name_in = set_label(in_set) if cls is None else "other classes (in)"
    name_out = set_label(out_set) if cls is None else f"'{ds.class_names[cls]}' (held out)"
    thr = anomaly.threshold_at_percentile(s_in, state.thr)
    r = anomaly.roc(s_in, s_out)
    cm = anomaly.confusion_at(s_in, s_out, thr)

    # The slide: score histogram with the threshold, and the ROC curve; the numbers under them.
    a, b = main_visual().columns([3, 2], gap="large")
    chart(
        score_histogram_figure(s_in, s_out, thr, name_in, name_out), state.key("hist"), a, max_height=460, slide_px=450
    )
    chart(roc_figure(r, (cm.fpr, cm.tpr)), state.key("roc"), b, max_height=460, slide_px=450)

    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        "AUC",
        f"{r.auc:.3f}",
        help="Probability that a random out-of-distribution image scores higher than "
        "a random in-distribution one. 1 = perfect, 0.5 = chance.",
    )
    m2.metric("Threshold (MSE)", f"{thr:.4f}", help=define("MSE"))
    m3.metric("Anomalies caught (TPR)", f"{cm.tpr:.0%}")
    m4.metric("False alarms (FPR)", f"{cm.fpr:.0%}")
    st.markdown(detector)

    st.subheader("Confusion counts at this threshold")
    st.dataframe(
        {
            "": [f"truly out: {name_out}", f"truly in: {name_in}"],
            "flagged as anomaly": [cm.tp, cm.fp],
            "passed as normal": [cm.fn, cm.tn],
        },
        hide_index=True,
        width="content",
    )
    st.caption(
        f"{len(s_in):,} in-distribution and {len(s_out):,} out-of-distribution test {unit}; accuracy {cm.accuracy:.1%}."
    )


def _worst(model, ds, s_in, s_out, idx_in, idx_out, in_set: str, out_set: str) -> None:
    """The worst-reconstructed inputs, in or out: pictures beside their x̂, or rows with the column
    each one's error is largest in."""
    ds_in, ds_out = get_dataset(in_set), get_dataset(out_set)
    scores = np.r_[s_in, s_out]
    worst = anomaly.worst_indices(scores, N_WORST)
    if not ds.is_image:  # a table: the worst rows, and the column each one's error is largest in
        st.subheader("The worst-reconstructed rows")
        cols = list(ds.meta.get("columns") or [f"x{i + 1}" for i in range(ds.input_dim)])
        table = []
        for w in worst:
            is_out = w >= len(s_in)
            src, row = (ds_out, idx_out[w - len(s_in)]) if is_out else (ds_in, idx_in[w])
            x = src.x_test[int(row)][None]  # (1, D)
            err = anomaly.channel_errors(model, x)[0]  # (D,)
            table.append(
                {
                    "": "OUT" if is_out else "in",
                    "class": src.class_names[int(src.y_test[int(row)])],
                    "test row": int(row),
                    "score (MSE)": f"{scores[w]:.4f}",
                    "largest error in": cols[int(np.argmax(err))],
                }
            )
        st.table(table)
        return
    st.subheader("The worst-reconstructed images, beside their x̂")
    cols = st.columns(N_WORST)
    for col, w in zip(cols, worst):
        is_out = w >= len(s_in)
        src, row = (ds_out, idx_out[w - len(s_in)]) if is_out else (ds_in, idx_in[w])
        x = src.x_test[int(row)][None]  # (1, D)
        xhat = coding.reconstruct_array(model, x)[0]
        tag = "OUT" if is_out else "in"
        show_image(
            x[0].numpy(),
            src.image_shape,
            f"{tag} · {src.class_names[int(src.y_test[int(row)])][:9]}",
            "stretch",
            where=col,
        )
        show_image(xhat, src.image_shape, f"x̂ · MSE {scores[w]:.3f}", "stretch", where=col)


def _toy(state: AnomalyState) -> None:
    """Why it works, on a toy curve: the score is the distance to M."""
    st.header("Why it works: the score is the distance to M")
    st.caption(
        "On a toy curve: the reconstruction error ‖x − g(f(x))‖ at every point of data space. It is small "
        "only near the learned manifold M, whatever the direction you leave it in."
    )
    c1, c2 = st.columns([1, 3])
    toy = pick_toy(state.key("toy"), c1)
    if toy is not None:
        te = find_model(toy)
        tds = require_dataset(te.dataset)
        tm = model_of(te)
        dm = anomaly.distance_map(tm, tds.x_train)
        man = denoise.manifold_curve(tm, coding.encode_array(tm, tds.x_train))
        chart(
            distance_contour_figure(dm, tds.x_train.numpy(), man, title=f"{toy}: distance to M"),
            state.key("contour"),
            c2,
        )


main()
