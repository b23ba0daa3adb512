"""The implementation picture (aecore.analysis.network.activations): every column equals what torch
computes in the model's own forward pass (caught with forward hooks), for an MLP, a conv model and a
VAE; and the figure shows those values (latentlab.figures.network)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from aecore.analysis.network import activations
from aecore.models import ModelConfig, build_model
from aecore.models.base import ACTIVATIONS

CONFIGS = {
    "mlp": ModelConfig(family="ae", input_dim=64, latent_dim=2, hidden=(32, 16), image_shape=(1, 8, 8)),
    "conv": ModelConfig(family="conv-ae", input_dim=64, latent_dim=3, hidden=(4, 6), image_shape=(1, 8, 8)),
    "vae": ModelConfig(family="vae", input_dim=64, latent_dim=2, hidden=(16,), image_shape=(1, 8, 8)),
    "linear": ModelConfig(family="linear-ae", input_dim=64, latent_dim=2, hidden=(), output="linear"),
}


def _hooked_forward(model, x):
    """What the model's forward pass computes after each nonlinearity (hooks), its code and its output."""
    seen = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: seen.append(out[0].detach().reshape(-1).clone()))
        for part in (model.encoder, model.decoder)
        for i, m in enumerate(part if isinstance(part, nn.Sequential) else [part])
        if isinstance(m, tuple(ACTIVATIONS.values())) and i < len(part) - 1
    ]
    try:
        with torch.no_grad():
            out = model(x[None])
    finally:
        for h in hooks:
            h.remove()
    return seen, out


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_column_is_torchs_own_activation(name):
    torch.manual_seed(0)
    model = build_model(CONFIGS[name]).eval()
    x = torch.rand(64)
    layers = activations(model, x.numpy())
    hidden, out = _hooked_forward(model, x)
    assert [ly.role for ly in layers] == ["input"] + ["hidden"] * (len(hidden) // 2) + ["code"] + ["hidden"] * (
        len(hidden) // 2
    ) + ["output"]
    assert len(hidden) == sum(ly.role == "hidden" for ly in layers)
    for ly, h in zip([ly for ly in layers if ly.role == "hidden"], hidden):
        assert np.array_equal(ly.values, h.numpy())  # bit for bit: the same modules on the same input
        assert int(np.prod(ly.shape)) == len(ly.values)
    assert np.array_equal(layers[0].values, x.numpy())
    code = next(ly for ly in layers if ly.role == "code")
    assert np.allclose(code.values, out.z[0].numpy(), atol=1e-6)  # z (a VAE's: μ, in eval mode)
    assert np.allclose(layers[-1].values, out.recon[0].numpy(), atol=1e-6)
    if name == "conv":
        assert layers[1].shape == (4, 4, 4)  # channels × rows × columns after the first conv


def test_the_figure_shows_those_values():
    from latentlab.figures.network import network_figure

    torch.manual_seed(0)
    layers = activations(build_model(CONFIGS["conv"]).eval(), torch.rand(64).numpy())
    fig = network_figure(layers)
    shown = [np.asarray(t.z, dtype=np.float64).reshape(-1) for t in fig.data if t.type == "heatmap"]
    assert len(shown) == len(layers)
    for ly, z in zip(layers, shown):
        assert np.allclose(z, ly.values.astype(np.float64), atol=0, rtol=1e-7)


# The layer labels and colour bars (latentlab.figures.network). ~1 s: small models, figures only.
DEEP = ModelConfig(family="ae", input_dim=64, latent_dim=2, hidden=(32, 32, 16, 16, 8), image_shape=(1, 8, 8))
#: A bold character of Source Sans, the figures' font, is about 0.53 em wide; 0.55 errs wide.
CHAR_EM = 0.55


