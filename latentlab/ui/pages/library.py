"""Model library: every checkpoint with its metadata; rename, delete, download and upload.

Shipped checkpoints are read-only. Uploads are hostile until proven otherwise: every check lives
in ``aecore.storage.library.save_upload`` (size limit, format/version/shape validation without running
any code, a sanitised name), and each bad file gets its own message while the library is unchanged.
"""

import pandas as pd
import streamlit as st

from aecore.errors import UserError
from aecore.storage.library import (
    ModelExists,
    delete_model,
    list_models,
    max_upload_bytes,
    remove_stale_temp_files,
    rename_model,
    save_upload,
)
from latentlab.ui.state import lecture_model, set_lecture_model

st.title("Model library")
st.caption(
    "Shipped models (read-only) and your own: trained on the **Train** page or uploaded here. "
    "Every model listed here appears in the model picker of every page."
)

remove_stale_temp_files()  # leftovers of saves killed mid-write (hours old, never listed)
models = list_models()
by_name = {m.name: m for m in models}


def _kind(m) -> str:
    return "dae" if m.corruption and m.family == "ae" else m.family


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
    key="lib_table",
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
            "K = 1,000 samples, 100 for the conv VAEs (shipped models; see checkpoints/README.md)",
        ),
    },
)
st.caption(f"{sum(m.readonly for m in models)} shipped, {sum(not m.readonly for m in models)} yours.")

# ---------------------------------------------------------------- one model: download, rename, delete
st.subheader("Manage a model")
if not models:
    st.info("No models yet. Train one on the **Train** page or upload a checkpoint below.")
else:
    if st.session_state.get("_lib_select") in by_name:  # a widget's value may only be set before it is drawn
        st.session_state["lib_model"] = st.session_state.pop("_lib_select")
    elif lecture_model() in by_name:
        st.session_state["lib_model"] = lecture_model()
    if st.session_state.get("lib_model") not in by_name:
        st.session_state["lib_model"] = next((m.name for m in models if not m.readonly), models[0].name)
    sel = st.selectbox(
        "Model",
        list(by_name),
        key="lib_model",
        format_func=lambda n: by_name[n].label,
        on_change=lambda: set_lecture_model(st.session_state["lib_model"]),
    )
    entry = by_name[sel]
    c1, c2, c3 = st.columns([1, 2, 1], gap="large")
    with c1:
        st.download_button(
            "Download checkpoint",
            data=entry.path.read_bytes(),
            file_name=entry.path.name,
            mime="application/octet-stream",
            key="lib_download",
            width="stretch",
        )
    if entry.readonly:
        c2.info("Shipped model: read-only. Download it, or train your own copy on the **Train** page.")
    else:
        with c2:
            new = st.text_input("New name", key="lib_rename_to", placeholder=f"{entry.name}-v2")
            if st.button("Rename…", key="lib_rename", disabled=not new.strip()):
                st.session_state["lib_confirm"] = ("rename", entry.name, new.strip())
        with c3:
            st.write("")
            if st.button("Delete…", key="lib_delete", width="stretch"):
                st.session_state["lib_confirm"] = ("delete", entry.name, "")

    pending = st.session_state.get("lib_confirm")
    if pending and pending[1] in by_name:
        action, target, new = pending
        with st.container(border=True):
            if action == "delete":
                st.warning(f"Delete **{target}** for good? This cannot be undone.")
            else:
                st.warning(f"Rename **{target}** to **{new}**?")
            y, n = st.columns(2)
            if y.button("Yes, " + action, key="lib_yes", type="primary", width="stretch"):
                st.session_state.pop("lib_confirm", None)
                st.session_state.pop("lib_results", None)  # the last upload's report is stale now
                try:
                    if action == "delete":
                        delete_model(target)
                        st.session_state["lib_flash"] = ("success", f"Deleted '{target}'.")
                    else:
                        e = rename_model(target, new)
                        st.session_state["_lib_select"] = e.name  # applied before the picker is drawn
                        st.session_state["lib_flash"] = ("success", f"Renamed '{target}' to '{e.name}'.")
                except UserError as exc:
                    st.session_state["lib_flash"] = ("error", f"Could not {action} '{target}': {exc}")
                st.rerun()
            if n.button("Cancel", key="lib_no", width="stretch"):
                st.session_state.pop("lib_confirm", None)
                st.rerun()

flash = st.session_state.pop("lib_flash", None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])

# ---------------------------------------------------------------- upload
st.subheader("Upload a checkpoint")
limit_mb = max_upload_bytes() / 1024 / 1024
st.caption(
    f"Latent Lab `.safetensors` checkpoints only, at most {limit_mb:.0f} MB. Files are checked before "
    "anything is saved; pickles and `torch.save` files are refused because loading them can run code."
)
# The box states the app's own limit (Streamlit's default says 200 MB beside our 50 MB).
files = st.file_uploader(
    "Checkpoint files", accept_multiple_files=True, key="lib_upload", max_upload_size=max(1, int(round(limit_mb)))
)
st.text_input(
    "Save as (optional)",
    key="lib_upload_name",
    max_chars=64,
    placeholder="default: the file's name without .safetensors",
    help="Used when you upload one file. Letters, digits, '-', '_', '.' and spaces.",
)
# A model of the same name is replaced only when asked (issue 32: nothing replaced silently).
replace = st.checkbox("Replace a model of the same name", key="lib_upload_replace", value=False)
if st.button("Add to library", key="lib_add", type="primary", disabled=not files):
    results = []
    custom = st.session_state.get("lib_upload_name", "").strip()
    for f in files or []:
        name = custom if custom and len(files) == 1 else f.name
        try:
            e = save_upload(name, f.getvalue(), overwrite=replace)
            results.append(
                ("success", f"**{f.name}**: added as '{e.name}' ({e.family}, k={e.latent_dim}, {e.dataset}).")
            )
        except ModelExists as exc:
            results.append(("error", f"**{f.name}** was not added: {exc} (tick *Replace a model of the same name*)."))
        except UserError as exc:
            results.append(("error", f"**{f.name}** was rejected: {exc}"))
        except Exception as exc:  # a hostile file must never take the page down
            results.append(("error", f"**{f.name}** was rejected: unreadable file ({type(exc).__name__})"))
    st.session_state["lib_results"] = results
    st.rerun()
for kind, msg in st.session_state.get("lib_results", []):
    (st.success if kind == "success" else st.error)(msg)
