"""Bring your own autoencoder: an encoder and a decoder exported to ONNX (``torch.onnx.export``).

An imported model is the family ``onnx``: its checkpoint holds the two ONNX graphs as bytes (the
``uint8`` buffers ``encoder_onnx`` and ``decoder_onnx``), and the server runs them with onnxruntime.
For the browser (drag to decode, an explorer click) the decoder is *converted* into the layers
:mod:`latentlab.server.export` already writes for the plane's WebAssembly kernel, when it is made of
operators that kernel runs (:func:`browser_decoder`: Gemm/MatMul + Add, ConvTranspose, BatchNorm
folded into the layer before it, Relu, LeakyRelu, Sigmoid, Tanh, Elu, Gelu, Reshape/Flatten,
Identity/Dropout). Why conversion and not onnxruntime-web: the plane already has a decoder that runs
in 16 ms and is tested to 1e-4 of torch; a second runtime would add ~10 MB of WebAssembly to every
page for the same layers. Any other decoder (a LayerNorm, an attention block) decodes on the server.

A file is hostile until proven otherwise (:func:`parse`): its size, custom operators (a domain other
than ONNX's own: onnxruntime would need a native library for them), external data (a tensor whose
bytes live in another file: a path that could name any file on the server), local functions, giant
initialisers and malformed graphs are refused with a sentence, before onnxruntime sees the bytes; the
same checks run again whenever a checkpoint is loaded. Nothing here imports onnx or onnxruntime until
an ONNX model is used.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from aecore.errors import UserError

from .base import AutoencoderBase
from .registry import register

#: The largest graph accepted, in bytes (the model library's upload limit is smaller by default).
MAX_GRAPH_BYTES = 200 * 1024 * 1024
#: The most elements one initialiser may declare (a 1e9-float tensor would be 4 GB).
MAX_TENSOR_ELEMENTS = 50_000_000
#: ONNX's own operator sets: anything else is a custom operator.
STANDARD_DOMAINS = ("", "ai.onnx")
#: How close the converted browser decoder must be to onnxruntime (the plane's own bar is 1e-4).
BROWSER_TOLERANCE = 1e-4


class OnnxError(UserError):
    """An ONNX file that cannot be used; the message says why, for the person who brought it."""


def _onnx():
    try:
        import onnx
    except ImportError:  # pragma: no cover - a requirement; said clearly where it is missing
        raise OnnxError(
            "ONNX support needs the `onnx` and `onnxruntime` packages (pip install onnx onnxruntime)"
        ) from None
    return onnx


def _graphs(graph) -> list:
    """``graph`` and every subgraph inside its nodes' attributes (If/Loop/Scan bodies), depth first."""
    out = [graph]
    for node in graph.node:
        for a in node.attribute:
            for g in [a.g] if a.HasField("g") else []:
                out += _graphs(g)
            for g in a.graphs:
                out += _graphs(g)
    return out


def _tensors(graph) -> list:
    """Every tensor stored in a graph: initialisers, sparse ones' values and Constant nodes' values."""
    out = list(graph.initializer)
    out += [s.values for s in graph.sparse_initializer]
    for node in graph.node:
        for a in node.attribute:
            if a.HasField("t"):
                out.append(a.t)
            out += list(a.tensors)
    return out