def _label_boxes(fig, width: int):
    """Each layer label's (row, left, right) in px, from the figure alone: its x in data units mapped
    through the axis range onto ``width`` less the margins, its width from its longest line's
    characters (tags stripped, combining marks zero-width) at its font size."""
    import re
    import unicodedata

    lay = fig.layout
    lo, hi = lay.xaxis.range
    pxu = (width - lay.margin.l - lay.margin.r) / (hi - lo)
    boxes = []
    for a in lay.annotations:
        if a.name != "layer label":
            continue
        lines = [re.sub(r"<[^>]+>", "", t) for t in a.text.split("<br>")]
        w = max(sum(not unicodedata.combining(c) for c in t) for t in lines) * CHAR_EM * a.font.size
        x = (a.x - lo) * pxu
        boxes.append((a.yshift, x - w / 2, x + w / 2))
    return boxes, lay.margin


@pytest.mark.parametrize("name", ["conv", "linear", "deep"])
@pytest.mark.parametrize("width", [300, 420, 640, 1000])
@pytest.mark.parametrize("presenter", [False, True])
def test_layer_labels_never_run_into_each_other(name, width, presenter):
    """After a sidebar toggle the column narrowed and the labels read "encoderencoder": at every width
    the page may give the figure, labels on one row keep apart and stay inside the figure."""
    from latentlab.figures.network import network_figure

    torch.manual_seed(0)
    model = build_model(DEEP if name == "deep" else CONFIGS[name]).eval()
    layers = activations(model, torch.rand(64).numpy())
    fig = network_figure(layers, height=320 if presenter else 520, presenter=presenter, width=width)
    boxes, margin = _label_boxes(fig, width)
    assert len(boxes) == len(layers)
    for row in {b[0] for b in boxes}:
        on = sorted(b[1:] for b in boxes if b[0] == row)
        for (_, right), (left, _) in zip(on, on[1:]):
            assert left - right >= 2, (fig.layout.meta["labels"], on)
    assert min(b[1] for b in boxes) >= -margin.l and max(b[2] for b in boxes) <= width - margin.l
    if len(layers) > 5 and width <= 420:  # a narrow column gets shorter labels, not overlapping ones
        assert fig.layout.meta["labels"] != "full"
    if width >= 1000 and not presenter and name != "deep":
        assert fig.layout.meta["labels"] == "full"  # room enough: names, units and conv shapes
    # The rows fit in the top margin: the highest label's lines end below the figure's top.
    top_row = max(b[0] for b in boxes)
    lines = max(a.text.count("<br>") + 1 for a in fig.layout.annotations if a.yshift == top_row)
    assert top_row + lines * fig.layout.annotations[0].font.size * 1.3 <= fig.layout.margin.t


def test_every_colour_has_a_scale_that_says_what_it_means():
    from latentlab.figures.network import network_figure

    torch.manual_seed(0)
    layers = activations(build_model(CONFIGS["conv"]).eval(), torch.rand(64).numpy())
    fig = network_figure(layers)
    heat = [t for t in fig.data if t.type == "heatmap"]
    titles = {}
    for ly, t in zip(layers, heat):
        axis = fig.layout[t.coloraxis]
        assert axis.showscale is not False and axis.colorbar.title.text  # a bar, with its meaning
        titles[ly.role] = axis.colorbar.title.text
        # The colours mean what the bar says: every value inside the bar's range.
        assert axis.cmin <= ly.values.min() and ly.values.max() <= axis.cmax
    assert "activation" in titles["hidden"] and "z" in titles["code"] and "grey level" in titles["input"]
    assert titles["input"] == titles["output"]  # x and x̂ on one scale, as the images beside them
    code = fig.layout[heat[[ly.role for ly in layers].index("code")].coloraxis]
    assert code.cmin == -code.cmax  # diverging around 0: white is 0
    bars = [fig.layout[a].colorbar for a in ("coloraxis", "coloraxis2", "coloraxis3")]
    spans = sorted((b.y - b.len / 2, b.y + b.len / 2) for b in bars)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # stacked, not drawn over each other
