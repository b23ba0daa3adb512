"""Command line for preparing a lecture: ``python -m aecore train|info|list|prepare|import-data|download``
(also the model commands of ``latent-lab``, :mod:`latentlab.cli`)."""

from __future__ import annotations

import argparse
import json
import sys

from aecore import __version__


def _refused(exc: Exception) -> int:
    """A write that would replace a model or data set: exit 2, saying how to replace it on purpose."""
    print(f"error: {exc}. Nothing was changed: add --force to replace it.", file=sys.stderr)
    return 2


def _train(a: argparse.Namespace) -> int:
    from tqdm import tqdm

    from aecore.data.sets import DatasetUnavailable
    from aecore.errors import UserError
    from aecore.storage import library
    from aecore.storage.checkpoint import checkpoint_file
    from aecore.training.fit import TrainConfig, TrainingDiverged
    from aecore.training.recipes import Recipe, train_recipe

    # Where the model goes, checked before a minute of training: a name that cannot be used or a
    # model that would be replaced without --force stops here.
    try:
        out = library.user_model_path(a.name) if a.name else checkpoint_file(a.out)
        library.refuse_to_replace(out, a.force)
    except library.ModelExists as exc:
        return _refused(exc)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tc = TrainConfig(
        epochs=a.epochs,
        batch_size=a.batch_size,
        lr=a.lr,
        seed=a.seed,
        schedule=a.schedule,
        val_fraction=a.val_fraction,
        corruption=a.corruption,
        corruption_level=a.level if a.level is not None else (0.5 if a.corruption else 0.0),
    )
    hidden = tuple(int(h) for h in a.hidden.split(",")) if a.hidden else None
    excl = tuple(int(c) for c in a.exclude_class.split(",")) if a.exclude_class else ()
    recipe = Recipe(
        dataset=a.dataset,
        model=a.model,
        latent_dim=a.latent_dim,
        hidden=hidden,
        activation=a.activation,
        beta=a.beta,
        codebook_size=a.codebook_size,
        recon_loss=a.recon_loss,
        exclude_classes=excl,
        train=tc,
    )
    bar = tqdm(total=a.epochs, unit="epoch", desc=f"{a.model} on {a.dataset}", disable=a.quiet)

    def progress(p):
        bar.set_postfix(loss=f"{p.train_loss:.4g}", val=f"{p.val_loss:.4g}" if p.val_loss is not None else "-")
        bar.update(1)

    try:
        tm = train_recipe(
            recipe, data_root=a.data_root, out=out, callbacks=[progress], dtype=a.dtype, overwrite=a.force
        )
    except library.ModelExists as exc:  # appeared while this one trained
        bar.close()
        return _refused(exc)
    except (UserError, DatasetUnavailable) as exc:  # an unknown data set, a full disk: said, exit 2
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (TrainingDiverged, ValueError, KeyError) as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bar.close()
    print(f"saved {tm.path}" + (f" as the model '{a.name}' (listed in the app's model pickers)" if a.name else ""))
    print(json.dumps(tm.metrics, indent=2))
    return 0


def _info(a: argparse.Namespace) -> int:
    from aecore.storage.checkpoint import CheckpointError, load_checkpoint

    try:
        ck = load_checkpoint(a.path)
    except CheckpointError as exc:
        print(f"error: {a.path}: {exc}", file=sys.stderr)
        return 1
    s = ck.summary()
    if a.json:
        print(json.dumps({**s, "config": ck.config.to_dict(), "train_config": ck.train_config}, indent=2))
        return 0
    from aecore.storage.library import metric_lines

    width = max(len(k) for k in s)
    lines = metric_lines(ck.metrics)
    if lines:
        print("test metrics:")
        lw = max(len(lab) for lab, _ in lines)
        for lab, val in lines:
            print(f"  {lab:<{lw}}  {val}")
    for k, v in s.items():
        if isinstance(v, float):
            v = f"{v:.6g}"
        print(f"{k:<{width}}  {v}")
    if ck.history:
        last = ck.history[-1]
        print(f"{'last epoch':<{width}}  " + ", ".join(f"{k}={v:.4g}" for k, v in last.items() if isinstance(v, float)))
    return 0


def _list(a: argparse.Namespace) -> int:
    from aecore.storage.library import list_models

    for e in list_models():
        print(
            f"{e.name:<28} {e.family:<10} k={e.latent_dim:<3} {e.dataset:<14} "
            f"{'shipped' if e.readonly else 'user'}  {e.path}"
        )
    return 0