def parse(data: bytes, what: str = "the ONNX file"):
    """Check ``data`` and return it as an ``onnx.ModelProto``; raise :class:`OnnxError` saying why not.

    Refused: more than :data:`MAX_GRAPH_BYTES`; not a protobuf ONNX model; no graph or no operator
    set; a custom operator (domain outside :data:`STANDARD_DOMAINS`); local functions; a tensor with
    external data; a tensor declaring more than :data:`MAX_TENSOR_ELEMENTS` elements or negative
    dims; a graph the ONNX checker rejects (unknown operators, broken edges); not exactly one input.
    """
    onnx = _onnx()
    if not isinstance(data, bytes | bytearray) or not data:
        raise OnnxError(f"{what} is empty")
    if len(data) > MAX_GRAPH_BYTES:
        raise OnnxError(f"{what} is {len(data) / 1e6:.0f} MB; the limit is {MAX_GRAPH_BYTES / 1e6:.0f} MB")
    try:
        model = onnx.load_from_string(bytes(data))
    except Exception:
        raise OnnxError(f"{what} is not an ONNX model (it does not parse as one)") from None
    if not model.HasField("graph") or not model.graph.node:
        raise OnnxError(f"{what} holds no graph: export the model with torch.onnx.export")
    if not model.opset_import:
        raise OnnxError(f"{what} names no operator set")
    if model.functions:
        raise OnnxError(f"{what} defines its own functions ({model.functions[0].name}): export without them")
    for imp in model.opset_import:
        if imp.domain not in STANDARD_DOMAINS:
            raise OnnxError(f"{what} needs the custom operator set {imp.domain!r}, which Latent Lab does not run")
    graphs = _graphs(model.graph)
    for g in graphs:
        for node in g.node:
            if node.domain not in STANDARD_DOMAINS:
                raise OnnxError(
                    f"{what} uses the custom operator {node.op_type!r} (domain {node.domain!r}), "
                    "which Latent Lab does not run"
                )
        for t in _tensors(g):
            if t.data_location == onnx.TensorProto.EXTERNAL or t.external_data:
                raise OnnxError(
                    f"{what} keeps tensor {t.name!r} in another file (external data); save the model "
                    "as one file (torch.onnx.export with external_data=False)"
                )
            if any(d < 0 for d in t.dims) or math.prod(t.dims) > MAX_TENSOR_ELEMENTS:
                raise OnnxError(f"{what}: tensor {t.name!r} declares {list(t.dims)} elements, too many")
    try:
        onnx.checker.check_model(model)
    except Exception as e:
        raise OnnxError(f"{what} is not a valid ONNX model: {str(e).splitlines()[0][:200]}") from None
    inputs = _graph_inputs(model)
    if len(inputs) != 1:
        raise OnnxError(f"{what} has {len(inputs)} inputs; an encoder or a decoder takes one")
    if not model.graph.output:
        raise OnnxError(f"{what} has no output")
    if inputs[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        raise OnnxError(f"{what}'s input is not float32")
    return model


def _graph_inputs(model) -> list:
    """The graph's real inputs (an old exporter lists initialisers among them too)."""
    init = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in init]


def input_rank(model) -> int:
    """The rank of the graph's one input: 2 for rows ``(B, D)``, 4 for pictures ``(B, C, H, W)``."""
    return len(_graph_inputs(model)[0].type.tensor_type.shape.dim)


def memory_cap() -> int:
    """Bytes every imported graph together may allocate while it runs: ``$LATENTLAB_ONNX_MAX_MB``
    megabytes (default 2,048). A valid graph can still ask for a giant intermediate tensor (an
    Expand to 10^10 numbers): it is refused at this cap instead of taking the server's memory."""
    try:
        mb = float(os.environ.get("LATENTLAB_ONNX_MAX_MB", "") or 2048)
    except ValueError:
        mb = 2048.0
    return max(64, int(mb)) * 2**20


_ARENA = threading.Lock()
_ARENA_BYTES: list[int] = []  # the cap of the shared arena, once registered (once per process)


def _shared_arena(ort) -> int:
    """One onnxruntime CPU arena for every imported graph in this process, capped at
    :func:`memory_cap` (sessions opt in with ``session.use_env_allocators``); its cap in bytes."""
    with _ARENA:
        if not _ARENA_BYTES:
            cap = memory_cap()
            info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
            ort.create_and_register_allocator(info, ort.OrtArenaCfg(cap, -1, -1, -1))
            _ARENA_BYTES.append(cap)
        return _ARENA_BYTES[0]


