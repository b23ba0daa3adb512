"""Data sets: the built-in ones and the user's own, and the upload that brings one (a CSV, an
NPY/NPZ array or a ZIP of pictures in class folders). The checking, normalising and storing is
:mod:`aecore.data.importing`, the same code as ``python -m aecore import-data``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from aecore.data import importing as I
from aecore.data.sets import IMAGE_DATASETS, LOADERS, describe_user_dataset, is_available, reserved_dataset_names
from aecore.data.toy import TOYS
from aecore.names import propose_name
from latentlab.server import child
from latentlab.ui.plain import ask_to_replace, plain
from latentlab.ui.theme import page_header

page_header(
    "Data sets",
    "The built-in data sets and your own. Bring a table (CSV, NPY) or pictures (a ZIP with one folder per "
    "class, or an NPY/NPZ array): it is checked, scaled to [0, 1], split 80/20 and stored beside the "
    "built-in sets, ready for the Train page.",
)

# ---------------------------------------------------------------- what is here

rows = [
    {
        "name": n,
        "kind": "pictures" if n in IMAGE_DATASETS else "points" if n in TOYS else "table",
        "size": "",
        "classes": "",
        "from": "built in" + ("" if is_available(n) else " (data missing)"),
    }
    for n in LOADERS
]
for d in I.list_user_datasets():
    shape = d["image_shape"]
    rows.append(
        {
            "name": d["name"],
            "kind": f"pictures {shape[1]}×{shape[2]}{' RGB' if shape[0] == 3 else ''}" if shape else "table",
            "size": f"{d['n_train'] + d['n_test']:,} × {d['input_dim']:,}",
            "classes": str(d["classes"]),
            "from": d["source"],
        }
    )
st.dataframe(rows, hide_index=True, width="stretch")

# ---------------------------------------------------------------- bring one

st.subheader("Bring a data set")
st.caption(
    f"Limits: a file of at most {I.MAX_FILE_BYTES // 2**20} MB, {I.MAX_ROWS:,} rows, {I.MAX_COLUMNS:,} columns, "
    f"{I.MAX_IMAGES:,} pictures of at most 16.7 million pixels each (resized to {I.IMAGE_SIZES[0]}–"
    f"{I.IMAGE_SIZES[-1]} pixels a side), arrays of pictures at most {I.MAX_SIDE}×{I.MAX_SIDE}. NPY/NPZ are read "
    "without pickles. The same import runs from a terminal: `python -m aecore import-data FILE --name NAME`."
)
up = st.file_uploader("A CSV, NPY, NPZ or ZIP file", type=["csv", "npy", "npz", "zip"], key="dsu_file")
reserved = reserved_dataset_names()
if up is not None:
    suffix = Path(up.name).suffix.lower()
    c1, c2, c3 = st.columns(3)
    if st.session_state.get("_dsu_file") != up.file_id:
        # A new file: its fields start again from it. The name is the file's (the same proposal as
        # `python -m aecore import-data` without --name), never the previous upload's: a ZIP
        # brought after a CSV must not take, and then replace, the CSV's set.
        st.session_state["_dsu_file"] = up.file_id
        st.session_state["dsu_name"] = propose_name(Path(up.name).stem, "dataset", reserved)
        for key in ("dsu_label", "dsu_pictures"):
            st.session_state.pop(key, None)
        # The previous import's answer goes too: its "Train a model on 'X'" under the new file's
        # fields named the previous set (and a test waiting for this import's answer read that one).
        st.session_state["dsu_result"] = None
    name = c1.text_input("Name", key="dsu_name", help="Lower-case letters, digits, '-' and '_'.").strip()
    label, size, color, pictures = None, 28, "grey", None
    if suffix == ".csv":
        first = up.getvalue()[:65536].decode("utf-8", errors="replace").splitlines()[:1]
        header = next(csv.reader(io.StringIO(first[0]))) if first else []
        choice = c2.selectbox("Label column", ["(none)"] + [h.strip() for h in header], key="dsu_label")
        label = None if choice == "(none)" else choice
    if suffix in (".csv", ".npy"):
        shape = c3.text_input(
            "Rows are pictures of shape",
            value="",
            key="dsu_pictures",
            placeholder="e.g. 28x28 (empty: a table)",
            help="HxW for grey, HxWx3 for colour (channels last in each row), as in MNIST's CSV copies.",
        )
        pictures = shape.strip() or None
    elif suffix == ".zip":
        size = c2.selectbox("Resize pictures to", I.IMAGE_SIZES, index=I.IMAGE_SIZES.index(28), key="dsu_size")
        color = c3.radio("Colour", ["grey", "rgb"], horizontal=True, key="dsu_color", format_func=str.upper)
    try:
        I.check_name(name, reserved)  # the one name rule (aecore.names), at the door
        name_ok = True
    except I.DataImportError as exc:
        name_ok = False
        st.error(plain(exc))
    exists = describe_user_dataset(name) if name_ok else None
    # Nothing is replaced without asking (a yes is for this name only).
    replace = ask_to_replace("data set", name, exists, "dsu_replace", "Import")
    busy_importing = bool(st.session_state.get("dsu_job"))
    if st.button(
        "Import",
        type="primary",
        key="dsu_go",
        disabled=busy_importing or not name_ok or not replace,
    ):
        st.session_state["dsu_result"] = None
        st.session_state["_dsu_replace_for"] = None  # a yes holds for one import: ask again next time
        st.session_state["dsu_job"] = child.start_import(
            up.getvalue(),
            suffix,
            name,
            label=label,
            size=int(size),
            color=color,
            pictures=pictures,
            builtin=reserved,
            overwrite=exists is not None,  # the set the person said yes to; one that appeared meanwhile is refused
            source=up.name,
        )

busy = bool(st.session_state.get("dsu_job"))


@st.fragment(run_every=0.5 if busy else None)
def import_progress() -> None:
    """The import running in its child process (latentlab.server.child.ImportJob): its progress, then its result."""
    job = st.session_state.get("dsu_job")
    if job is None:
        return
    job.poll()
    if not job.done:
        st.progress(min(1.0, job.fraction), text=job.message)
        return
    st.session_state["dsu_job"] = None
    st.session_state["dsu_result"] = job.result
    st.rerun(scope="app")  # the list above gains the new set, and polling stops


import_progress()
res = st.session_state.get("dsu_result")
if res is not None:
    if res["ok"]:
        st.success(f"Imported {res['summary']}")
        for note in res["notes"]:
            st.info(note)
        if st.button(f"Train a model on '{res['name']}'", key="dsu_train", icon=":material/model_training:"):
            # The link carries its data set: the Train page takes it once (its ARRIVE_KEY), whatever
            # set it showed before, and the address names it too (a bookmark opens the same).
            st.session_state["tr_arrive_dataset"] = res["name"]
            try:
                st.switch_page("latentlab/ui/pages/train.py", query_params={"tr_dataset": res["name"]})
            except StreamlitAPIException:  # outside the app's navigation (AppTest): nowhere to go
                st.info(f"Open the Train page: '{res['name']}' is selected there.")
    else:
        st.error(f"**Not imported.** {res['message']}")

# ---------------------------------------------------------------- remove one

mine = [d["name"] for d in I.list_user_datasets()]
if mine:
    with st.expander("Remove one of your data sets"):
        gone = st.selectbox("Data set", mine, key="dsu_remove")
        # Asked first, like a model's deletion: the file is the only copy of an import.
        if st.button(f"Remove '{gone}'…", key="dsu_remove_go"):
            st.session_state["dsu_remove_confirm"] = gone
        if st.session_state.get("dsu_remove_confirm") == gone:
            st.warning(f"Remove the data set '{plain(gone)}' for good? Models trained on it stay, but cannot open it.")
            y, n = st.columns(2)
            if y.button("Yes, remove", key="dsu_remove_yes", type="primary"):
                st.session_state.pop("dsu_remove_confirm", None)
                I.path_for(gone).unlink(missing_ok=True)
                st.rerun()
            if n.button("Cancel", key="dsu_remove_no"):
                st.session_state.pop("dsu_remove_confirm", None)
                st.rerun()
