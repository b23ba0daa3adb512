import streamlit as st

st.title("tour")
st.info("This page is being built. Open the **Latent map** page meanwhile.")
