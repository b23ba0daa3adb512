"""Plotly figure builders, one module per subject; shared conventions (palette, log axes, margins) in ``base``."""
