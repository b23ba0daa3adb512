"""The glossary: one short, plain-language definition per term a page uses without explaining it
(ℝᵏ, manifold, KL, nats, q(z|x), N(0, I), PSNR, …), written for students, not specialists.

A page links the *first* use of each term in its text to the definition: :func:`link_terms` turns
it into a markdown link whose title is the definition (a hover, or a screen reader, gives it at the
word) and whose target is the term's entry in the page's glossary block (:func:`glossary_html`, a
``<details>`` that the browser opens when a link into it is followed). ``latentlab.ui.theme.page_header`` does
both for the text under every title; :func:`gloss` links the first uses in a later caption.

The text and the matching are plain Python (no Streamlit) so that tests read them directly.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A glossary entry: ``name`` as the glossary lists it, ``pattern`` (a regex) for its uses in
    text, ``definition`` in one or two plain sentences."""

    name: str
    pattern: str
    definition: str

    @property
    def anchor(self) -> str:
        """The id of its entry in the glossary block (``g-`` and a slug of the name)."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower().replace("ℝᵏ", "r-k").replace("β", "beta")).strip("-")
        return "g-" + slug


# Order matters only where two patterns could match the same text: the longer phrase comes first
# ("latent space" before "latent code"; "KL divergence" is one pattern).
TERMS: tuple[Term, ...] = (
    Term(
        "ℝᵏ",
        r"ℝᵏ|ℝ\^k|\bR\^k",
        "The space of lists of k real numbers: ℝ² is the flat plane, ℝ³ ordinary 3-D space. "
        "A code made of k numbers is one point in ℝᵏ.",
    ),
    Term(
        "manifold",
        r"\bmanifolds?\b",
        "A smooth surface of fewer dimensions inside a bigger space, like a curved sheet of paper in 3-D. "
        "Here: every output g(z) the decoder can produce, taken together.",
    ),
    Term(
        "latent space",
        r"\blatent (?:space|plane)\b",
        "The space where the codes z live: ℝᵏ for a code of k numbers. The plane on these pages shows it "
        "(or a flat view of it when k > 2).",
    ),
    Term(
        "latent code z",
        r"\b(?:latent )?codes?\b",
        "The short list of numbers z = f(x) that the encoder makes from an input x: its position in the "
        "latent space. The decoder rebuilds x from it alone.",
    ),
    Term(
        "encoder f",
        r"\bencoders?\b|\bf\(x\)|(?<![\w.])f\b",
        "The first half of the network: it squeezes an input x into its code z = f(x).",
    ),
    Term(
        "decoder g",
        r"\bdecoders?\b|\bg\(z\)|(?<![\w.])g\b",
        "The second half of the network: it turns a code z back into data, x̂ = g(z).",
    ),
    Term(
        "KL divergence",
        r"\bKL(?: divergence)?\b",
        "Kullback–Leibler divergence: how different one probability distribution is from another, 0 when "
        "they are the same. A VAE pays it for how far each q(z|x) is from N(0, I).",
    ),
    Term(
        "nats",
        r"\bnats?\b",
        "The unit of information measured with natural logarithms (ln): 1 nat ≈ 1.44 bits. KL divergences "
        "and log-likelihoods here are in nats.",
    ),
    Term(
        "q(z|x)",
        r"q\(z(?:_\w+)? ?\| ?x\)",
        "What a VAE's encoder gives for an input x: not one code but a Gaussian cloud of likely codes, "
        "with its own centre and spread.",
    ),
    Term(
        "N(0, I)",
        r"N\(0, ?[I1]\)",
        "The standard normal distribution in k dimensions: every coordinate independent, with mean 0 and "
        "standard deviation 1. A VAE wants its codes there, and new samples are drawn from it.",
    ),
    Term(
        "PSNR",
        r"\bPSNR\b",
        "Peak signal-to-noise ratio, in decibels (dB): how close an image is to the clean original. "
        "Higher is better; +3 dB means about half the squared error.",
    ),
    Term(
        "MSE",
        r"\bMSE\b",
        "Mean squared error: the average of (x − x̂)² over all pixels or coordinates. 0 is a perfect reconstruction.",
    ),
    Term(
        "AUC",
        r"\bAUC\b",
        "Area under the ROC curve: the chance that a detector scores a random anomaly above a random "
        "normal input. 1 is perfect, 0.5 is guessing.",
    ),
    Term(
        "density",
        r"\bdens(?:e|ity)\b",
        "Density of codes: how crowded the training codes are around a point of the latent space. The "
        "decoder has only learned to draw well where codes are dense.",
    ),
    Term(
        "SSIM",
        r"\bSSIM\b",
        "Structural similarity: how alike two images look, comparing local brightness, contrast and "
        "structure rather than single pixels. 1 means identical.",
    ),
    Term(
        "ELBO",
        r"\bELBO\b",
        "Evidence lower bound: what a VAE maximises, reconstruction quality minus the KL term. It is a "
        "lower bound on the log-probability of the data; higher is better.",
    ),
    Term(
        "PCA",
        r"\bPCA\b",
        "Principal component analysis: the best flat (linear) fit of k dimensions to the data. A baseline "
        "for the autoencoders, and one way to show codes of more than 2 numbers on a plane.",
    ),
    Term(
        "β",
        r"β",
        "The weight of the KL term in a VAE's loss: a larger β pulls the codes closer to N(0, I), at the "
        "cost of blurrier reconstructions.",
    ),
    Term(
        "AE",
        r"\bAEs?\b",
        "Autoencoder: a network trained to give back its own input through a narrow code, encoder f then decoder g.",
    ),
    Term(
        "VAE",
        r"\bVAEs?\b",
        "Variational autoencoder: its encoder gives a distribution q(z|x) instead of one code, and its "
        "codes are pulled towards N(0, I), so that random codes decode to plausible data.",
    ),
    Term(
        "DAE",
        r"\bDAEs?\b",
        "Denoising autoencoder: trained to turn a corrupted input x̃ back into the clean x.",
    ),
    Term(
        "FD",
        r"\bFD\b",
        "Fréchet distance: how far a set of pictures lies from the real test pictures, measured in what a "
        "classifier trained on real pictures sees in them. 0 for the test set itself; lower is closer.",
    ),
    Term(
        "rate",
        r"\brate\b(?! of)",
        "What a VAE's code says about x, in nats: the KL divergence from q(z|x) to N(0, I). β multiplies it "
        "in the loss.",
    ),
    Term(
        "distortion",
        r"\bdistortion\b",
        "What the decoder still cannot predict of x from its code, in nats: −log p(x|z), averaged over the "
        "codes q(z|x) gives.",
    ),
    Term(
        "codebook",
        r"\bcodebooks?\b",
        "A VQ-VAE's list of learned code vectors: each cell of its grid is replaced by the nearest one, so "
        "an image becomes a grid of integers (the vectors' numbers).",
    ),
    Term(
        "perplexity",
        r"\bperplexity\b",
        "exp of the entropy of how often each code is used: the codebook size when every code is used "
        "equally, 1 when one code does all the work.",
    ),
    Term(
        "sparse autoencoder",
        r"\bsparse autoencoders?\b|\bSAEs?\b",
        "An autoencoder with more code numbers (features) than inputs, trained so that only a few of them "
        "are non-zero for any input: each input becomes a sum of a few learned directions that can be named.",
    ),
    Term(
        "L0",
        r"\bL0\b",
        "How many features are non-zero (fire) for one input; the mean L0 is its average over inputs.",
    ),
    Term(
        "FVE",
        r"\bFVE\b|\bvariance explained\b",
        "Fraction of variance explained: 1 − (squared reconstruction error) / (the data's variance). 1 is a "
        "perfect reconstruction; 0 is no better than always answering the average.",
    ),
    Term(
        "disentanglement",
        r"\bdisentangle(?:ment|d)\b",
        "A code is disentangled when each of its dimensions follows one true factor of the data (size, "
        "position…) and each factor lives in one dimension.",
    ),
    Term(
        "mutual information",
        r"\bmutual information\b",
        "How much knowing one quantity tells about another, in nats: 0 when they are independent, the "
        "entropy of either when one determines the other.",
    ),
    Term(
        "MIG",
        r"\bMIG\b",
        "Mutual information gap: for each factor, how much more the best dimension tells about it than the "
        "second best, as a share of the factor's entropy; 1 is one factor per dimension.",
    ),
    Term(
        "SAP",
        r"\bSAP\b",
        "Separated attribute predictability: for each factor, how much better the best single dimension "
        "predicts it than the second best.",
    ),
    Term(
        "DCI",
        r"\bDCI\b",
        "Disentanglement, completeness, informativeness: from which dimensions a predictor of each factor "
        "uses, whether each dimension serves one factor, each factor one dimension, and how well they predict.",
    ),
    Term(
        "FactorVAE score",
        r"\bFactorVAE score\b",
        "Hold one factor fixed and vary the rest: the score is how often the dimension that varies least "
        "names the held factor.",
    ),
    Term(
        "kNN",
        r"\bkNN\b|\b\d+-nearest[- ]neighbours?\b|\b5-NN\b",
        "k-nearest-neighbour classifier: an input gets the class most of its k closest labelled examples "
        "have, closest as the representation measures distance.",
    ),
    Term(
        "linear probe",
        r"\blinear probes?\b",
        "A linear classifier (here logistic regression) trained on a representation: how well planes "
        "separate the classes in it.",
    ),
    Term(
        "NMI",
        r"\bNMI\b",
        "Normalised mutual information between two groupings (clusters and classes): 0 when unrelated, 1 "
        "when they are the same partition.",
    ),
    Term(
        "UMAP",
        r"\bUMAP\b",
        "A method that draws points of many dimensions on a plane, keeping neighbours together; distances "
        "on its picture are not to scale.",
    ),
)

BY_NAME = {t.name: t for t in TERMS}

# Text that must not be linked: LaTeX, code spans, existing links and HTML tags.
_PROTECTED = re.compile(r"\$[^$]+\$|`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^>]+>")
_ANY = re.compile("|".join(f"(?P<t{i}>{t.pattern})" for i, t in enumerate(TERMS)))


def find_terms(text: str) -> list[tuple[Term, int, int]]:
    """Every glossary term in ``text``, in order: (term, start, end), outside LaTeX, code and links."""
    found, pos = [], 0
    for prot in [*_PROTECTED.finditer(text), None]:
        end = prot.start() if prot else len(text)
        for m in _ANY.finditer(text, pos, end):
            i = int(m.lastgroup[1:])
            found.append((TERMS[i], m.start(), m.end()))
        pos = prot.end() if prot else end
    return found


def link_terms(text: str, seen: set[str] | None = None) -> tuple[str, list[Term]]:
    """``text`` with the first use of each term (not already in ``seen``, which it updates) made a
    markdown link to its glossary entry, titled with its definition; and the terms it linked."""
    seen = set() if seen is None else seen
    out, pos, linked = [], 0, []
    for term, a, b in find_terms(text):
        if term.name in seen:
            continue
        seen.add(term.name)
        linked.append(term)
        out += [text[pos:a], f'[{text[a:b]}](#{term.anchor} "{term.definition}")']
        pos = b
    return "".join(out) + text[pos:], linked


def glossary_html(first: list[Term] | tuple[Term, ...] = (), open_: bool = False) -> str:
    """The page's glossary block: a ``<details>`` whose summary names the terms ``first`` (those the
    text above it links) and which defines them, then every other term in a nested ``<details>``;
    each ``<dt>`` carries its term's anchor (following a link to it opens both). ``open_``: the
    definitions of ``first`` shown at once (presenter mode's "What is this?" popover)."""

    def items(terms) -> str:
        return "".join(
            f'<dt id="{t.anchor}"><b>{html.escape(t.name)}</b></dt><dd>{html.escape(t.definition)}</dd>' for t in terms
        )

    names = ", ".join(html.escape(t.name) for t in first)
    summary = f"Glossary: {names}" if names else "Glossary"
    rest = [t for t in TERMS if t not in first]
    return (
        # Links to a term read as the words around them (the caption's colour, 6.8:1) with a dotted
        # underline, so they are told from the text by more than colour.
        "<style>a[href^='#g-'] { color: inherit !important; text-decoration: underline dotted !important; "
        "text-underline-offset: 0.2em; } .ll-gloss dd { margin: 0 0 0.4em 1.2em; } "
        ".ll-gloss summary { cursor: pointer; }</style>"
        f'<details class="ll-gloss"{" open" if open_ else ""}><summary>{summary}</summary><dl>{items(first)}</dl>'
        f'<details class="ll-gloss"><summary>{"Other terms" if first else "All terms"} ({len(rest)})</summary>'
        f"<dl>{items(rest)}</dl></details></details>"
    )


def define(name: str) -> str:
    """The definition of the term ``name`` (a widget's ``help=`` tooltip, where a link cannot go)."""
    return BY_NAME[name].definition


def _page() -> str | None:
    """This run's page (its script hash), or None outside a Streamlit run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else None


def start_page(what: str) -> tuple[str, list[Term]]:
    """The text under a page's title with its first uses linked (:func:`link_terms`), and the terms
    it linked; what later :func:`gloss` calls on this page link is counted from here."""
    import streamlit as st

    seen: set[str] = set()
    st.session_state["_ll_gloss"] = (_page(), seen)
    return link_terms(what, seen)


def gloss(text: str) -> str:
    """``text`` with the first uses *on this page* linked (:func:`link_terms`): the terms that the
    header or an earlier caption linked stay plain. On a page without ``page_header`` (no glossary
    block to link to): ``text`` as it is."""
    import streamlit as st

    page, seen = st.session_state.get("_ll_gloss", (None, None))
    if seen is None or page != _page():
        return text
    return link_terms(text, seen)[0]