class Runner:
    """One graph on onnxruntime: ``run(x)`` takes rows ``(B, D)`` (reshaped to the graph's input rank)
    and returns its first output as rows ``(B, -1)`` float32 (``run_all``: every output). No
    custom-operator library is ever registered; the session is made from bytes, so no path in the
    file is followed; what it allocates comes from one capped arena (:func:`memory_cap`)."""

    def __init__(self, data: bytes, image_shape: tuple[int, ...] | None, what: str):
        import onnxruntime as ort

        model = parse(data, what)
        self.rank = input_rank(model)
        self.image_shape = image_shape
        self.cap = _shared_arena(ort)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, torch.get_num_threads())
        opts.log_severity_level = 4  # onnxruntime's messages are for the exporter: ours say what went wrong
        opts.add_session_config_entry("session.use_env_allocators", "1")
        try:
            self.session = ort.InferenceSession(bytes(data), opts, providers=["CPUExecutionProvider"])
        except Exception as e:
            raise OnnxError(f"onnxruntime cannot run {what}: {str(e).splitlines()[0][:200]}") from None
        self.input = self.session.get_inputs()[0].name
        # torch.onnx.export without dynamic axes fixes the batch at the example's size (often 1): such
        # a graph still works, one example batch at a time.
        dim0 = self.session.get_inputs()[0].shape[0] if self.session.get_inputs()[0].shape else None
        self.fixed_batch = dim0 if isinstance(dim0, int) and dim0 > 0 else None
        self.what = what

    def run(self, x: np.ndarray) -> np.ndarray:
        return self.run_all(x)[0]

    def run_all(self, x: np.ndarray) -> list[np.ndarray]:
        x = np.ascontiguousarray(x, dtype=np.float32)  # (B, D)
        if self.rank == 4:
            if not self.image_shape or len(self.image_shape) != 3:
                raise OnnxError(f"{self.what} takes pictures (B, C, H, W), and this data set has none")
            x = x.reshape(len(x), *self.image_shape)
        elif self.rank != 2:
            raise OnnxError(f"{self.what} takes a rank-{self.rank} input; Latent Lab gives (B, D) or (B, C, H, W)")
        n, b = len(x), self.fixed_batch or len(x)
        if n % max(1, b):
            raise OnnxError(f"{self.what} takes batches of exactly {b}: export it with a dynamic batch axis")
        try:
            parts = [self.session.run(None, {self.input: x[i : i + b]}) for i in range(0, n, max(1, b))]
        except Exception as e:
            text = str(e)
            if "Available memory" in text or "Failed to allocate" in text:
                raise OnnxError(
                    f"{self.what} asks for more memory than the {self.cap / 2**30:.1f} GB an imported model may "
                    "use (a giant intermediate tensor?; setting LATENTLAB_ONNX_MAX_MB)"
                ) from None
            raise OnnxError(f"{self.what} failed on this input: {text.splitlines()[0][:200]}") from None
        if not parts:
            return [np.zeros((0, 0), np.float32)]
        return [  # each output as rows (B, ·)
            np.concatenate([np.asarray(p[j], dtype=np.float32).reshape(len(p[j]), -1) for p in parts])
            for j in range(len(parts[0]))
        ]


def split_autoencoder(data: bytes, rows: np.ndarray, image_shape) -> tuple[bytes, bytes]:
    """One ONNX graph holding both halves (a whole autoencoder exported with two outputs, its code and
    its reconstruction) split into an encoder (input → code) and a decoder (code → reconstruction).

    Which output is which: run on ``rows`` ``(B, D)``; the reconstruction has ``D`` numbers per row,
    the code another count. Refused (:class:`OnnxError`) when the graph has not exactly two outputs,
    when they cannot be told apart, or when the decoder's half needs the input itself (a skip
    connection past the code: not an autoencoder through a bottleneck)."""
    from onnx import shape_inference
    from onnx.utils import Extractor

    model = parse(data, "the autoencoder")
    outs = [o.name for o in model.graph.output]
    if len(outs) != 2:
        raise OnnxError(
            f"the autoencoder has {len(outs)} outputs; one file needs two, its code and its reconstruction "
            "(or bring the encoder and the decoder as two files)"
        )
    sizes = [g.shape[1] for g in Runner(data, image_shape, "the autoencoder").run_all(rows)]
    d = rows.shape[1]
    if sorted(s == d for s in sizes) != [False, True]:
        raise OnnxError(f"the autoencoder's outputs have {sizes} numbers per row: neither or both are the data's {d}")
    recon, code = (outs[0], outs[1]) if sizes[0] == d else (outs[1], outs[0])
    inp = _graph_inputs(model)[0].name
    ex = Extractor(shape_inference.infer_shapes(model))
    enc, dec = ex.extract_model([inp], [code]), ex.extract_model([code], [recon])
    if any(i.name == inp for i in dec.graph.input) or any(inp in n.input for n in dec.graph.node):
        raise OnnxError("the decoder's half also reads the input (a skip connection past the code)")
    for half in (enc, dec):
        half.ClearField("opset_import")
        half.opset_import.extend(model.opset_import)
        half.ir_version = model.ir_version
    return enc.SerializeToString(), dec.SerializeToString()


