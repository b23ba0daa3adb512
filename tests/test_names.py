"""Names that round-trip, and nothing replaced without asking (issue 32).

One rule per kind of name (aecore.names.check_name): a name it accepts is saved, listed, loaded,
trained on and put in a URL as itself; a name it refuses gets a sentence. Properties are checked
with Hypothesis (fixed seed, few examples); the pages' side with Streamlit's AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from aecore.data import importing as I
from aecore.data.sets import describe_user_dataset, load_dataset, reserved_dataset_names
from aecore.errors import UserError
from aecore.names import RULES, InvalidName, check_name, propose_name
from aecore.storage import library
from aecore.storage.checkpoint import load_checkpoint, to_bytes

ROOT = Path(__file__).resolve().parents[1]
# One example per fixture setup is fine here: the folders are emptied by hand in each example.
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """Empty user folders for models and data sets, and a tiny CSV (30 rows, 3 columns, 2 classes)."""
    models, sets = tmp_path / "models", tmp_path / "sets"
    monkeypatch.setenv("LATENTLAB_MODELS", str(models))
    monkeypatch.setenv("LATENTLAB_DATASETS", str(sets))
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,c,kind\n" + "".join(f"{i},{(i * 7) % 5},{i % 3},k{i % 2}\n" for i in range(30)))
    return models, sets, csv


def _clear(folder: Path) -> None:
    for p in folder.glob("*") if folder.is_dir() else ():
        p.unlink()


def _url_round_trip(name: str) -> str:
    return parse_qs(urlencode({"model": name}))["model"][0]


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    "kind, name, out",
    [
        ("dataset", "mnist_kaggle_5000", "mnist_kaggle_5000"),  # the Data sets page's proposal for a file
        ("dataset", "  my-set ", "my-set"),
        ("model", "my model v2.1", "my model v2.1"),
        ("model", "mine.safetensors", "mine"),
        ("model", "My_Model", "My_Model"),
    ],
)
def test_accepted_names_come_back_as_themselves(kind, name, out):
    assert check_name(name, kind) == out
    assert check_name(out, kind) == out


@pytest.mark.parametrize(
    "kind, name, message",
    [
        ("dataset", "", "empty"),
        ("dataset", "My_Set", "not allowed: use up to 40 lower-case"),  # refused, not lower-cased behind one's back
        ("dataset", "../../etc/evil", "'..'"),
        ("dataset", "a" * 41, "not allowed"),
        ("dataset", "fashion_mnist", "built-in data set (too close to 'fashion-mnist')"),
        ("dataset", "Digits", "not allowed"),
        ("model", "a/b", "slash"),
        ("model", ".hidden", "not allowed"),
        ("model", "x.safetensors.safetensors", "twice"),
        ("model", "x" * 65, "not allowed"),
    ],
)
def test_refused_names_get_a_sentence(kind, name, message):
    with pytest.raises(InvalidName, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_name(name, kind, reserved_dataset_names() if kind == "dataset" else ())


@seed(32)
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), kind=st.sampled_from(sorted(RULES)))
def test_any_text_is_accepted_as_itself_or_refused_in_words(text, kind):
    """The door never raises anything but InvalidName, and what it accepts is a fixed point; a
    proposal made from any text passes the door unchanged."""
    try:
        n = check_name(text, kind)
    except InvalidName as exc:
        assert str(exc)
    else:
        assert check_name(n, kind) == n and "/" not in n and ".." not in n and not n.startswith(".")
    p = propose_name(text, kind, reserved=reserved_dataset_names() if kind == "dataset" else ())
    assert check_name(p, kind) == p


def test_a_proposal_never_names_something_that_exists():
    assert propose_name("Digits", "dataset", reserved_dataset_names()) == "digits-2"
    assert propose_name("mnist_kaggle_5000.csv", "dataset") == "mnist_kaggle_5000-csv"
    assert propose_name("my-digits-ae-2d", "model", taken=["my-digits-ae-2d", "my-digits-ae-2d-2"]) == (
        "my-digits-ae-2d-3"
    )
    long = propose_name("x" * 70, "model", taken=["x" * 64])
    assert len(long) <= 64 and long.endswith("-2")


# ---------------------------------------------------------------- save → list → load, for accepted names


def _ok(n: str, kind: str = "dataset") -> bool:
    try:
        return check_name(n, kind, reserved_dataset_names() if kind == "dataset" else ()) == n
    except InvalidName:
        return False


DATASET_NAMES = st.from_regex(RULES["dataset"].pattern, fullmatch=True).filter(_ok)
MODEL_NAMES = st.from_regex(RULES["model"].pattern, fullmatch=True).filter(lambda n: _ok(n, "model"))


@seed(32)
@FAST
@given(name=DATASET_NAMES)
def test_a_data_set_name_round_trips(folders, name):
    """Imported as NAME → listed as NAME → loaded by NAME (``_`` included) → a model trained on it
    records NAME → the data set loads again from that record."""
    from aecore.data.sets import dataset_names, is_available

    _, sets, csv = folders
    _clear(sets)
    rep = I.import_file(csv, name, label="kind", builtin=reserved_dataset_names())
    assert rep.name == name
    assert [d["name"] for d in I.list_user_datasets()] == [name]
    assert name in dataset_names() and is_available(name)
    ds = load_dataset(name)
    assert ds.name == name and len(ds.x_train) + len(ds.x_test) == 30
    assert _url_round_trip(name) == name


@seed(32)
@FAST
@given(name=MODEL_NAMES)
def test_a_model_name_round_trips(folders, name):
    """Saved as NAME → listed as NAME → found, loaded and put in a URL as NAME."""
    from aecore.models import ModelConfig, build_model

    models, _, _ = folders
    _clear(models)
    data = to_bytes(build_model(ModelConfig(family="ae", input_dim=4, latent_dim=2, hidden=(4,))), "digits")
    path = library.save_model_bytes(name, data, shipped=models / "none")
    listed = [m.name for m in library.list_models(shipped=models / "none")]
    assert listed == [name]
    assert library.find_model(name, shipped=models / "none").path == path
    assert load_checkpoint(path).name == name
    assert _url_round_trip(name) == name


def test_a_set_named_with_underscores_trains_and_its_model_finds_it_again(folders):
    """The issue's case end to end in the library: the set's name survives training, and the
    model's record of its data set loads that set."""
    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, train_recipe

    _, _, csv = folders
    I.import_file(csv, "mnist_kaggle_5000", label="kind", builtin=reserved_dataset_names())
    out = library.user_model_path("my model_1.v2")
    train_recipe(Recipe(dataset="mnist_kaggle_5000", hidden=(4,), train=TrainConfig(epochs=1)), out=out)
    entry = library.find_model("my model_1.v2")
    assert entry.dataset == "mnist_kaggle_5000"
    assert load_dataset(entry.dataset).name == "mnist_kaggle_5000"


