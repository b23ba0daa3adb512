"""Names of the things a person makes: models and data sets. One rule each, checked in one place.

A name travels far: typed (or proposed) on a page or the command line, it becomes a file name, is
listed, picked, loaded, written into a checkpoint (the data set a model was trained on) and into URLs.
So it must come back out exactly as it went in. :func:`check_name` is the one door: it accepts a
name as it is, or refuses it with a sentence (:class:`InvalidName`). Surrounding spaces and a
trailing ``.safetensors`` are the only things it takes off; nothing else is ever rewritten, so a
name that is accepted is the name that is saved, listed and loaded. :func:`propose_name` turns any
text (a file name) into a name the door accepts, for the fields the app fills in for the person.

Torch-free and import-free (a leaf, like :mod:`aecore.errors`): every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aecore.errors import UserError

SUFFIX = ".safetensors"


class InvalidName(UserError):
    """A model or data-set name is empty, too long, has characters outside its rule, could escape
    its folder, or is reserved (a built-in set, a shipped model)."""


@dataclass(frozen=True)
class Rule:
    """What one kind of name may be."""

    what: str  # "model", "data-set": how the messages call it
    pattern: re.Pattern
    max_len: int
    allowed: str  # the rule in words, for the message
    example: str
    fold: bool  # reserved names are compared ignoring case and '_' vs '-' (load_dataset's aliases)


RULES = {
    # Model names may hold capitals, dots and spaces (shipped and older user models do).
    "model": Rule(
        "model",
        re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\- ]{0,63}"),
        64,
        "up to 64 letters, digits, '-', '_', '.' or spaces, starting with a letter or digit",
        "mnist-ae-2d",
        False,
    ),
    # Data-set names are lower case: the built-in sets are looked up case-insensitively, so an
    # imported "Digits" would be one letter away from shadowing one.
    "dataset": Rule(
        "data-set",
        re.compile(r"[a-z0-9][a-z0-9_-]{0,39}"),
        40,
        "up to 40 lower-case letters, digits, '-' or '_', starting with a letter or digit",
        "my-data",
        True,
    ),
}


def _fold(name: str) -> str:
    return name.lower().replace("_", "-")


def check_name(name: str, kind: str = "model", reserved: Iterable[str] = ()) -> str:
    """THE name check, for a ``kind`` of ``"model"`` or ``"dataset"``: return the name as it will be
    saved (stripped of surrounding spaces and of a trailing ``.safetensors``) or raise
    :class:`InvalidName` saying why. ``reserved``: names that are taken for good (built-in data
    sets, shipped models); for data sets compared ignoring case and ``_``/``-``.

    Whatever it returns is safe as a file stem in its folder (no ``/``, ``\\``, ``..``, no leading
    dot), survives a URL query string, and is returned unchanged when checked again."""
    rule = RULES[kind]
    if not isinstance(name, str) or not name.strip():
        raise InvalidName(f"the {rule.what} name is empty: type a name such as '{rule.example}'")
    n = name.strip()
    if n.endswith(SUFFIX):
        n = n[: -len(SUFFIX)].strip()
    why = None
    if n.endswith(SUFFIX):  # "x.safetensors.safetensors": listed as "x.safetensors", checked as "x"
        why = f"it ends in '{SUFFIX}' twice"
    elif ".." in n:
        why = "it contains '..'; names cannot point outside their folder"
    elif "/" in n or "\\" in n:
        why = "it contains a slash; names cannot point into other folders"
    elif not rule.pattern.fullmatch(n):
        why = f"use {rule.allowed}"
    if why:
        raise InvalidName(f"the {rule.what} name {name.strip()!r} is not allowed: {why}")
    fold = _fold if rule.fold else (lambda s: s)
    taken = {fold(r): r for r in reserved}
    if fold(n) in taken:
        r = taken[fold(n)]
        owner = "a built-in data set" if kind == "dataset" else "a shipped model and is read-only"
        same = "" if r == n else f" (too close to '{r}')"
        raise InvalidName(f"'{n}' is {owner}{same}: choose another name")
    return n


def is_valid(name: str, kind: str = "model", reserved: Iterable[str] = ()) -> bool:
    """True if :func:`check_name` accepts ``name``."""
    try:
        check_name(name, kind, reserved)
    except InvalidName:
        return False
    return True


def propose_name(text: str, kind: str = "model", reserved: Iterable[str] = (), taken: Iterable[str] = ()) -> str:
    """A name :func:`check_name` accepts, made from any ``text`` (a file's stem, a description):
    characters outside the rule become ``-``, data-set names are lower-cased, the length is cut to
    fit. A name in ``reserved`` or ``taken`` gets ``-2``, ``-3``, … (the first free one), so a
    proposal never points at something that exists."""
    rule = RULES[kind]
    s = str(text or "").strip()
    if s.endswith(SUFFIX):
        s = s[: -len(SUFFIX)]
    if kind == "dataset":
        s = s.lower()
    bad = r"[^a-z0-9_-]+" if kind == "dataset" else r"[^A-Za-z0-9_\- ]+"  # '.' dropped: '..' never forms
    s = re.sub(bad, "-", s)
    s = re.sub(r"\s+", " ", s).strip(" -_")[: rule.max_len].strip(" -_")
    if not s:
        s = "my-data" if kind == "dataset" else "my-model"
    return unique_name(s, kind, reserved, taken)


def unique_name(name: str, kind: str = "model", reserved: Iterable[str] = (), taken: Iterable[str] = ()) -> str:
    """``name`` if it is valid and neither reserved nor taken, else the first free ``name-2``,
    ``name-3``, … (shortened to fit the length rule). ``name`` must already follow the rule."""
    rule = RULES[kind]
    reserved = list(reserved)
    fold = _fold if rule.fold else (lambda s: s)
    used = {fold(t) for t in taken}

    def free(n: str) -> bool:
        return fold(n) not in used and is_valid(n, kind, reserved)

    if free(name):
        return name
    for i in range(2, 10_000):
        tail = f"-{i}"
        cand = name[: rule.max_len - len(tail)].rstrip(" -_.") + tail
        if free(cand):
            return cand
    raise InvalidName(f"no free {rule.what} name like {name!r}: choose one yourself")  # 10,000 taken: not in practice