def _prepare(a: argparse.Namespace) -> int:
    import time

    from aecore.lecture.prepare import prepare_all
    from aecore.lecture.prepared import cache_dir

    t0 = time.perf_counter()
    last = [""]

    def progress(frac: float, what: str) -> None:
        # One line per item: a terminal and a CI log both read it.
        if what != last[0]:
            print(f"[{frac:4.0%}] {what}", flush=True)
            last[0] = what

    steps = prepare_all(progress)
    slow = sorted(steps, key=lambda s: -s.seconds)[:5]
    print(
        f"prepared {len(steps)} items in {time.perf_counter() - t0:.0f} s "
        f"({sum(s.cached for s in steps)} were ready) into {cache_dir()}"
    )
    print("slowest: " + ", ".join(f"{s.what} {s.seconds:.1f} s" for s in slow))
    return 0


def _download(a: argparse.Namespace) -> int:
    from aecore.data.sets import DatasetUnavailable, load_dataset

    try:
        ds = load_dataset(a.name, root=a.data_root, download=True)
    except DatasetUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{ds.name}: {len(ds.x_train)} train, {len(ds.x_test)} test images in {ds.meta.get('root')}")
    return 0


def _import_data(a) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from aecore.data.importing import DataSetExists, import_file
    from aecore.data.sets import reserved_dataset_names
    from aecore.errors import UserError
    from aecore.names import propose_name
    from aecore.storage.library import propose_model_name

    # No --name: the name the Data sets page would propose for this file (the same function).
    name = a.name if a.name is not None else propose_name(Path(a.path).stem, "dataset", reserved_dataset_names())

    bar = tqdm(total=100, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% {postfix}", file=sys.stderr)

    def progress(frac: float, what: str) -> None:
        bar.n = round(100 * frac)
        bar.set_postfix_str(what, refresh=False)
        bar.refresh()

    try:
        rep = import_file(
            a.path,
            name,
            label=a.label,
            size=a.size,
            color=a.color,
            seed=a.seed,
            progress=progress,
            builtin=reserved_dataset_names(),
            pictures=a.pictures,
            overwrite=a.force,
        )
    except DataSetExists as exc:
        bar.close()
        return _refused(exc)
    except UserError as exc:  # DataImportError, or the write's WriteError (a full disk)
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bar.close()
    print(f"Imported {rep.summary()}")
    for note in rep.notes:
        print(f"note: {note}")
    # A command that works as printed: the data set's own name, and a model name nobody has yet.
    model = propose_model_name(f"{rep.name}-ae-2d")
    print(f"Stored in {rep.path}. Train on it: python -m aecore train --dataset {rep.name} --name {model}")
    return 0


def _import_model(a) -> int:
    """``import-model``: an encoder and a decoder exported to ONNX, into the model library."""
    from pathlib import Path

    from aecore.errors import UserError
    from aecore.storage import library

    if bool(a.model) == bool(a.encoder or a.decoder) or (a.encoder and not a.decoder):
        print("error: give --encoder and --decoder, or --model (one file with both halves)", file=sys.stderr)
        return 2
    try:
        enc = Path(a.model or a.encoder).read_bytes()
        dec = Path(a.decoder).read_bytes() if a.decoder else None
    except OSError as exc:
        print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        entry = library.import_onnx(a.name, enc, dec, a.dataset, overwrite=a.force)
    except library.ModelExists as exc:
        return _refused(exc)
    except UserError as exc:
        print(f"error: {exc}. Nothing was written.", file=sys.stderr)
        return 2
    print(f"Imported {entry.name}: k = {entry.latent_dim}, {entry.dataset}, test MSE {entry.test_mse:.4f}")
    print(f"Stored in {entry.path}; every page lists it under its data set.")
    return 0


def _add_import_model(sub) -> None:
    im = sub.add_parser(
        "import-model",
        help="import your own autoencoder: an encoder and a decoder exported to ONNX (torch.onnx.export)",
    )
    im.add_argument("--encoder", help="the encoder's .onnx file: rows (B, D) or pictures (B, C, H, W) in")
    im.add_argument("--decoder", help="the decoder's .onnx file: codes (B, k) in, rows or pictures out")
    im.add_argument(
        "--model", help="instead: one .onnx file with both halves (outputs: the code and the reconstruction)"
    )
    im.add_argument("--dataset", required=True, help="the data set it was trained on (built in or imported)")
    im.add_argument("--name", required=True, help="its name in the model library")
    im.add_argument("--force", action="store_true", help="replace a model of that name")
    im.set_defaults(fn=_import_model)


def _add_train(sub) -> None:
    """``train``: its flags, with the choices read from where each list is defined (the model
    registry, the trainer, the corruptions): a new family or schedule shows up here by itself."""
    # Costs the torch import: only when the parser is built.
    from aecore.data.corrupt import CORRUPTIONS
    from aecore.models.base import ACTIVATIONS
    from aecore.training.fit import SCHEDULES
    from aecore.training.recipes import MODEL_CHOICES

    t = sub.add_parser("train", help="train a model and save a checkpoint")
    t.add_argument("--dataset", default="digits")
    t.add_argument("--model", default="ae", choices=list(MODEL_CHOICES))
    t.add_argument("--latent-dim", type=int, default=2)
    t.add_argument("--hidden", default=None, help="comma-separated widths, e.g. 512,256")
    t.add_argument(
        "--recon-loss",
        default="mse",
        choices=["mse", "bce"],
        help="what an AE minimises: squared error, or binary cross-entropy (images in [0, 1])",
    )
    t.add_argument(
        "--activation",
        default=None,
        choices=list(ACTIVATIONS),
        help="hidden activation (default: relu for images, elu for point clouds)",
    )
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--batch-size", type=int, default=256)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument(
        "--schedule",
        default="constant",
        choices=list(SCHEDULES),
        help="learning-rate schedule over all steps (cosine and onecycle end at 0)",
    )
    t.add_argument(
        "--val-fraction",
        type=float,
        default=0.1,
        help="share of the training split held out to pick the best epoch (0: train on all of it)",
    )
    t.add_argument("--beta", type=float, default=1.0, help="KL weight for VAEs")
    t.add_argument(
        "--codebook-size",
        type=int,
        default=0,
        help="VQ-VAEs: code vectors in the codebook (--latent-dim is then code size × the H/4 × W/4 grid)",
    )
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--corruption", default=None, choices=list(CORRUPTIONS))
    t.add_argument("--level", type=float, default=None, help="corruption level (default 0.5)")
    t.add_argument("--exclude-class", default=None, help="train without these labels, e.g. 3 or 3,5")
    t.add_argument("--dtype", default="float32", choices=["float32", "float16"], help="weight storage")
    t.add_argument("--data-root", default=None, help="torchvision-layout data folder (else $AECORE_DATA)")
    where = t.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", help="checkpoint path (.safetensors is appended)")
    where.add_argument("--name", help="save into the model library under this name (the app's pickers list it)")
    t.add_argument("--force", action="store_true", help="replace a model that exists under that path or name")
    t.add_argument("--quiet", action="store_true")
    t.set_defaults(fn=_train)


