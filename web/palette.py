"""The class colours every figure and the latent map use (no plotly import, so the first page can
use them without paying for plotly)."""

# Okabe & Ito's colour-blind-safe palette, extended to 10 classes.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]


def class_color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]
