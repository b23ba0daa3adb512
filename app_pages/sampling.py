"""Sampling: the same draws ε ~ N(0, I) decoded by a VAE and by a vanilla AE of the same data set.

The VAE was trained to make its codes look like N(0, I), so its draws land where data lives.
The AE's codes have no a-priori shape: N(0, I), a fitted Gaussian or a uniform box each miss
parts of it or land in empty space.
"""
import numpy as np
import streamlit as st

from aecore import sampling, views
from aecore.demo_figures import draws_figure, kl_bar_figure, posterior_figure
from aecore.library import find_model
from app_pages.common import codes_for, get_dataset, push_url, require_dataset, show_advanced, url_state
from app_pages.demo_common import key_of, model_of, pick_image_set, require_models

GRID = 8  # 8×8 = 64 draws: big enough to see variety, small enough to read from the back


@st.cache_data(show_spinner="Computing the VAE's posteriors…", max_entries=16)
def cached_posterior(vae_name: str, stamp: tuple, dataset: str):
    x = get_dataset(dataset).x_test
    mu, logvar = sampling.posterior_stats(model_of(find_model(vae_name)), x)
    return mu, logvar


st.title("Sampling: VAE beside vanilla AE")
st.caption("The same random draws ε ~ N(0, I) go through both decoders. Dots: each model's encoded test images. "
           "Crosses: the draws. Red circles: draws that landed where the model put (almost) no data.")

data = pick_image_set("sp_data", ("ae", "vae"))
ds = require_dataset(data)
models = require_models(data, ("ae", "vae"))
ae, vae = model_of(models["ae"]), model_of(models["vae"])
if ae.latent_dim != vae.latent_dim:
    st.error(f"The AE has k = {ae.latent_dim} but the VAE has k = {vae.latent_dim}: they cannot share draws.")
    st.stop()

sb = st.sidebar
url_state("sp_seed", 0, int)


def _new_draws():
    st.session_state["sp_seed"] = int(st.session_state["sp_seed"]) + 1


sb.button("New draws", key="sp_new", on_click=_new_draws, type="primary", width="stretch")
sb.caption(f"Draw seed: {st.session_state['sp_seed']} (kept in the URL)")
url_state("sp_sampler", "prior")
if st.session_state["sp_sampler"] not in sampling.SAMPLERS:
    st.session_state["sp_sampler"] = "prior"
sampler = sb.radio("Sampler for the vanilla AE", list(sampling.SAMPLERS), key="sp_sampler",
                   format_func=lambda k: sampling.SAMPLERS[k],
                   help="The VAE always decodes ε ~ N(0, I). The alternatives for the AE use its own codes: "
                        "a Gaussian with their mean and covariance, or uniform in their bounding box.")
url_state("sp_quantile", 0.02, float)
if show_advanced():
    sb.slider("Low density = emptier than this fraction of real codes", 0.01, 0.10, step=0.01, key="sp_quantile",
              help="A draw is 'low density' when the codes' kernel density there is below the density at "
                   "all but this fraction of the real codes.")
push_url("sp_seed", "sp_sampler", "sp_quantile")

seed = int(st.session_state["sp_seed"])
q = float(st.session_state["sp_quantile"])
k = vae.latent_dim
y = ds.y_test.numpy()
codes_ae = codes_for(models["ae"])  # (N, k)
codes_vae = codes_for(models["vae"])  # (N, k): posterior means
eps = sampling.draw_eps(GRID * GRID, k, seed)  # (64, k)
z_ae = eps if sampler == "prior" else sampling.sample_latent(sampler, codes_ae, GRID * GRID, seed)
rep_vae = sampling.assess_draws(vae, codes_vae, eps, quantile=q)
rep_ae = sampling.assess_draws(ae, codes_ae, z_ae, quantile=q)
cov_vae = sampling.coverage(codes_vae, eps)
cov_ae = sampling.coverage(codes_ae, z_ae)

left, right = st.columns(2, gap="large")
for col, name, rep, codes, cov, what in (
        (left, "VAE", rep_vae, codes_vae, cov_vae, "ε ~ N(0, I)"),
        (right, "Vanilla AE", rep_ae, codes_ae, cov_ae, sampling.SAMPLERS[sampler])):
    with col:
        st.subheader(f"{name}: decoded {what}")
        st.image(views.image_grid(rep.decoded, ds.image_shape, GRID, GRID, cell=64 if ds.image_shape[1] <= 8 else 56),
                 width="stretch")
        title = f"{name}: {rep.low_fraction:.0%} of draws in low density<br>draws reach {cov:.0%} of the codes"
        fig = draws_figure(codes[:, :2], y, ds.class_names, rep.z, rep.low, title, height=560)
        st.plotly_chart(fig, width="stretch", key=f"sp_plane_{name}")
        if k > 2:
            st.caption(f"Latent space has k = {k}: the plane shows z₁ and z₂ only; densities use all {k}.")

st.markdown(
    f"**Reading it.** *Low density* = the fraction of draws landing where the model's own codes are sparser than "
    f"at {1 - q:.0%} of them (red circles). *Reach* = the fraction of real codes that lie near some draw: draws "
    f"bunched in one corner land in dense places yet reach little of the data. "
    f"Try the other AE samplers: there is no simple a-priori description of where an AE's codes live.")

# ---------------------------------------------------------------- VAE internals
st.header("Inside the VAE: aggregate posterior, KL per dimension")
mu, logvar = cached_posterior(models["vae"].name, key_of(models["vae"]), data)
kl = sampling.kl_per_dimension(mu, logvar)
collapsed = sampling.collapsed_dims(kl)
m, cov = sampling.aggregate_posterior_moments(mu, logvar)
a, b = st.columns([3, 2], gap="large")
with a:
    sub = np.random.default_rng(0).choice(len(mu), min(1500, len(mu)), replace=False)
    st.plotly_chart(posterior_figure(mu[sub], logvar[sub], y[sub], ds.class_names, height=600), width="stretch",
                    key="sp_posterior")
    st.caption(f"Each ellipse is one q(z|x) (1σ), {len(sub)} test images. The black circles are the prior's 1σ and 2σ. "
               f"Aggregate posterior: mean ({', '.join(f'{v:.2f}' for v in m[:2])}), variances "
               f"({', '.join(f'{v:.2f}' for v in np.diag(cov)[:2])}); the prior has 0 and 1.")
with b:
    st.plotly_chart(kl_bar_figure(kl, collapsed), width="stretch", key="sp_kl")
    if collapsed:
        st.warning(f"**Posterior collapse** in dimension(s) {', '.join(f'z{j + 1}' for j in collapsed)}: "
                   "KL ≈ 0 means q(z|x) equals the prior for every x, so these coordinates carry no "
                   "information about the input.")
    else:
        st.success(f"No posterior collapse: every dimension carries information (min KL {kl.min():.2f} nats).")
    st.caption("KL(q(z_j|x) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²), averaged over the test set.")