class NotConvertible(ValueError):
    """The decoder has an operator (or an arrangement) the browser's decoder does not run."""


@dataclass
class _Chain:
    """The decoder being converted: its modules so far and the tensor that flows out of them."""

    modules: list
    tensor: str
    shape: tuple[int, ...]  # (1, …): batch one


_ACTS = {"Relu": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh}


def _attrs(node) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _const_eval(node, values: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Evaluate a node whose inputs are all constants (shape arithmetic, Constant), with ONNX's own
    reference implementation."""
    from onnx.reference import ReferenceEvaluator

    feeds = {n: values[n] for n in node.input if n}
    return ReferenceEvaluator(node).run(None, feeds)


def _fold_bn(last: nn.Module, scale, bias, mean, var, eps: float) -> None:
    """BatchNorm (eval) after a Linear or ConvTranspose2d, folded into its weights and bias."""
    s = scale / np.sqrt(var + eps)  # (C,)
    with torch.no_grad():
        st = torch.tensor(np.array(s, dtype=np.float32))
        if isinstance(last, nn.ConvTranspose2d):
            last.weight.mul_(st[None, :, None, None])  # (in_c, out_c, k, k): per output channel
        else:
            last.weight.mul_(st[:, None])  # (out, in)
        mu, beta = (torch.tensor(np.array(v, dtype=np.float32)) for v in (mean, bias))
        last.bias.copy_((last.bias - mu) * st + beta)  # _linear and _conv_t always give a bias


def _linear(w: np.ndarray, b: np.ndarray | None) -> nn.Linear:
    """``y = x @ w + b`` as an nn.Linear (``w``: (in, out))."""
    lin = nn.Linear(w.shape[0], w.shape[1], bias=True)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(np.array(w.T, dtype=np.float32)))
        lin.bias.copy_(torch.tensor(np.array(b if b is not None else np.zeros(w.shape[1]), dtype=np.float32)))
    return lin


def _conv_t(node, x_shape, w: np.ndarray, b: np.ndarray | None) -> tuple[nn.ConvTranspose2d, tuple[int, ...]]:
    a = _attrs(node)
    k = w.shape[2]
    strides = list(a.get("strides", [1, 1]))
    pads = list(a.get("pads", [0, 0, 0, 0]))
    plain = (
        w.ndim == 4
        and w.shape[2] == w.shape[3]
        and a.get("group", 1) == 1
        and list(a.get("dilations", [1, 1])) == [1, 1]
        and strides[0] == strides[1]
        and len(set(pads)) == 1
        and not any(a.get("output_padding", [0, 0]))
        and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
        and "output_shape" not in a
        and x_shape[1] == w.shape[0]
    )
    if not plain:
        raise NotConvertible("a ConvTranspose other than square, undilated, ungrouped, symmetric padding")
    m = nn.ConvTranspose2d(w.shape[0], w.shape[1], k, stride=strides[0], padding=pads[0])
    with torch.no_grad():
        m.weight.copy_(torch.tensor(np.array(w, dtype=np.float32)))
        m.bias.copy_(torch.tensor(np.array(b if b is not None else np.zeros(w.shape[1]), dtype=np.float32)))
    _, c, h, wd = x_shape
    s, p = strides[0], pads[0]
    return m, (1, w.shape[1], (h - 1) * s - 2 * p + k, (wd - 1) * s - 2 * p + k)


def browser_decoder(data: bytes, latent_dim: int) -> nn.Sequential:
    """The decoder graph as an ``nn.Sequential`` of the layers the browser's decoder runs (Linear,
    ConvTranspose2d, Unflatten/Flatten and activations, BatchNorm folded in), checked against
    onnxruntime on random codes to :data:`BROWSER_TOLERANCE`. Raises :class:`NotConvertible` with the
    reason (the decoder then runs on the server)."""
    model = parse(data, "the decoder")
    inp = _graph_inputs(model)[0]
    if input_rank(model) != 2:
        raise NotConvertible("the decoder's input is not a row of codes (B, k)")
    consts: dict[str, np.ndarray] = {}
    from onnx import numpy_helper

    for t in model.graph.initializer:
        consts[t.name] = numpy_helper.to_array(t)
    chain = _Chain([], inp.name, (1, latent_dim))
    for node in model.graph.node:
        ins = [n for n in node.input if n]
        if all(n in consts for n in ins):  # shape arithmetic and constants
            if node.op_type == "Shape":
                raise NotConvertible("a Shape of a constant")
            for name, v in zip(node.output, _const_eval(node, consts)):
                consts[name] = np.asarray(v)
            continue
        if node.op_type == "Shape" and ins == [chain.tensor]:
            consts[node.output[0]] = np.asarray(chain.shape, dtype=np.int64)
            continue
        if not ins or ins[0] != chain.tensor or any(n not in consts for n in ins[1:]):
            raise NotConvertible(f"{node.op_type} does not continue one chain of layers")
        chain = _step(node, chain, consts)
    if [o.name for o in model.graph.output][:1] != [chain.tensor]:
        raise NotConvertible("the decoder's output is not the end of its chain of layers")
    if len(chain.shape) != 2:
        chain.modules.append(nn.Flatten())
    seq = nn.Sequential(*chain.modules).eval()
    _check_close(seq, data, latent_dim)
    return seq


def _step(node, chain: _Chain, consts: dict[str, np.ndarray]) -> _Chain:
    """One operator of the decoder's chain: a new module, a folded one, or a reshape."""
    op, a = node.op_type, _attrs(node)
    out = node.output[0]
    mods, shape = chain.modules, chain.shape
    last = mods[-1] if mods else None
    if op in ("Identity", "Dropout"):
        return _Chain(mods, out, shape)
    if op == "Gemm":
        if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or len(shape) != 2:
            raise NotConvertible("a Gemm with transA, alpha or beta")
        w = consts[node.input[1]]
        w = w.T if a.get("transB", 0) else w  # (in, out)
        b = consts[node.input[2]] if len(node.input) > 2 and node.input[2] else None
        return _Chain(
            [*mods, _linear(w, None if b is None else np.broadcast_to(b, (w.shape[1],)))], out, (1, w.shape[1])
        )
    if op == "MatMul" and len(shape) == 2:
        w = consts[node.input[1]]
        return _Chain([*mods, _linear(w, None)], out, (1, w.shape[1]))
    if op == "Add" and isinstance(last, nn.Linear) and len(shape) == 2:
        with torch.no_grad():
            last.bias.add_(torch.as_tensor(np.broadcast_to(consts[node.input[1]], (shape[1],)).copy()))
        return _Chain(mods, out, shape)
    if op in _ACTS or op in ("LeakyRelu", "Elu", "Gelu"):
        if op == "LeakyRelu":
            act = nn.LeakyReLU(float(a.get("alpha", 0.01)))
        elif op == "Elu":
            if a.get("alpha", 1.0) != 1.0:
                raise NotConvertible("an Elu with alpha other than 1")
            act = nn.ELU()
        elif op == "Gelu":
            if a.get("approximate", b"none") not in (b"none", "none"):
                raise NotConvertible("a tanh-approximated Gelu")
            act = nn.GELU()
        else:
            act = _ACTS[op]()
        return _Chain([*mods, act], out, shape)
    if op in ("Reshape", "Flatten"):
        target = consts[node.input[1]].tolist() if op == "Reshape" else [shape[0], -1]
        n = math.prod(shape[1:])
        if len(target) == 4 and len(shape) == 2:
            chw = [int(v) for v in target[1:]]
            if -1 in chw:
                chw[chw.index(-1)] = n // max(1, -math.prod(chw))
            if math.prod(chw) != n:
                raise NotConvertible(f"a Reshape to {target}")
            return _Chain([*mods, nn.Unflatten(1, tuple(chw))], out, (1, *chw))
        if len(target) == 2 and len(shape) == 4:
            return _Chain([*mods, nn.Flatten()], out, (1, n))
        if len(target) == len(shape) and [int(v) for v in target[1:]] in ([-1], list(shape[1:])):
            return _Chain(mods, out, shape)
        raise NotConvertible(f"a Reshape from {list(shape)} to {target}")
    if op == "ConvTranspose" and len(shape) == 4:
        w = consts[node.input[1]]
        b = consts[node.input[2]] if len(node.input) > 2 and node.input[2] else None
        m, new = _conv_t(node, shape, w, b)
        return _Chain([*mods, m], out, new)
    if op == "BatchNormalization" and isinstance(last, nn.Linear | nn.ConvTranspose2d):
        scale, bias, mean, var = (consts[n] for n in node.input[1:5])
        _fold_bn(last, scale, bias, mean, var, float(a.get("epsilon", 1e-5)))
        return _Chain(mods, out, shape)
    raise NotConvertible(f"the operator {op} (the browser's decoder runs Gemm/MatMul, ConvTranspose and activations)")


