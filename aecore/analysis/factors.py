"""Codes against known factors: which true factor each latent dimension carries, and the study of four
objectives × seeds on the procedural sprites (:mod:`aecore.data.sprites`).

- :func:`factor_labels`: for each latent dimension, the factor it shares the most information with,
  as a share of that factor's entropy (0: none, 1: the dimension determines the factor): the label
  of a traversal row wherever a data set knows its factors.
- :func:`evaluate`: a model's disentanglement metrics (:mod:`aecore.analysis.disentangle`: MIG, SAP,
  DCI, FactorVAE) on the whole sprite grid.
- :func:`study`: those metrics for each shipped objective (AE, VAE, β-VAE, β-TC-VAE) and seed, and
  :func:`summary` their means and spreads over the seeds: Locatello et al. (2019)'s lesson, that the
  seed moves these scores about as much as the objective does, measured here rather than quoted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aecore.analysis import disentangle

#: The study's data set and its objectives, as shipped (scripts/build_checkpoints.py trains them).
DATASET = "sprites"
OBJECTIVES = {"ae": "AE", "vae": "VAE", "beta-vae": "β-VAE (β = 4)", "tc-vae": "β-TC-VAE (β = 6)"}
#: Their names inside a sentence (the β in the table's header row, not in every clause).
SHORT = {"ae": "AE", "vae": "VAE", "beta-vae": "β-VAE", "tc-vae": "β-TC-VAE"}
SEEDS = (0, 1, 2)
K = 10
#: The metrics of the study's table, in order, with their names on screen.
METRICS = {
    "mig": "MIG",
    "sap": "SAP",
    "dci_d": "DCI disentanglement",
    "dci_c": "DCI completeness",
    "dci_i": "DCI informativeness",
    "factor_vae": "FactorVAE score",
}
#: A dimension whose best share of a factor's entropy is below this carries no factor (its label says so).
CARRIES = 0.1
#: Bump when a measure changes: prepared studies are then recomputed.
VERSION = 2

Progress = Callable[[float, str], None]


def model_name(objective: str, seed: int) -> str:
    """The shipped model of ``objective`` and ``seed``: ``sprites-<objective>-10d``, ``-s<seed>`` after it
    for seeds other than 0."""
    return f"{DATASET}-{objective}-{K}d" + (f"-s{seed}" if seed else "")


@dataclass(frozen=True)
class DimLabel:
    """The factor a latent dimension carries best (None: none above :data:`CARRIES`) and how much:
    I(z_j; factor) / H(factor)."""

    dim: int
    factor: str | None
    share: float

    def text(self) -> str:
        """ "x position (0.62 of its information)", or "no factor" below :data:`CARRIES`."""
        return f"{self.factor} ({self.share:.2f} of its information)" if self.factor else "no factor"


def labels_from_mi(mi: np.ndarray, names) -> list[DimLabel]:
    """Each dimension's :class:`DimLabel` from ``mi`` ``(k, F)``, the mutual information of each latent
    dimension with each factor over the factor's entropy (as :class:`StudyRow` keeps it)."""
    out = []
    for j, row in enumerate(np.asarray(mi, float)):
        f = int(np.argmax(row))
        out.append(DimLabel(j, str(names[f]) if row[f] >= CARRIES else None, float(row[f])))
    return out


def factor_labels(codes: np.ndarray, factors: np.ndarray, names, bins: int = disentangle.BINS) -> list[DimLabel]:
    """For each dimension of ``codes`` ``(N, k)``, the factor of ``factors`` ``(N, F)`` (index values,
    named ``names``) with the largest mutual information over its entropy."""
    mi = disentangle.mutual_info(codes, factors, bins) / disentangle.factor_entropy(factors)[None]  # (k, F)
    return labels_from_mi(mi, names)


@dataclass(frozen=True)
class StudyRow:
    """One shipped model's metrics on the whole sprite grid."""

    objective: str
    seed: int
    model: str
    mig: float
    sap: float
    dci_d: float
    dci_c: float
    dci_i: float
    factor_vae: float
    mi: np.ndarray  # (k, F) mutual information / H(factor)
    active: int  # dimensions whose codes vary (std over the grid > 0.05 of the largest one's)
    code_mean: np.ndarray  # (k,) the codes' mean and spread over the grid: a traversal's sweep
    code_std: np.ndarray  # (k,)


