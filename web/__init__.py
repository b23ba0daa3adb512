"""What the browser gets, without Streamlit: plotly figures (``figures``), the latent-plane payload
(``plane``), decoder weights exported for the browser (``export``), the static folder (``static``),
the palette, and the training job queue the server runs (``jobs``). Imports ``aecore``, never ``ui``."""