def _check_close(seq: nn.Sequential, data: bytes, k: int) -> None:
    """The converted decoder against onnxruntime on 16 seeded codes of spread 3."""
    z = np.random.default_rng(0).normal(0, 3, (16, k)).astype(np.float32)  # (16, k)
    want = Runner(data, None, "the decoder").run(z)
    with torch.no_grad():
        got = seq(torch.as_tensor(z)).reshape(16, -1).numpy()
    if got.shape != want.shape or not np.allclose(got, want, atol=BROWSER_TOLERANCE, rtol=0):
        err = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
        raise NotConvertible(f"the converted decoder differs from onnxruntime by {err:.2g}")


@register("onnx")
class OnnxAutoencoder(AutoencoderBase):
    """An encoder and a decoder brought as ONNX graphs, run by onnxruntime (module docstring)."""

    label = "ONNX import"
    #: No untrained model of this architecture exists (its weights are data, not a recipe): the
    #: codes-as-features page shows no random-encoder baseline for it.
    untrained_twin = False
    trains_on = "elsewhere"
    #: Buffers stored as bytes (uint8) in the checkpoint, never cast to float.
    byte_buffers = ("encoder_onnx", "decoder_onnx")

    def __init__(self, config):
        super().__init__(config)
        n_enc, n_dec = config.onnx_bytes
        self.register_buffer("encoder_onnx", torch.zeros(n_enc, dtype=torch.uint8))
        self.register_buffer("decoder_onnx", torch.zeros(n_dec, dtype=torch.uint8))
        # Built on first use, outside the module tree (not in the state dict).
        self.__dict__["_runners"] = {}
        self.__dict__["_browser"] = None

    @classmethod
    def from_graphs(cls, config, encoder: bytes, decoder: bytes) -> OnnxAutoencoder:
        """A model from the two graphs' bytes (``config.onnx_bytes`` must hold their sizes)."""
        m = cls(config)
        with torch.no_grad():
            m.encoder_onnx.copy_(torch.frombuffer(bytearray(encoder), dtype=torch.uint8))
            m.decoder_onnx.copy_(torch.frombuffer(bytearray(decoder), dtype=torch.uint8))
        return m.eval()

    def graph_bytes(self, which: str) -> bytes:
        """``"encoder"`` or ``"decoder"``: that graph's ONNX bytes."""
        return bytes(getattr(self, f"{which}_onnx").cpu().numpy().tobytes())

    def validate_loaded(self) -> None:
        """The checks of :func:`parse` on both graphs (a checkpoint could have been written by anyone)."""
        for which in ("encoder", "decoder"):
            parse(self.graph_bytes(which), f"the {which}")

    def _runner(self, which: str) -> Runner:
        r = self._runners.get(which)
        if r is None:
            r = self._runners[which] = Runner(self.graph_bytes(which), self.config.image_shape, f"the {which}")
        return r

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        z = self._runner("encoder").run(x.detach().cpu().float().numpy())  # (B, k)
        return torch.from_numpy(z[:, : self.config.latent_dim].copy())

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self._runner("decoder").run(z.detach().cpu().float().numpy()))  # (B, D)

    @property
    def decoder(self) -> nn.Sequential:
        """The decoder as browser layers (:func:`browser_decoder`), converted once; raises
        ``NotExportable`` (latentlab's) via :class:`NotConvertible` when it cannot be."""
        if self._browser is None:
            try:
                self.__dict__["_browser"] = browser_decoder(self.graph_bytes("decoder"), self.config.latent_dim)
            except NotConvertible as e:
                self.__dict__["_browser"] = e
        if isinstance(self._browser, Exception):
            raise self._browser
        return self._browser
