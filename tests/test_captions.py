"""Words from numbers (issue 31): each caption that cites a number is made by aecore.analysis.words
from that number, and here each one is checked with both signs and, where cheap, against the data of
the figure it sits under (the shipped 8×8 digits models: no MNIST needed). Runs in ~5 s.

Captions covered (page → function):
  Denoising: curve caption → psnr_curve_caption; DAE metric delta → db_delta / delta_arrow;
             toy metric delta → toy_distance_delta
  Sampling:  header's mark colour, plane hints → marks_hint / LOW_MARK; 2-D vs k-D paragraph →
             ae_prior_words; each plane's title → draws_title; the two read together →
             draws_verdict; PCA caption → pca_view_caption; Reading it → sampling_reading;
             posterior caption → posterior_caption; collapse box → collapse_words
  Tour:      step 3 warning → extrapolation_words (and the figure's colour); step 6 caption →
             overfit_words; step 7 titles, hint and settings → tour_draws_title, marks_hint,
             settings_note; step 8 source → anomaly_source_words; step 9 spread → spread_words
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from aecore.analysis import words

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def digits():
    from aecore.data.sets import load_dataset

    return load_dataset("digits")


def shipped(name):
    from demo_fixtures import shipped as load

    return load(name)


# ---------------------------------------------------------------- Denoising


def test_db_gap_words_follow_the_sign():
    assert words.db_gap(-2.7) == "2.7 dB below the vanilla AE"
    assert words.db_gap(2.7) == "2.7 dB above the vanilla AE"
    assert words.db_gap(0.02) == "level with the vanilla AE"  # "0.0 dB above" would read as nonsense
    assert words.db_delta(-2.71) == "-2.7 dB vs AE" and words.delta_arrow(-2.71) == "auto"
    assert words.db_delta(0.01) == "level with the AE" and words.delta_arrow(0.01) == "off"


def test_psnr_caption_dae_below_at_level_0_says_below_not_cost_plus():
    """The defect seen: 'Noise-free inputs (level 0) cost the DAE +2.7 dB' beside a chart with the DAE
    2.7 dB below the AE at level 0 (MNIST 16-D, Gaussian)."""
    adv = [-2.69, 3.7, 6.94, 8.22, 8.51, 8.19, 7.57, 6.85, 6.18]
    text = words.psnr_curve_caption("gaussian", np.linspace(0, 1, 9), adv)
    assert "+" not in text
    assert "(level 0) the DAE is 2.7 dB below the vanilla AE" in text
    assert "At the highest level (σ = 1) the DAE is 6.2 dB above the vanilla AE" in text
    assert "leads most at σ = 0.5, by 8.5 dB" in text  # the best level is not the last one


def test_psnr_caption_other_signs():
    lv = np.linspace(0, 0.6, 5)
    ahead_everywhere = words.psnr_curve_caption("masking", lv, [0.5, 1, 2, 3, 4])
    assert "(level 0) the DAE is 0.5 dB above the vanilla AE too" in ahead_everywhere
    assert "leads most" not in ahead_everywhere  # the best level is the highest one
    assert "60% of pixels zeroed" in ahead_everywhere
    level_at_0 = words.psnr_curve_caption("salt-and-pepper", lv, [0.01, 1, 2, 3, 4])
    assert "the two are level" in level_at_0
    # MNIST 2-D under masking: the DAE is below at every level, so no "robustness" story.
    never = words.psnr_curve_caption("masking", lv, [-1.14, -1.06, -0.97, -0.6, -0.31])
    assert "0.3 dB below the vanilla AE, and it is nowhere above it" in never
    assert "price of its robustness" not in never


def test_psnr_caption_agrees_with_the_figure(digits):
    """The words at level 0 and at the top level read the same sign as the figure's two curves."""
    from aecore.analysis.denoise import psnr_curve
    from latentlab.figures.demos import psnr_curve_figure

    curve = psnr_curve(shipped("digits-ae-16d"), shipped("digits-dae-16d"), digits.x_test[:100], "gaussian")
    fig = psnr_curve_figure(curve)
    dae, ae = (np.asarray(next(t.y for t in fig.data if t.name == n)) for n in ("denoising AE", "vanilla AE"))
    text = words.psnr_curve_caption("gaussian", curve.levels, curve.dae_advantage, n_images=100)
    for where, i in (("level 0\\) the DAE is", 0), ("highest level \\(σ = 1\\) the DAE is", -1)):
        m = re.search(where + r" ([\d.]+) dB (above|below)", text)
        assert m, text
        gap = dae[i] - ae[i]
        assert m.group(2) == ("above" if gap > 0 else "below")
        assert float(m.group(1)) == pytest.approx(abs(gap), abs=0.051)
    assert "first 100 test images" in text


