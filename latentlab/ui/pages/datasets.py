"""Data sets: the built-in ones and the user's own, and the upload that brings one (a CSV, an
NPY/NPZ array or a ZIP of pictures in class folders). The checking, normalising and storing is
:mod:`aecore.data.importing`, the same code as ``python -m aecore import-data``. The page is
:func:`main`; its state is :class:`DatasetsState`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from aecore.data import importing as I
from aecore.data.sets import LOADERS, dataset_kind, describe_user_dataset, is_available, reserved_dataset_names
from aecore.names import propose_name
from latentlab.server import child
from latentlab.ui.plain import ask_to_replace, plain
from latentlab.ui.state import TRAIN_ARRIVE_DATASET, PageState, Setting, page_file
from latentlab.ui.theme import page_header


class DatasetsState(PageState):
    """What the Data sets page holds (``dsu_…`` in the session; nothing in the URL)."""

    prefix = "dsu"
    file = Setting(None, url=False)  # the uploader's key
    file_id = Setting(None, private=True, name="file")  # the upload whose fields are shown
    name = Setting(None, url=False)  # the new set's name (a field)
    label = Setting(None, url=False)  # CSV: the label column
    pictures = Setting(None, url=False)  # CSV/NPY: "28x28" when rows are pictures
    size = Setting(None, url=False)  # ZIP: the side pictures are resized to
    color = Setting(None, url=False)  # ZIP: grey or RGB
    replace = Setting(False, url=False)  # "replace it?" (latentlab.ui.plain.ask_to_replace's key)
    replace_for = Setting(None, private=True)  # … the name that yes is for
    go = Setting(None, url=False)  # the Import button
    job = Setting(None, url=False)  # the import running (latentlab.server.child.ImportJob)
    result = Setting(None, url=False)  # its outcome: {"ok", "summary", "notes", "name"} or {"ok", "message"}
    train = Setting(None, url=False)  # "Train a model on 'X'"
    remove = Setting(None, url=False)  # removing one of the user's sets: the picker, its buttons, the yes
    remove_go = Setting(None, url=False)
    remove_confirm = Setting(None, url=False)
    remove_yes = Setting(None, url=False)
    remove_no = Setting(None, url=False)


def main() -> None:
    page_header(
        "Data sets",
        "The built-in data sets and your own. Bring a table (CSV, NPY) or pictures (a ZIP with one folder per "
        "class, or an NPY/NPZ array): it is checked, scaled to [0, 1], split 80/20 and stored beside the "
        "built-in sets, ready for the Train page.",
    )
    state = DatasetsState()
    _listing()
    _bring(state)
    st.fragment(_import_progress, run_every=0.5 if state.job else None)(state)
    _result(state)
    _remove(state)


def _listing() -> None:
    """The built-in sets and the user's own, one row each."""
    rows = [
        {
            "name": n,
            "kind": {"image": "pictures", "points": "points"}.get(dataset_kind(n), "table"),
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


def _bring(state: DatasetsState) -> None:
    """The upload and its fields (name, label column, picture shape or size), then Import: the file is
    imported in a child process (its progress: _import_progress)."""
    st.subheader("Bring a data set")
    st.caption(
        f"Limits: a file of at most {I.MAX_FILE_BYTES // 2**20} MB, {I.MAX_ROWS:,} rows, {I.MAX_COLUMNS:,} columns, "
        f"{I.MAX_IMAGES:,} pictures of at most 16.7 million pixels each (resized to {I.IMAGE_SIZES[0]}–"
        f"{I.IMAGE_SIZES[-1]} pixels a side), arrays of pictures at most {I.MAX_SIDE}×{I.MAX_SIDE}. NPY/NPZ are read "
        "without pickles. The same import runs from a terminal: `python -m aecore import-data FILE --name NAME`."
    )
    up = st.file_uploader("A CSV, NPY, NPZ or ZIP file", type=["csv", "npy", "npz", "zip"], key=state.key("file"))
    reserved = reserved_dataset_names()
    if up is not None:
        suffix = Path(up.name).suffix.lower()
        c1, c2, c3 = st.columns(3)
        if state.file_id != up.file_id:
            # A new file: its fields start again from it. The name is the file's (the same proposal as
            # `python -m aecore import-data` without --name), never the previous upload's: a ZIP
            # brought after a CSV must not take, and then replace, the CSV's set.
            state.file_id = up.file_id
            state.name = propose_name(Path(up.name).stem, "dataset", reserved)
            for key in ("label", "pictures"):
                st.session_state.pop(state.key(key), None)
            # The previous import's answer goes too: its "Train a model on 'X'" under the new file's
            # fields named the previous set (and a test waiting for this import's answer read that one).
            state.result = None
        name = c1.text_input("Name", key=state.key("name"), help="Lower-case letters, digits, '-' and '_'.").strip()
        label, size, color, pictures = None, 28, "grey", None
        if suffix == ".csv":
            first = up.getvalue()[:65536].decode("utf-8", errors="replace").splitlines()[:1]
            header = next(csv.reader(io.StringIO(first[0]))) if first else []
            choice = c2.selectbox("Label column", ["(none)"] + [h.strip() for h in header], key=state.key("label"))
            label = None if choice == "(none)" else choice
        if suffix in (".csv", ".npy"):
            shape = c3.text_input(
                "Rows are pictures of shape",
                value="",
                key=state.key("pictures"),
                placeholder="e.g. 28x28 (empty: a table)",
                help="HxW for grey, HxWx3 for colour (channels last in each row), as in MNIST's CSV copies.",
            )
            pictures = shape.strip() or None
        elif suffix == ".zip":
            size = c2.selectbox(
                "Resize pictures to", I.IMAGE_SIZES, index=I.IMAGE_SIZES.index(28), key=state.key("size")
            )
            color = c3.radio("Colour", ["grey", "rgb"], horizontal=True, key=state.key("color"), format_func=str.upper)
        try:
            I.check_name(name, reserved)  # the one name rule (aecore.names), at the door
            name_ok = True
        except I.DataImportError as exc:
            name_ok = False
            st.error(plain(exc))
        exists = describe_user_dataset(name) if name_ok else None
        # Nothing is replaced without asking (a yes is for this name only).
        replace = ask_to_replace("data set", name, exists, state.key("replace"), "Import")
        busy_importing = bool(state.job)
        if st.button(
            "Import",
            type="primary",
            key=state.key("go"),
            disabled=busy_importing or not name_ok or not replace,
        ):
            state.result = None
            state.replace_for = None  # a yes holds for one import: ask again next time
            state.job = child.start_import(
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


def _import_progress(state: DatasetsState) -> None:
    """The import running in its child process (latentlab.server.child.ImportJob): its progress, then its result."""
    job = state.job
    if job is None:
        return
    job.poll()
    if not job.done:
        st.progress(min(1.0, job.fraction), text=job.message)
        return
    state.job = None
    state.result = job.result
    st.rerun(scope="app")  # the list above gains the new set, and polling stops


def _result(state: DatasetsState) -> None:
    """The last import's outcome, and a button that opens the Train page on the new set."""
    res = state.result
    if res is not None:
        if res["ok"]:
            st.success(f"Imported {res['summary']}")
            for note in res["notes"]:
                st.info(note)
            if st.button(f"Train a model on '{res['name']}'", key=state.key("train"), icon=":material/model_training:"):
                # The link carries its data set: the Train page takes it once (its ARRIVE_KEY), whatever
                # set it showed before, and the address names it too (a bookmark opens the same).
                st.session_state[TRAIN_ARRIVE_DATASET] = res["name"]
                try:
                    st.switch_page(page_file("train"), query_params={"tr_dataset": res["name"]})
                except StreamlitAPIException:  # outside the app's navigation (AppTest): nowhere to go
                    st.info(f"Open the Train page: '{res['name']}' is selected there.")
        else:
            st.error(f"**Not imported.** {res['message']}")


def _remove(state: DatasetsState) -> None:
    """Removing one of the user's sets, asked first (the file is the only copy of an import)."""
    mine = [d["name"] for d in I.list_user_datasets()]
    if mine:
        with st.expander("Remove one of your data sets"):
            gone = st.selectbox("Data set", mine, key=state.key("remove"))
            # Asked first, like a model's deletion: the file is the only copy of an import.
            if st.button(f"Remove '{gone}'…", key=state.key("remove_go")):
                state.remove_confirm = gone
            if state.remove_confirm == gone:
                st.warning(
                    f"Remove the data set '{plain(gone)}' for good? Models trained on it stay, but cannot open it."
                )
                y, n = st.columns(2)
                if y.button("Yes, remove", key=state.key("remove_yes"), type="primary"):
                    st.session_state.pop(state.key("remove_confirm"), None)
                    I.path_for(gone).unlink(missing_ok=True)
                    st.rerun()
                if n.button("Cancel", key=state.key("remove_no")):
                    st.session_state.pop(state.key("remove_confirm"), None)
                    st.rerun()


main()
