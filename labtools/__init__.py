"""What the tests and the benchmarks share, and nothing the app needs: a live Streamlit server on
loopback, headless Chromium's path and flags, the list of views a lecture opens (:mod:`labtools.browser`)."""
