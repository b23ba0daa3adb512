"""Everything the pages show, as numbers: running a model on arrays (``coding``), the one code-density
API (``density``), the one projection API (``projection``), and the computations behind each demo
(``explore``, ``markers``, ``manifold``, ``toy``, ``pca``, ``overfit``, ``sampling``, ``denoise``, ``anomaly``,
``tour``)."""
