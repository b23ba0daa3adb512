import streamlit as st

st.title("denoise")
st.info("This page is being built. Open the **Latent map** page meanwhile.")