def test_toy_distance_delta_sign():
    assert words.toy_distance_delta(0.2, 0.05) == "-0.150 vs noisy"  # closer: negative, shown green (inverse)
    assert words.toy_distance_delta(0.05, 0.2) == "+0.150 vs noisy"


# ---------------------------------------------------------------- Sampling


def test_low_density_colour_is_named_as_the_plane_draws_it():
    """'red ○' was written for circles drawn in #D55E00 (orange-red). The plane's constant and the
    caption's name come from one place: the plane's VERMILLION (state.js) must equal words.LOW_DENSITY_HEX."""
    plane = ROOT / "latentlab/ui/components/latent_plane"
    m = re.search(r'export const VERMILLION = "(#[0-9A-Fa-f]{6})"', (plane / "state.js").read_text())
    assert m and m.group(1).upper() == words.LOW_DENSITY_HEX
    assert "low ? VERMILLION" in (plane / "render.js").read_text()  # the marks' low-density colour is that constant
    assert words.LOW_MARK == "orange-red ○"
    assert "orange-red ○ a draw in low density" in words.marks_hint()
    assert "orange-red ○" in words.pca_view_caption(16, "VAE", [0.3, 0.2])
    assert "orange-red ○" in words.sampling_reading(0.02)
    for page in ("latentlab/ui/pages/sampling.py", "latentlab/ui/pages/tour.py", "aecore/analysis/tour.py"):
        src = (ROOT / page).read_text()
        assert "red ○" not in src.replace("orange-red ○", "") and "Red circles" not in src, page


def test_draws_title_says_what_low_density_is_measured_against():
    ae = words.draws_title("Vanilla AE", 0.0625, 0.103, 0.00025, 0.02)
    assert ae.startswith("Vanilla AE: 6% of draws emptier than 98% of its codes f(x)")
    assert "denser than only 10% of them" in ae and "reach 0% of them" in ae
    vae = words.draws_title("VAE", 0.03125, 0.452, 0.761, 0.02)
    assert "3% of draws emptier than 98% of its codes z ~ q(z|x)" in vae
    assert "only" not in vae and "reach 76%" in vae


def test_draws_verdict_comparison_words_follow_the_numbers():
    vae = {"low": 0.031, "typical": 0.452, "reach": 0.761}
    ae = {"low": 0.0625, "typical": 0.103, "reach": 0.0003}
    text = words.draws_verdict(vae, ae, "ε ~ N(0, I) (the VAE's prior)", 0.02)
    assert "drawn from ε ~ N(0, I), sits" in text
    assert "more of the AE's draws (6%) than of the VAE's (3%)" in text
    assert "a sparser place" in text and "reach less of its data" in text
    flipped = words.draws_verdict(ae, vae, "ε ~ N(0, I)", 0.02)  # an AE that did better on every count
    assert "fewer of the AE's draws (3%)" in flipped and "a denser place" in flipped and "reach more" in flipped
    same = words.draws_verdict(vae, dict(vae), "x", 0.02)
    assert "as many of the AE's draws" in same and "as dense" in same and "as much" in same


def test_ae_prior_words_reads_crowd_or_fringe_from_the_rank():
    assert "crowd around the origin" in words.ae_prior_words(2, 0.67)
    fringe2 = words.ae_prior_words(2, 0.12)
    assert "leave the origin sparse" in fringe2 and "only 12%" in fringe2
    fringe16 = words.ae_prior_words(16, 0.10)
    assert "sparse fringe" in fringe16 and "only 10%" in fringe16
    crowd16 = words.ae_prior_words(16, 0.45)
    assert "surround the origin" in crowd16 and "only" not in crowd16 and "fringe" not in crowd16