@dataclass(frozen=True)
class Study:
    """The study's rows (objective-major, then seed) and the factors' names."""

    rows: list[StudyRow]
    factor_names: list[str]

    def row(self, objective: str, seed: int) -> StudyRow | None:
        """The row of that objective and seed (None where its model is not shipped)."""
        return next((r for r in self.rows if r.objective == objective and r.seed == seed), None)


def grid_codes(model) -> tuple[np.ndarray, np.ndarray]:
    """``model``'s codes of every sprite ``(46080, k)`` and their factor indices ``(46080, 5)``."""
    import torch

    from aecore.analysis.coding import encode_array
    from aecore.data import sprites

    return encode_array(model, torch.from_numpy(np.array(sprites.render_all()))), sprites.factor_grid()


def evaluate(model, objective: str = "", seed: int = 0, name: str = "") -> StudyRow:
    """``model``'s disentanglement metrics on the whole sprite grid (:func:`aecore.analysis.disentangle.scores`,
    its rows split with seed 0 whatever the model's seed, so every model is measured on the same rows)."""
    codes, grid = grid_codes(model)
    s = disentangle.scores(codes, grid, seed=0)
    sd = codes.std(0)
    return StudyRow(
        objective=objective,
        seed=seed,
        model=name,
        mig=s.mig,
        sap=s.sap,
        dci_d=s.dci_d,
        dci_c=s.dci_c,
        dci_i=s.dci_i,
        factor_vae=s.factor_vae,
        mi=np.asarray(s.mi_normalised, np.float64),
        active=int((sd > 0.05 * sd.max()).sum()),
        code_mean=codes.mean(0).astype(np.float64),
        code_std=sd.astype(np.float64),
    )


def study(load: Callable[[str], object | None], on_progress: Progress | None = None) -> Study:
    """Every shipped objective × seed, measured: ``load(name)`` gives the model of that name (None
    where it is not shipped: the row is left out)."""
    from aecore.data import sprites

    pairs = [(o, s) for o in OBJECTIVES for s in SEEDS]
    rows = []
    for i, (o, s) in enumerate(pairs):
        name = model_name(o, s)
        if on_progress:
            on_progress(i / len(pairs), f"metrics of {name}")
        model = load(name)
        if model is not None:
            rows.append(evaluate(model, o, s, name))
    if on_progress:
        on_progress(1.0, "done")
    return Study(rows=rows, factor_names=list(sprites.FACTOR_NAMES))


def summary(st: Study) -> list[dict]:
    """Per objective with rows: ``{"objective", "label", "short", "n", <metric>: (mean, std, min, max)}``
    over its seeds (std: the population spread of the seeds' values)."""
    out = []
    for o, label in OBJECTIVES.items():
        rows = [r for r in st.rows if r.objective == o]
        if not rows:
            continue
        d = {"objective": o, "label": label, "short": SHORT[o], "n": len(rows)}
        for m in METRICS:
            v = np.array([getattr(r, m) for r in rows])
            d[m] = (float(v.mean()), float(v.std()), float(v.min()), float(v.max()))
        out.append(d)
    return out


#: The sprite every traversal starts from: a heart (shape 2), largest (scale 5), upright, near the centre.
BASE_SPRITE = (2, 5, 0, 7, 7)


def labelled_traversal(model, row: StudyRow, names, steps: int = 9):
    """``model``'s traversal of :data:`BASE_SPRITE` (:func:`aecore.analysis.explore.latent_traversal`, one
    row per dimension in order, swept over ±3 std of its codes of the whole grid, as ``row`` keeps them)
    and each row's :class:`DimLabel` from ``row.mi`` (:func:`labels_from_mi`)."""
    from aecore.analysis.explore import latent_traversal

    trav = latent_traversal(model, base_code(model), None, steps=steps, stats=(row.code_mean, row.code_std))
    return trav, labels_from_mi(row.mi, names)


def base_code(model) -> np.ndarray:
    """``model``'s code ``(k,)`` of :data:`BASE_SPRITE`."""
    import torch

    from aecore.analysis.coding import encode_array
    from aecore.data import sprites

    return encode_array(model, torch.from_numpy(sprites.render(*BASE_SPRITE)[None]))[0]
