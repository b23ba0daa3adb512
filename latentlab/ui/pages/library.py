"""Model library: every checkpoint with its metadata; rename, delete, download and upload.

Shipped checkpoints are read-only. Uploads are hostile until proven otherwise: every check lives
in ``aecore.storage.library.save_upload`` (size limit, format/version/shape validation without running
any code, a sanitised name), and each bad file gets its own message while the library is unchanged.
The page is :func:`main`; its view state is :class:`LibraryState`.
"""

import pandas as pd
import streamlit as st

from aecore.data.sets import dataset_names, is_available
from aecore.errors import UserError
from aecore.storage.library import (
    ModelExists,
    delete_model,
    import_onnx,
    list_models,
    max_upload_bytes,
    propose_model_name,
    remove_stale_temp_files,
    rename_model,
    save_upload,
)
from latentlab.ui.state import PageState, Setting, lecture_model, set_lecture_model


class LibraryState(PageState):
    """What the Model library page holds (``lib_…`` in the session; nothing in the URL)."""

    prefix = "lib"
    model = Setting(None, url=False)  # the model managed (its picker's key)
    select = Setting(None, private=True)  # a model to pick before the picker is drawn (after a rename)
    confirm = Setting(None, url=False)  # the action waiting for "Yes": (action, model, new name)
    flash = Setting(None, url=False)  # the last action's outcome, shown once: (kind, message)
    results = Setting(None, url=False)  # the last upload's report: [(kind, message), …]
    rename_to = Setting(None, url=False)  # widget keys
    upload = Setting(None, url=False)
    upload_name = Setting(None, url=False)
    upload_replace = Setting(None, url=False)
    table = Setting(None, url=False)
    download = Setting(None, url=False)
    rename = Setting(None, url=False)
    delete = Setting(None, url=False)
    yes = Setting(None, url=False)
    no = Setting(None, url=False)
    add = Setting(None, url=False)
    onnx_encoder = Setting(None, url=False)  # bring your own model (ONNX): widget keys
    onnx_decoder = Setting(None, url=False)
    onnx_data = Setting(None, url=False)
    onnx_name = Setting(None, url=False)
    onnx_replace = Setting(None, url=False)
    onnx_add = Setting(None, url=False)
    onnx_result = Setting(None, url=False)  # the last import's outcome: (kind, message)