def test_sampling_titles_agree_with_the_planes_marks(digits):
    """On the shipped 16-D digits pair, as the Sampling page computes them: the title's share is the
    share of low-density marks the plane draws, and the verdict's words match the two models' numbers."""
    from aecore.analysis import sampling
    from aecore.analysis.coding import encode_array
    from latentlab.ui.components.latent_plane import draw_marks

    ae, vae = shipped("digits-ae-16d"), shipped("digits-vae-16d")
    eps = sampling.draw_eps(sampling.N_DRAWS, 16, 0)
    nums = {}
    for name, model in (("Vanilla AE", ae), ("VAE", vae)):
        codes = sampling.reference_codes(model, digits.x_test) if name == "VAE" else encode_array(model, digits.x_test)
        rep = sampling.assess_draws(model, codes, eps)
        marks = draw_marks(rep.z, rep.low)
        reach = sampling.reach(codes, rep)
        title = words.draws_title(name, rep.low_fraction, rep.median_rank, reach, 0.02)
        assert title.split(": ")[1].startswith(f"{np.mean(marks['low']):.0%} of draws")
        nums[name] = {"low": rep.low_fraction, "typical": rep.median_rank, "reach": reach}
    text = words.draws_verdict(nums["VAE"], nums["Vanilla AE"], "ε ~ N(0, I)", 0.02)
    denser = nums["Vanilla AE"]["typical"] > nums["VAE"]["typical"]
    assert ("a denser place" if denser else "a sparser place") in text or "as dense" in text


def test_posterior_and_collapse_words():
    mean, cov = np.array([0.1, -0.2, -0.001]), np.diag([0.9, 1.1, 1.0])
    text = words.posterior_caption(1500, (0, 2), mean, cov, 3)
    assert "mean (0.10, 0.00), variances (0.90, 1.00)" in text and "z1 and z3" in text
    assert "Shown" not in words.posterior_caption(10, (0, 1), mean, cov, 2)
    none = words.collapse_words([0.3, 1.2, 0.8], [], 0.05)
    assert none.startswith("No posterior collapse") and "0.30 nats in z1" in none
    some = words.collapse_words([0.01, 1.2, 0.02], [0, 2], 0.05)
    assert "in 2 of 3 dimension(s) (z1, z3)" in some


# ---------------------------------------------------------------- the tour


def test_extrapolation_words_as_a_person_says_it():
    """The defect seen: 'density 0.00e+00, below 0% of training codes' own'."""
    far = words.extrapolation_words(0.0)
    assert "far outside the codes" in far and "lower than at every training code" in far
    assert "e+00" not in far and "0%" not in far
    near = words.extrapolation_words(0.3)
    assert (
        "few training codes near here" in near and "lower than at 99% of them" in near
    )  # rounded down: 99.7 is not "every"
    assert "lower than at 98% of them" in words.extrapolation_words(1.6)


def test_tour_step_3_warning_and_figure_agree(digits):
    """At the end of the walk the figure says EXTRAPOLATING in the low-density colour, and the
    warning's words come from the same density (far outside: lower than every code)."""
    from aecore.analysis import tour
    from aecore.analysis.coding import encode_array
    from aecore.analysis.density import KernelDensity
    from latentlab.figures.tour import reliability_figure

    model = shipped("digits-ae-2d")
    codes = encode_array(model, digits.x_train)
    dens = KernelDensity(codes)
    z = tour.walk_out(codes, 1.0)
    d = float(dens(z)[0])
    assert dens.is_low(d)
    fig = reliability_figure(model, codes, digits.y_train.numpy(), digits.class_names, dens, z, digits.image_shape)
    assert "EXTRAPOLATING" in fig.layout.annotations[1].text
    assert fig.layout.annotations[1].font.color == words.LOW_DENSITY_HEX
    assert fig.data[-2].marker.color == words.LOW_DENSITY_HEX  # the probe's cross (under it: its white halo)
    pct = dens.percentile(d)
    text = words.extrapolation_words(pct)
    assert ("every training code" in text) == (pct == 0)
    # The step points at what is drawn: the dots, not shading that the dots hide.
    step = tour.STEPS[tour.KEYS.index("reliability")]
    assert "dark regions" not in step.text and "(the shading)" not in " ".join(a for _, a in step.checks)


def test_overfit_words_follow_the_held_out_curve():
    rising = words.overfit_words(300, 0.010, 0.020, 2000)
    assert "lowest at epoch 300" in rising and "risen to 2.0×" in rising and "fits the noise" in rising
    flat = words.overfit_words(1900, 0.010, 0.0101, 2000)
    assert "stays within 5%" in flat and "fits the noise" not in flat


