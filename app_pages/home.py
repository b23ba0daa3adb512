"""Latent map: the first thing a lecture shows. Every test image as a point z = f(x) in the
latent plane; click one to see the image and its reconstruction g(z)."""
import numpy as np
import streamlit as st

from aecore import views
from aecore.figures import latent_scatter
from app_pages.common import codes_for, pick_model, require_checkpoint, require_dataset, show_image

st.title("Latent map")
st.caption("Each dot is one test image x, placed at its code z = f(x). Colour = class. "
           "Click a dot to decode it.")

entry = pick_model("home_model")
if entry is None:
    st.stop()
ck = require_checkpoint(entry)
ds = require_dataset(entry.dataset)
split = st.sidebar.radio("Points from", ["test", "train"], key="home_split", horizontal=True)
codes = codes_for(entry, split)  # (N, k)
_, y = ds.split(split)

if ck.config.latent_dim != 2:
    st.info(f"This model has a {ck.config.latent_dim}-D latent space. The **Latent explorer** page "
            "projects it to 2-D (PCA/UMAP); here we show its first two coordinates.")
plot_codes = codes[:, :2] if codes.shape[1] >= 2 else np.c_[codes[:, 0], np.zeros(len(codes))]

col_plot, col_img = st.columns([3, 2], gap="large")
with col_plot:
    fig = latent_scatter(plot_codes, y.numpy(), ds.class_names, height=620)
    event = st.plotly_chart(fig, key="home_scatter", on_select="rerun", selection_mode="points",
                            config={"displaylogo": False, "scrollZoom": True})

points = (event.selection.points if event and event.selection else []) or []
with col_img:
    if not points or points[0].get("customdata") is None:
        st.markdown("### Click a dot")
        st.write("The image x and its reconstruction x̂ = g(f(x)) appear here.")
    else:
        idx = int(np.atleast_1d(points[0]["customdata"])[0])
        x, _ = ds.split(split)
        z = codes[idx]
        xhat = views.decode_array(ck.model, z)[0]
        label = ds.class_names[int(y[idx])]
        st.markdown(f"### #{idx} · class **{label}**")
        st.markdown("z = (" + ", ".join(f"{v:.2f}" for v in z) + ")")
        if ds.is_image:
            a, b = st.columns(2)
            show_image(x[idx].numpy(), ds.image_shape, "x (input)", 220, where=a)
            show_image(xhat, ds.image_shape, "x̂ = g(z) (decoded)", 220, where=b)
            st.metric("Reconstruction error (MSE)", f"{float(((x[idx].numpy() - xhat) ** 2).mean()):.4f}")
        else:
            st.write({"x": x[idx].numpy().round(3).tolist(), "x̂": xhat.round(3).tolist()})