def main() -> None:
    st.title("Model library")
    st.caption(
        "Shipped models (read-only) and your own: trained on the **Train** page or uploaded here. "
        "Every model listed here appears in the model picker of every page."
    )
    state = LibraryState()
    remove_stale_temp_files()  # leftovers of saves killed mid-write (hours old, never listed)
    models = list_models()
    _table(state, models)
    _manage(state, models)
    flash = st.session_state.pop(state.key("flash"), None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    _upload(state)
    _import_onnx(state)


def _kind(m) -> str:
    return "dae" if m.corruption and m.family == "ae" else m.family


def _table(state: LibraryState, models) -> None:
    """Every model with its numbers, one unit per column."""
    # One unit per column: MSE for every model, nats only for VAEs (a "test loss" column mixed the two).
    rows = [
        {
            "name": m.name,
            "data set": m.dataset,
            "family": _kind(m),
            "k": m.latent_dim,
            "test MSE": m.test_mse,
            "−ELBO (nats)": m.neg_elbo,
            "IWAE bound (nats)": m.nll_iwae,
            "created": m.created,
            "size (kB)": round(m.size_bytes / 1024, 1),
            "owner": "shipped (read-only)" if m.readonly else "yours",
        }
        for m in models
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key=state.key("table"),
        column_config={
            "test MSE": st.column_config.NumberColumn(
                format="%.4f", help="Mean squared error per pixel of x̂ = g(f(x)) on the test split"
            ),
            "−ELBO (nats)": st.column_config.NumberColumn(
                format="%.2f",
                help="VAEs: the negative ELBO per test image, z sampled from q(z|x) "
                "(Bernoulli likelihood on grey levels, not binarised MNIST)",
            ),
            "IWAE bound (nats)": st.column_config.NumberColumn(
                format="%.2f",
                help="VAEs: importance-weighted upper bound on −log p(x) per test image, "
                "K = 1,000 samples, 100 for the conv VAEs (shipped models; see aecore/checkpoints/README.md)",
            ),
        },
    )
    st.caption(f"{sum(m.readonly for m in models)} shipped, {sum(not m.readonly for m in models)} yours.")


def _manage(state: LibraryState, models) -> None:
    """One model: download it, rename or delete it (after a "Yes")."""
    by_name = {m.name: m for m in models}
    st.subheader("Manage a model")
    if not models:
        st.info("No models yet. Train one on the **Train** page or upload a checkpoint below.")
    else:
        if state.select in by_name:  # a widget's value may only be set before it is drawn
            state.model = st.session_state.pop(state.key("select"))
        elif lecture_model() in by_name:
            state.model = lecture_model()
        if state.model not in by_name:
            state.model = next((m.name for m in models if not m.readonly), models[0].name)
        sel = st.selectbox(
            "Model",
            list(by_name),
            key=state.key("model"),
            format_func=lambda n: by_name[n].label,
            on_change=lambda: set_lecture_model(state.model),
        )
        entry = by_name[sel]
        c1, c2, c3 = st.columns([1, 2, 1], gap="large")
        with c1:
            st.download_button(
                "Download checkpoint",
                data=entry.path.read_bytes(),
                file_name=entry.path.name,
                mime="application/octet-stream",
                key=state.key("download"),
                width="stretch",
            )
        if entry.readonly:
            c2.info("Shipped model: read-only. Download it, or train your own copy on the **Train** page.")
        else:
            with c2:
                new = st.text_input("New name", key=state.key("rename_to"), placeholder=f"{entry.name}-v2")
                if st.button("Rename…", key=state.key("rename"), disabled=not new.strip()):
                    state.confirm = ("rename", entry.name, new.strip())
            with c3:
                st.write("")
                if st.button("Delete…", key=state.key("delete"), width="stretch"):
                    state.confirm = ("delete", entry.name, "")

        pending = state.confirm
        if pending and pending[1] in by_name:
            action, target, new = pending
            with st.container(border=True):
                if action == "delete":
                    st.warning(f"Delete **{target}** for good? This cannot be undone.")
                else:
                    st.warning(f"Rename **{target}** to **{new}**?")
                y, n = st.columns(2)
                if y.button("Yes, " + action, key=state.key("yes"), type="primary", width="stretch"):
                    st.session_state.pop(state.key("confirm"), None)
                    st.session_state.pop(state.key("results"), None)  # the last upload's report is stale now
                    try:
                        if action == "delete":
                            delete_model(target)
                            state.flash = ("success", f"Deleted '{target}'.")
                        else:
                            e = rename_model(target, new)
                            state.select = e.name  # applied before the picker is drawn
                            state.flash = ("success", f"Renamed '{target}' to '{e.name}'.")
                    except UserError as exc:
                        state.flash = ("error", f"Could not {action} '{target}': {exc}")
                    st.rerun()
                if n.button("Cancel", key=state.key("no"), width="stretch"):
                    st.session_state.pop(state.key("confirm"), None)
                    st.rerun()


def _upload(state: LibraryState) -> None:
    """Checkpoint uploads, each checked before anything is saved, each with its own message."""
    st.subheader("Upload a checkpoint")
    limit_mb = max_upload_bytes() / 1024 / 1024
    st.caption(
        f"Latent Lab `.safetensors` checkpoints only, at most {limit_mb:.0f} MB. Files are checked before "
        "anything is saved; pickles and `torch.save` files are refused because loading them can run code."
    )
    # The box states the app's own limit (Streamlit's default says 200 MB beside our 50 MB).
    files = st.file_uploader(
        "Checkpoint files",
        accept_multiple_files=True,
        key=state.key("upload"),
        max_upload_size=max(1, int(round(limit_mb))),
    )
    st.text_input(
        "Save as (optional)",
        key=state.key("upload_name"),
        max_chars=64,
        placeholder="default: the file's name without .safetensors",
        help="Used when you upload one file. Letters, digits, '-', '_', '.' and spaces.",
    )
    # A model of the same name is replaced only when asked (issue 32: nothing replaced silently).
    replace = st.checkbox("Replace a model of the same name", key=state.key("upload_replace"), value=False)
    if st.button("Add to library", key=state.key("add"), type="primary", disabled=not files):
        results = []
        custom = (state.upload_name or "").strip()
        for f in files or []:
            name = custom if custom and len(files) == 1 else f.name
            try:
                e = save_upload(name, f.getvalue(), overwrite=replace)
                results.append(
                    ("success", f"**{f.name}**: added as '{e.name}' ({e.family}, k={e.latent_dim}, {e.dataset}).")
                )
            except ModelExists as exc:
                results.append(
                    ("error", f"**{f.name}** was not added: {exc} (tick *Replace a model of the same name*).")
                )
            except UserError as exc:
                results.append(("error", f"**{f.name}** was rejected: {exc}"))
            except Exception as exc:  # a hostile file must never take the page down
                results.append(("error", f"**{f.name}** was rejected: unreadable file ({type(exc).__name__})"))
        state.results = results
        st.rerun()
    for kind, msg in state.results or []:
        (st.success if kind == "success" else st.error)(msg)


def _import_onnx(state: LibraryState) -> None:
    """Bring your own model: an encoder and a decoder exported to ONNX, for one of the data sets."""
    st.subheader("Bring your own model (ONNX)")
    limit_mb = max_upload_bytes() / 1024 / 1024
    st.caption(
        "An encoder and a decoder exported with `torch.onnx.export` (one `.onnx` file each, at most "
        f"{limit_mb:.0f} MB), and the data set they were trained on. The server runs them with onnxruntime; "
        "a decoder made of Linear, transposed-conv and BatchNorm layers with ReLU-like activations also "
        "decodes in the browser. Custom operators and files that point to other files are refused. "
        "From a terminal: `latent-lab import-model --encoder e.onnx --decoder d.onnx --dataset mnist --name mine`."
    )
    c1, c2 = st.columns(2)
    with c1:
        enc = st.file_uploader(
            "Encoder, or the whole autoencoder (.onnx)",
            key=state.key("onnx_encoder"),
            max_upload_size=max(1, int(round(limit_mb))),
            help="A whole autoencoder is one file whose two outputs are the code and the reconstruction.",
        )
    with c2:
        dec = st.file_uploader(
            "Decoder (.onnx; none for a whole autoencoder)",
            key=state.key("onnx_decoder"),
            max_upload_size=max(1, int(round(limit_mb))),
        )
    sets = [n for n in dataset_names() if is_available(n)]
    data = st.selectbox("Trained on the data set", sets, key=state.key("onnx_data"))
    name = st.text_input(
        "Name",
        key=state.key("onnx_name"),
        max_chars=64,
        placeholder=propose_model_name(f"{data}-onnx") if data else "",
        help="Its name in every model picker (default: the one shown).",
    )
    replace = st.checkbox("Replace a model of the same name", key=state.key("onnx_replace"), value=False)
    if st.button("Import", key=state.key("onnx_add"), type="primary", disabled=not (enc and data)):
        target = (name or "").strip() or propose_model_name(f"{data}-onnx")
        try:
            with st.spinner("Checking both graphs and running them on the data set…"):
                e = import_onnx(target, enc.getvalue(), dec.getvalue() if dec else None, data, overwrite=replace)
            state.onnx_result = (
                "success",
                f"Imported '{e.name}' (k = {e.latent_dim}, {e.dataset}, test MSE {e.test_mse:.4f}): "
                "pick it on any page.",
            )
        except ModelExists as exc:
            state.onnx_result = ("error", f"Not imported: {exc} (tick *Replace a model of the same name*).")
        except UserError as exc:
            state.onnx_result = ("error", f"Not imported: {exc}")
        except Exception as exc:  # a hostile file must never take the page down
            state.onnx_result = ("error", f"Not imported: unreadable file ({type(exc).__name__})")
        st.rerun()
    if state.onnx_result:
        kind, msg = state.onnx_result
        (st.success if kind == "success" else st.error)(msg)


main()