def _add_import_data(sub) -> None:
    """``import-data``: a CSV, NPY/NPZ or ZIP of pictures into the user data folder."""
    im = sub.add_parser(
        "import-data",
        help="import a data set (CSV, NPY/NPZ, or a ZIP of pictures in one folder per class) into the user data folder",
    )
    im.add_argument("path")
    im.add_argument(
        "--name",
        default=None,
        help="the data set's name: lower case, digits, - and _ (default: made from the file name)",
    )
    im.add_argument("--force", action="store_true", help="replace a data set that exists under that name")
    im.add_argument("--label", default=None, help="CSV: the name of the label column (optional)")
    im.add_argument("--size", type=int, default=28, help="ZIP: the side pictures are resized to")
    im.add_argument("--color", default="grey", choices=["grey", "rgb"], help="ZIP: grey or RGB pictures")
    im.add_argument("--seed", type=int, default=0, help="seed of the train/test split")
    im.add_argument(
        "--pictures", default=None, help="CSV/NPY tables: each row is a picture of this shape, e.g. 28x28 or 32x32x3"
    )
    im.set_defaults(fn=_import_data)


def add_commands(sub) -> None:
    """The model toolkit's sub-commands (train, info, list, prepare, import-data, download) on an
    argparse ``sub``-parsers object: ``python -m aecore`` has these, ``latent-lab`` these and the app's."""
    _add_train(sub)
    i = sub.add_parser("info", help="print a checkpoint's metadata")
    i.add_argument("path")
    i.add_argument("--json", action="store_true")
    i.set_defaults(fn=_info)

    ls = sub.add_parser("list", help="list shipped and user checkpoints")
    ls.set_defaults(fn=_list)

    pr = sub.add_parser(
        "prepare",
        help="compute everything a lecture can open (manifold tabs, overfitting, "
        "time-lapses, anomaly detectors, UMAP) so that no page waits",
    )
    pr.set_defaults(fn=_prepare)
    _add_import_data(sub)
    _add_import_model(sub)

    d = sub.add_parser("download", help="download MNIST or Fashion-MNIST (needs network)")
    d.add_argument("name", choices=["mnist", "fashion-mnist"])
    d.add_argument("--data-root", default=None)
    d.set_defaults(fn=_download)


def main(argv: list[str] | None = None) -> int:
    """``python -m aecore``: parse ``argv`` and run the sub-command; its exit status."""
    p = argparse.ArgumentParser(prog="python -m aecore", description="Latent Lab's model toolkit.")
    p.add_argument("--version", action="version", version=__version__)
    add_commands(p.add_subparsers(dest="cmd", required=True))
    a = p.parse_args(argv)
    return a.fn(a)