def test_built_in_sets_keep_their_other_spellings():
    assert load_dataset("Swiss_Roll", n=50).name == "swiss-roll"
    with pytest.raises(KeyError, match="unknown data set 'no_such_set'"):  # a KeyError as before, and a UserError
        load_dataset("no_such_set")
    with pytest.raises(UserError):
        load_dataset("no_such_set")


# ---------------------------------------------------------------- nothing replaced without asking


def test_an_import_never_replaces_a_set_unless_asked(folders, tmp_path):
    _, sets, csv = folders
    I.import_file(csv, "mine", label="kind")
    before = (sets / "mine.safetensors").read_bytes()
    other = tmp_path / "other.csv"
    other.write_text("x,y\n" + "".join(f"{i},{i % 4}\n" for i in range(30)))
    with pytest.raises(I.DataSetExists, match="exists already"):
        I.import_file(other, "mine")
    assert (sets / "mine.safetensors").read_bytes() == before
    I.import_file(other, "mine", overwrite=True, source="Other Name.csv")
    assert load_dataset("mine").input_dim == 2
    assert describe_user_dataset("mine").startswith("imported from Other Name.csv on ")  # the upload's name


def test_a_model_is_never_replaced_unless_asked(folders):
    from aecore.models import ModelConfig, build_model
    from aecore.training.recipes import Recipe, train_recipe

    models, _, _ = folders
    data = to_bytes(build_model(ModelConfig(family="ae", input_dim=4, latent_dim=3, hidden=(4,))), "toy")
    path = library.save_model_bytes("kept", data)
    with pytest.raises(library.ModelExists, match=r"already exists \(ae, k=3, trained on toy"):
        library.save_model_bytes("kept", b"other")
    with pytest.raises(library.ModelExists):  # refused before any training (no data set is even loaded)
        train_recipe(Recipe(dataset="no_such_set"), out=path, overwrite=False)
    assert path.read_bytes() == data
    assert library.user_model_note("kept").startswith("ae, k=3, trained on toy")
    assert library.user_model_note("not-there") is None and library.user_model_note("../x") is None


# ---------------------------------------------------------------- the pages (AppTest, no browser)


def _apptest(page: str):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / page), default_timeout=60)


def test_train_page_save_as_follows_its_subject_and_asks_before_replacing(folders):
    models, _, _ = folders
    at = _apptest("train.py").run()
    assert not at.exception, at.exception
    assert at.text_input(key="tr_name").value == "my-digits-ae-2d"
    at.selectbox(key="tr_dataset").set_value("circle").run()
    assert at.text_input(key="tr_name").value == "my-circle-ae-2d"  # not the previous set's name
    at.number_input(key="tr_k").set_value(3).run()
    assert at.text_input(key="tr_name").value == "my-circle-ae-3d"

    # An existing model's name: asked, and Train waits for the answer.
    from aecore.models import ModelConfig, build_model

    data = to_bytes(build_model(ModelConfig(family="ae", input_dim=2, latent_dim=3, hidden=(4,))), "circle")
    library.save_model_bytes("taken", data)
    at.text_input(key="tr_name").set_value("taken").run()
    box = at.checkbox(key="tr_replace")
    assert box.label.startswith("A model named 'taken' exists (ae, k=3, trained on circle, ")
    assert box.label.endswith("): replace it?") and not box.value
    assert at.button(key="tr_start").disabled
    box.check().run()
    assert not at.button(key="tr_start").disabled
    at.text_input(key="tr_name").set_value("bad/name").run()  # refused at the door, in words
    assert at.button(key="tr_start").disabled and any("contains a slash" in e.value for e in at.error)
    at.text_input(key="tr_name").set_value("![x](http://e/i.png)").run()  # markup (from a URL) is shown as text
    assert any(r"\!\[x\]\(http\://e/i\.png\)" in e.value for e in at.error)
    # A proposal is free: with 'my-circle-ae-3d' taken, picking k = 3 again proposes '-2'.
    library.save_model_bytes("my-circle-ae-3d", data)
    at.number_input(key="tr_k").set_value(2).run()
    at.number_input(key="tr_k").set_value(3).run()
    assert at.text_input(key="tr_name").value == "my-circle-ae-3d-2"
    assert not at.button(key="tr_start").disabled and not at.checkbox


