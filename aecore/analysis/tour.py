"""The guided tour: nine steps through the representation picture, then four from autoencoders to
latent diffusion (rate and distortion, discrete codes, a learned prior, the film) and one on the
autoencoder that explains another network (a sparse autoencoder), each two to four sentences and one
live figure. The figures reuse the other pages' functions (``network``, ``manifold``,
``explore``, ``sampling``, ``anomaly``, ``compare``); the picture no other page draws is in
:mod:`latentlab.figures.tour`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aecore.analysis.projection import view_bounds
from aecore.analysis.words import LOW_DENSITY_HEX, colour_name


@dataclass(frozen=True)
class Step:
    """One step of the guided tour. ``checks`` are self-check questions for a student working alone:
    ``(question, answer)`` pairs, the answer shown only on request."""

    key: str
    title: str
    text: str
    checks: tuple[tuple[str, str], ...] = ()
    chapter: str = "The representation picture"


#: The second chapter: what comes after the VAE (rate and distortion, discrete codes, learned priors).
DIFFUSION = "From autoencoders to latent diffusion"
#: The third: the autoencoder turned on another network (sparse autoencoders).
EXPLAIN = "Autoencoders that explain networks"


STEPS: list[Step] = [
    Step(
        "implementation",
        "1 · The implementation diagram",
        "An autoencoder is two functions: an encoder f squeezes an image x into a short code z = f(x), and a "
        "decoder g expands it back into x̂ = g(z). Training makes x̂ close to x. This is the usual picture, and "
        "it says *how* the network is wired, not *what* it has learned.",
        checks=(
            (
                "The code z of this model has 2 numbers and the image 784. What does that force the network to do?",
                "To keep only what it needs to rebuild the image: 784 numbers cannot pass through 2 "
                "unchanged, so f must summarise and g must fill in the rest from what training taught it.",
            ),
            (
                "Does this diagram tell you which images the decoder can produce?",
                "No. It shows the wiring (layers that shrink, then grow). Which outputs are possible is a "
                "question about the set g(R^k) in data space: the next step.",
            ),
        ),
    ),
    Step(
        "representation",
        "2 · The representation diagram",
        "Now look at data space itself. The decoder g maps every possible code z onto one point, so g turns the "
        "whole latent space R^k into a k-dimensional manifold M = g(R^k): here a curve, since k = 1. Every "
        "reconstruction lies on M; the autoencoder has learned the shape of the data.",
        checks=(
            (
                "With k = 1, what shape is M, whatever the data look like?",
                "A curve: g maps a line of codes onto a curve in data space. With k = 2 it would be a surface.",
            ),
            (
                "Can this autoencoder output a point that is not on M?",
                "No. Every output is g(z) for some z, and M is the set of all g(z).",
            ),
        ),
    ),
    Step(
        "reliability",
        "3 · Reliable where codes are dense",
        "Training only ever showed the decoder codes of real images (the coloured dots). Move the slider to walk "
        "z (the cross) away from them: g still returns an image, but it is extrapolating, and the images stop "
        "looking like data. M is only trustworthy where encoded samples are dense.",
        checks=(
            (
                "Why does g(z) stop looking like a digit far from the dots?",
                "The decoder was only trained on codes of real images. Far from them nothing constrained g, "
                "so it extrapolates: it still returns an image, but not one like the data.",
            ),
            (
                "You want to decode a new z. How can you tell whether to trust g(z)?",
                "Check how many training codes lie near z (the dots): where they crowd, g was trained; in "
                "empty space it is guessing.",
            ),
        ),
    ),
    Step(
        "on-manifold",
        "4 · x is not on M, x̂ is",
        "Real data is noisy: the points x lie near M, not on it. Reconstruction projects each x onto M: "
        "x̂ = g(f(x)) always lies exactly on M. The grey segments are the reconstruction errors.",
        checks=(
            (
                "Which lies on M: the data point x or its reconstruction x̂?",
                "x̂ = g(f(x)) always lies on M. The data point x lies near M; the grey segment between them "
                "is the reconstruction error.",
            ),
            (
                "What does a long grey segment tell you about that point?",
                "That M passes far from it: the model reconstructs it badly (an unusual point, or M cannot "
                "bend enough there).",
            ),
        ),
    ),
    Step(
        "latent-dim",
        "5 · The latent dimension is a prior",
        "We choose k before training, and M always has dimension k, whatever the data's true dimension. On the "
        "2-D swiss roll, k = 1 can only draw a curve through the sheet, k = 2 fits it, and k = 3 gives a 3-D "
        "M that is no longer a thin surface.",
        checks=(
            (
                "The swiss roll is a 2-D sheet. What goes wrong with k = 1? With k = 3?",
                "k = 1: M is a curve and cannot cover the sheet, so the error stays large. k = 3: M is a "
                "volume, roomy enough to reach points off the sheet, so a low error no longer means the sheet "
                "was found.",
            ),
            (
                "Who decides the dimension of M: the data or you?",
                "You do, by choosing k before training. M always has dimension k.",
            ),
        ),
    ),
    Step(
        "overfit",
        "6 · Overfitting: M through every point",
        "With few training points and a big network, M bends to pass through every training point. The training "
        "error goes to zero while the error on fresh points from the same curve rises: the manifold has learned "
        "the noise.",
        checks=(
            (
                "The training error goes to zero. Why is that bad news here?",
                "With 8 noisy points and a big network, zero error means M passes through the noise too. The "
                "error on fresh points from the same curve rises: the model learned the noise, not the curve.",
            ),
            (
                "What are two ways to avoid it?",
                "More data, a smaller network, or stopping at the epoch with the best held-out error (early stopping).",
            ),
        ),
    ),
    Step(
        "sampling",
        "7 · Why a vanilla AE cannot be sampled, and a VAE can",
        "To generate new data we need codes from where the decoder is reliable. A vanilla AE has no prior: its "
        "codes sit wherever training put them, at any scale and in any shape, so the only guess is the box around "
        f"them, and its draws can land in empty space ({colour_name(LOW_DENSITY_HEX)} circles; how many, above each "
        "plane). A VAE trains its codes to fill N(0, I), so draws from N(0, I) land on data.",
        checks=(
            (
                "Why do draws from the box around a vanilla AE's codes often decode to junk?",
                "Nothing in its training said where codes should lie, so they fill an irregular region; much "
                "of the box is empty space, where the decoder was never trained.",
            ),
            (
                "What does a VAE's training add that makes N(0, I) draws work?",
                "The KL term pulls every code distribution q(z|x) toward N(0, I), so the codes fill the prior "
                "and draws from it land where the decoder was trained.",
            ),
        ),
    ),
    Step(
        "anomalies",
        "8 · Anomalies by reconstruction error",
        "An input unlike the training data is far from M, so its reconstruction error is large. Score every "
        "input by its error and pick a threshold: the autoencoder becomes an anomaly detector without ever "
        "seeing an anomaly.",
        checks=(
            (
                "Why does an input unlike the training data get a large reconstruction error?",
                "It lies far from M, and the reconstruction can only be a point of M, so the segment x → x̂ is long.",
            ),
            (
                "What trades off when you move the threshold?",
                "Lower: more anomalies caught, but more false alarms on normal inputs. Higher: fewer false "
                "alarms, more anomalies missed.",
            ),
        ),
    ),
    Step(
        "compare",
        "9 · The same images under two models",
        "Every 1 of the test set is lit up on both planes: on the left the plain AE's codes, on the right the VAE's. "
        "Each model arranges the same images its own way, so a latent plane is a picture of one model's code, "
        "not of the data. The Compare page does this for any selection, and decodes what lies between two classes.",
        checks=(
            (
                "Why are the same images spread differently on the two planes?",
                "Each encoder is its own function f, trained with its own loss: the AE only has to reconstruct, "
                "the VAE also pulls its codes toward N(0, I). Nothing ties one model's coordinates to the other's.",
            ),
            (
                "Two images sit next to each other on one plane. Must they be neighbours on the other?",
                "No. Closeness in a latent space is a property of that model's f; compare the planes to see "
                "which neighbourhoods both models agree on.",
            ),
        ),
    ),
    Step(
        "beta",
        "10 · The β knob: rate against distortion",
        "A VAE's loss is a sum: the **distortion** (what the decoder still misses of x, in nats) plus β times the "
        "**rate** (the KL from q(z|x) to N(0, I): what the code says about x). β = 1 is the ELBO. Each point is a "
        "VAE trained on MNIST at one β: the more a nat of code costs, the less the code carries and the more the "
        "decoder misses.",
        checks=(
            (
                "When β grows, what happens to the rate, and why?",
                "It falls: every nat the code carries costs β in the loss, so the encoder pulls q(z|x) toward "
                "N(0, I) and says less about x. Whole dimensions switch off (inactive units: their means no "
                "longer move with x).",
            ),
            (
                "Why does the distortion rise at the same time?",
                "The decoder is told less about each x, so it cannot rebuild the details: its reconstructions "
                "average over the images that now share a code, and look blurrier.",
            ),
        ),
        chapter=DIFFUSION,
    ),
    Step(
        "codes",
        "11 · Discrete codes: a VQ-VAE",
        "Instead of a point in R^k, a VQ-VAE gives each cell of a 7×7 grid over the image one of 128 learned "
        "code vectors: the image becomes 49 integers, and the decoder paints from them. Click a cell, then a "
        "code: your browser decodes the new grid. Discrete codes are the first stage of many image and audio "
        "generators; a second model then learns which grids are likely.",
        checks=(
            (
                "How many bits is one image's grid, and how many different grids are there?",
                "49 cells × log₂ 128 = 7 bits each: 343 bits. There are 128^49 grids, far more than images in "
                "any data set, so discreteness does not make the code small in what it can say.",
            ),
            (
                "Why does VQ training restart codes that no cell picks?",
                "The codebook moves only the codes that are picked. A code that loses early is never picked, "
                "never moves and is wasted; without restarts a few codes do all the work (perplexity near 1).",
            ),
        ),
        chapter=DIFFUSION,
    ),
    Step(
        "learned-prior",
        "12 · Learn the prior instead of imposing it",
        "A vanilla AE has no density to sample from; a VAE imposes N(0, I) on its codes. A third way keeps the AE "
        "as it is and fits a density to its own codes: here a small flow model that carries N(0, I) noise onto "
        "them. Left, the 16-D AE's decoder fed N(0, I) draws; right, the same decoder fed the same draws carried "
        "by the flow. FD: how far the pictures are from real ones, to a classifier (lower is closer).",
        checks=(
            (
                "Why do N(0, I) draws through the AE's decoder decode to ghosts?",
                "Its codes fill a thin, stretched region of R^16 that nothing made look like N(0, I); almost "
                "every draw lands where the decoder was never trained.",
            ),
            (
                "What is the second model trained on, and what stays frozen?",
                "On the AE's codes f(x) of the training images. The AE (encoder and decoder) is frozen: the "
                "prior only learns where codes are, the decoder still makes the pictures.",
            ),
        ),
        chapter=DIFFUSION,
    ),
    Step(
        "latent-diffusion",
        "13 · Latent diffusion, drawn",
        "Latent diffusion (the structure of Stable Diffusion) is this: a first-stage autoencoder, and a generative "
        "model of its codes. With a 2-D AE we can watch it: press ▶ Play and the draws leave N(0, I) noise and "
        "flow onto the codes; the numbered draws' pictures, under the plane, sharpen as they arrive.",
        checks=(
            (
                "Why run the generative model in the latent space, not on the pixels?",
                "The latent space is small and keeps what matters (here 2 numbers; in Stable Diffusion 64×64×4 "
                "instead of 512×512×3), so every step of the generative model is cheap; the decoder adds the "
                "details.",
            ),
            (
                "What decides how good the final pictures are?",
                "Two things: whether the flow lands where codes are dense (how well the prior fits), and what "
                "the decoder makes of those codes (how well the autoencoder reconstructs).",
            ),
        ),
        chapter=DIFFUSION,
    ),
    Step(
        "sae",
        "14 · The bottleneck turned inside out",
        "Every autoencoder so far squeezed x through a bottleneck: fewer numbers than the data has. A sparse "
        "autoencoder keeps the same loss (reconstruct the input) but turns the constraint around: on a "
        "classifier's 128-number layer it has 1,024 numbers, of which only 16 may be non-zero for any input. Left, "
        "one image's 2-D code (every number used); right, the 1,024 features of its classifier layer (16 firing), "
        "each a direction that can be named.",
        checks=(
            (
                "Why must an overcomplete code be sparse?",
                "With more numbers than inputs, copying the input through is easy and says nothing. Allowing only a "
                "few non-zero numbers forces each feature to be a direction many inputs reuse.",
            ),
            (
                "What does this autoencoder reconstruct, and what is it for?",
                "Not pictures: a classifier's internal layer. Its features say what that network computes, and "
                "clamping one shows what it does to the network's answer.",
            ),
        ),
        chapter=EXPLAIN,
    ),
]
KEYS = [s.key for s in STEPS]


def step_index(raw, n: int = len(STEPS)) -> int:
    """Parse a step from the URL: ``"3"`` (1-based) or a key like ``"sampling"``; clamps, never fails."""
    if raw is None:
        return 0
    s = str(raw).strip().lower()
    if s in KEYS:
        return KEYS.index(s)
    try:
        return min(max(int(float(s)) - 1, 0), n - 1)
    except (ValueError, OverflowError):  # "abc", "nan" (int(nan) is a ValueError), "inf"
        return 0


def walk_out(codes: np.ndarray, t: float) -> np.ndarray:
    """A point ``t`` of the way along a fixed path from the middle of the codes ``(N, 2)`` to the
    emptiest corner of their plotted view: t = 0 is inside the data, t = 1 far from any code but
    still inside the axes (a probe that leaves the plot teaches nothing). Deterministic."""
    codes = np.asarray(codes, np.float64)
    start = np.median(codes, 0)  # (2,)
    (x0, x1), (y0, y1) = view_bounds(codes)
    inset = 0.06  # keep the marker clear of the frame
    xs = (x0 + inset * (x1 - x0), x1 - inset * (x1 - x0))
    ys = (y0 + inset * (y1 - y0), y1 - inset * (y1 - y0))
    corners = np.array([[x, y] for x in xs for y in ys])  # (4, 2)
    # The corner whose nearest code is farthest away, in units of the view (axes may differ in scale).
    scale = np.array([x1 - x0, y1 - y0])
    sample = codes[np.random.default_rng(0).permutation(len(codes))[:5000]] / scale  # (≤5000, 2)
    gap = [float(np.min(np.linalg.norm(sample - c / scale, axis=1))) for c in corners]
    end = corners[int(np.argmax(gap))]
    return (start + float(np.clip(t, 0.0, 1.0)) * (end - start)).astype(np.float32)


def flipped(x: np.ndarray, image_shape) -> np.ndarray:
    """Images turned upside down ``(N, D)``: out-of-distribution inputs that need no other data set."""
    c, h, w = image_shape
    return np.ascontiguousarray(np.asarray(x).reshape(-1, c, h, w)[:, :, ::-1, :].reshape(len(x), -1))
