"""The glossary (latentlab.ui.glossary): every term the issue names has a short definition; every piece of
jargon in a page's header or caption text (acronyms, ℝᵏ, β, notation such as q(z|x) or N(0, I))
is one the glossary defines; the first use of each is linked to its entry, and the entry is on the
page. About 2 s (one AppTest run of a page header)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from latentlab.ui.glossary import BY_NAME, TERMS, find_terms, glossary_html, link_terms

PAGES = sorted((Path(__file__).parents[1] / "latentlab" / "ui" / "pages").glob("*.py"))

#: The terms issue 31 saw used without a definition, and those the pages add.
REQUIRED = (
    "ℝᵏ",
    "manifold",
    "latent code z",
    "encoder f",
    "decoder g",
    "KL divergence",
    "nats",
    "q(z|x)",
    "N(0, I)",
    "PSNR",
    "MSE",
    "AUC",
    "density",
    "ELBO",
    "PCA",
    "β",
)

#: Capitals that are not jargon to explain: file formats, the data sets' own names, units.
NOT_JARGON = {"CSV", "NPY", "NPZ", "ZIP", "PNG", "SVG", "URL", "QR", "MB", "CPU", "GPU", "MNIST", "JSON", "ID", "OK"}

#: Jargon found without the glossary: acronyms, ℝ…, β, and a letter applied to arguments (f(x), q(z|x)).
JARGON = re.compile(r"\b[A-Z]{2,}\b|ℝ\S*|\bR\^\w|β|\b[A-Za-z]\([^()]*\)")


def _text(node: ast.AST) -> str | None:
    """A string argument's text; an f-string's constant parts, with its fields as "…"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values)
    return None


def _header_and_captions(path: Path) -> list[str]:
    """The text under the page's title (page_header's second argument) and of its st.caption calls."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        arg = {"page_header": 1, "caption": 0, "gloss": 0}.get(name)
        if arg is not None and len(node.args) > arg and (t := _text(node.args[arg])) is not None:
            out.append(t)
    return out


def test_every_required_term_has_a_short_plain_definition():
    for name in REQUIRED:
        term = BY_NAME[name]
        assert 40 <= len(term.definition) <= 250, name  # one or two sentences, not an essay
        assert '"' not in term.definition  # it is a markdown link's title, in double quotes
        assert re.search(term.pattern, name) or name in ("latent code z", "encoder f", "decoder g"), name
    # Each is found under the names a page writes it with.
    for text, name in [
        ("a code in R^k", "ℝᵏ"),
        ("M = g(ℝᵏ)", "ℝᵏ"),
        ("the KL divergence", "KL divergence"),
        ("0.3 nats", "nats"),
        ("ε ~ N(0, I)", "N(0, I)"),
        ("q(z | x)", "q(z|x)"),
        ("its code z", "latent code z"),
        ("z = f(x)", "encoder f"),
        ("decode that z with g.", "decoder g"),
        ("where codes are dense", "density"),
    ]:
        assert name in [t.name for t, _, _ in find_terms(text)], (text, name)
    assert len({t.anchor for t in TERMS}) == len(TERMS)  # every entry its own anchor


def test_no_term_is_found_where_it_is_not():
    assert find_terms("e.g. the encoded image, decodes, barcode") == []
    assert find_terms("$KL$ and `PSNR` and [MSE](#x)") == []  # LaTeX, code and links are left alone


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_term_a_pages_header_and_captions_use_is_defined(page):
    for text in _header_and_captions(page):
        text = re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), text)  # code (a command line) is not prose
        covered = [(a, b) for _, a, b in find_terms(text)]
        for m in JARGON.finditer(text):
            if m.group() in NOT_JARGON:
                continue
            assert any(a <= m.start() < b or m.start() <= a < m.end() for a, b in covered), (
                f"{page.name}: '{m.group()}' has no glossary entry (latentlab/ui/glossary.py) in: {text[:120]}"
            )


def test_first_use_is_linked_to_its_entry_and_later_uses_stay_plain():
    text = "The KL term: KL is in nats. A second page's KL is linked again."
    seen: set[str] = set()
    out, first = link_terms(text, seen)
    kl = BY_NAME["KL divergence"]
    assert out.count(f"(#{kl.anchor} ") == 1 and out.startswith(f"The [KL](#{kl.anchor} ")
    assert [t.name for t in first] == ["KL divergence", "nats"]
    again, more = link_terms("KL and nats again", seen)  # a later caption on the same page
    assert again == "KL and nats again" and more == []
    block = glossary_html(first)
    for t in TERMS:  # every term's entry is in the block, so any later link has its target
        assert f'id="{t.anchor}"' in block
    assert block.index(f'id="{kl.anchor}"') < block.index("Other terms")  # this text's terms first


def test_page_header_links_its_text_and_shows_the_glossary(monkeypatch):
    import sys

    from streamlit.testing.v1 import AppTest

    # AppTest runs the function as a temporary __main__ script; put the real one back afterwards, or
    # a later training process (a forkserver child re-runs __main__'s file) meets the gone script.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def page():
        import streamlit as st

        from latentlab.ui.glossary import gloss
        from latentlab.ui.theme import page_header

        st.caption(gloss("Before the header: KL"))  # no glossary block yet: nothing to link to
        page_header("T", "Draws ε ~ N(0, I); a VAE's KL is in nats.")
        st.caption(gloss("Its KL, and PSNR in dB."))  # a later caption: only the new term is linked

    at = AppTest.from_function(page).run(timeout=20)
    assert not at.exception
    before, lede, later = (c.value for c in at.caption)
    assert before == "Before the header: KL"
    assert "[N(0, I)](#g-n-0-i " in lede and "[nats](#g-nats " in lede
    assert later.startswith("Its KL, and [PSNR](#g-psnr ")
    block = next(m.value for m in at.markdown if "ll-gloss" in m.value)
    assert "Glossary: N(0, I), VAE, KL divergence, nats" in block and 'id="g-psnr"' in block