def test_datasets_page_name_follows_the_file_and_asks_before_replacing(folders):
    _, sets, csv = folders
    I.import_file(csv, "mnist_kaggle_5000", label="kind")
    at = _apptest("datasets.py").run()
    at.file_uploader(key="dsu_file").set_value(("fresh.csv", csv.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert at.text_input(key="dsu_name").value == "fresh" and not at.checkbox
    at.file_uploader(key="dsu_file").set_value(("mnist_kaggle_5000.zip", b"PK", "application/zip")).run()
    assert at.text_input(key="dsu_name").value == "mnist_kaggle_5000"  # the new file's name, not 'fresh'
    box = at.checkbox(key="dsu_replace")
    shown = box.label.replace("\\", "")  # as rendered: the label's markdown escapes are not shown
    assert shown.startswith("A data set named 'mnist_kaggle_5000' exists (imported from t.csv on ")
    assert shown.endswith(", 30 rows): replace it?")
    assert at.button(key="dsu_go").disabled
    box.check().run()
    assert not at.button(key="dsu_go").disabled
    at.text_input(key="dsu_name").set_value("Bad Name").run()
    assert at.button(key="dsu_go").disabled and any("not allowed" in e.value for e in at.error)


def test_train_a_model_on_x_opens_the_train_page_on_x(folders):
    """The Data sets page's button hands its set to the Train page, which selects it even when it
    showed another set before."""
    _, _, csv = folders
    I.import_file(csv, "mnist_kaggle_5000", label="kind")
    ds = _apptest("datasets.py")
    ds.session_state["dsu_result"] = {"ok": True, "summary": "…", "notes": [], "name": "mnist_kaggle_5000"}
    ds.run()
    ds.button(key="dsu_train").click().run()
    assert ds.session_state["tr_arrive_dataset"] == "mnist_kaggle_5000"

    tr = _apptest("train.py")
    tr.session_state["tr_dataset"] = "circle"  # what the Train page showed last time
    tr.session_state["tr_arrive_dataset"] = "mnist_kaggle_5000"
    tr.run()
    assert not tr.exception, tr.exception
    assert tr.selectbox(key="tr_dataset").value == "mnist_kaggle_5000"
    assert tr.text_input(key="tr_name").value == "my-mnist_kaggle_5000-ae-2d"
    assert "tr_arrive_dataset" not in tr.session_state  # taken once: the set can be changed again


def test_removing_a_data_set_asks_first(folders):
    _, sets, csv = folders
    I.import_file(csv, "keep_me", label="kind")
    at = _apptest("datasets.py").run()
    at.button(key="dsu_remove_go").click().run()
    assert (sets / "keep_me.safetensors").exists()  # a click alone removes nothing
    assert any("Remove the data set 'keep\\_me' for good?" in w.value for w in at.warning)
    at.button(key="dsu_remove_no").click().run()
    assert (sets / "keep_me.safetensors").exists() and not at.warning
    at.button(key="dsu_remove_go").click().run()
    at.button(key="dsu_remove_yes").click().run()
    assert not (sets / "keep_me.safetensors").exists()


def test_an_uploaded_checkpoint_replaces_a_model_only_when_asked(folders):
    from aecore.models import ModelConfig, build_model

    models, _, _ = folders
    old = to_bytes(build_model(ModelConfig(family="ae", input_dim=2, latent_dim=3, hidden=(4,))), "circle")
    new = to_bytes(build_model(ModelConfig(family="ae", input_dim=2, latent_dim=2, hidden=(4,))), "circle")
    library.save_model_bytes("mine", old)
    at = _apptest("library.py").run()
    upload = at.file_uploader(key="lib_upload").set_value([("mine.safetensors", new, "application/octet-stream")])
    upload.run()
    at.button(key="lib_add").click().run()
    assert not at.exception, at.exception
    assert any("was not added" in e.value and "Replace a model of the same name" in e.value for e in at.error)
    assert (models / "mine.safetensors").read_bytes() == old
    at.checkbox(key="lib_upload_replace").check().run()
    at.button(key="lib_add").click().run()
    assert (models / "mine.safetensors").read_bytes() == new