def test_tour_step_7_names_its_settings_against_the_sampling_page():
    here = {"sampler": "Uniform in the codes' bounding box", "k": 2, "n": 64, "seed": 0}
    page = {"sampler": "ε ~ N(0, I) (the VAE's prior)", "k": 16, "n": 64, "seed": 0}
    text = words.settings_note(here, page, "Sampling page")
    assert (
        "here the sampler “Uniform in the codes' bounding box”, k = 2; there the sampler “ε ~ N(0, I) (the VAE's "
        "prior)”, k = 16. Set the sampler “Uniform in the codes' bounding box”, k = 2 there" in text
    )
    assert "with the same 64 draws, seed 0" in text
    assert "same numbers" in words.settings_note(here, dict(here), "Sampling page")
    assert (
        words.tour_draws_title("AE", "box around its codes", 0.84) == "**AE, box around its codes: 84% in low density**"
    )


def test_tour_step_7_text_claims_no_share_the_numbers_do_not_show(digits):
    """Step 7's text said *most* draws from the box land in empty space: 84% on MNIST, but 30% on the
    built-in digits (the tour's data without MNIST). The text now says they *can*, and the title
    above each plane gives the share; here: some do, on digits too."""
    from aecore.analysis import sampling
    from aecore.analysis.coding import encode_array
    from aecore.analysis.tour import KEYS, STEPS

    step = STEPS[KEYS.index("sampling")]
    assert "its draws can land in empty space (orange-red circles" in step.text
    assert "most" not in step.text + " ".join(q + a for q, a in step.checks)
    ae = shipped("digits-ae-2d")
    codes = encode_array(ae, digits.x_test)
    rep = sampling.assess_draws(ae, codes, sampling.sample_latent("uniform-box", codes, sampling.N_DRAWS, 0))
    assert 0 < rep.low_fraction < 0.5


def test_anomaly_source_words_say_when_the_numbers_are_the_anomalies_pages():
    same = words.anomaly_source_words(True, "fashion-mnist test images", 95)
    assert "same detector, test images and scores as the Anomalies page" in same and "95th percentile" in same
    other = words.anomaly_source_words(False, "upside-down digits", 95)
    assert "its numbers differ" in other
    assert [words.ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 51, 52, 95)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "51st", "52nd", "95th",
    ]  # fmt: skip


def test_spread_words_pick_the_tighter_model():
    assert "tighter under the AE (0.12) than under the VAE (0.30)" in words.spread_words(0.12, 0.30, "1")
    assert "tighter under the VAE (0.12) than under the AE (0.30)" in words.spread_words(0.30, 0.12, "1")
    assert "about as spread" in words.spread_words(0.2, 0.205, "1")


def test_every_noise_kind_has_level_words():
    from aecore.analysis.denoise import NOISE_KINDS

    assert [words.noise_level_words(k, 0.5) for k in NOISE_KINDS] == [
        "σ = 0.5",
        "50% of pixels hit",
        "50% of pixels zeroed",
    ]
    with pytest.raises(KeyError):
        words.colour_name("#123456")


def test_beta_words_follow_the_signs_against_beta_one():
    ref = {"rate": 20.0, "distortion": 80.0}
    hi = words.beta_words(4.0, 9.5, 95.25, 6, 16, ref)
    assert "10.5 fewer than at β = 1" in hi and "15.2 more" in hi and "6 of 16 latent dimensions are active" in hi
    lo = words.beta_words(0.25, 35.0, 70.0, 16, 16, ref)
    assert "15.0 more than at β = 1" in lo and "10.0 fewer" in lo and "All 16" in lo
    one = words.beta_words(1.0, 20.0, 80.0, 15, 16, ref)
    assert "than at β = 1" not in one and "the other one collapsed" in one
    assert "None of the 2" in words.beta_words(8.0, 0.1, 120.0, 0, 2, None)


def test_codebook_words_compare_with_the_ae_by_sign():
    below = words.codebook_words(96.3, 128, 120, 49, 0.0045, 0.0076, 16)
    assert "343 bits" in below and "perplexity is 96 of 128" in below and "below the 16-D AE's 0.0076" in below
    above = words.codebook_words(40.0, 128, 60, 49, 0.009, 0.0076, 16)
    assert "above the 16-D AE's" in above and "not a coarser" not in above
    assert "Test MSE" not in words.codebook_words(40.0, 128, 60, 49, 0.009, None, 16)
