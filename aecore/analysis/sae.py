"""What a sparse autoencoder (:mod:`aecore.models.sae`) found in a classifier's layer, measured.

The subject network is the data set's judge (:mod:`aecore.analysis.judge`: one classifier per data set);
the layer is its penultimate ReLU layer (``judge.features``), the head its last linear map. Everything
here is one function per measure, numpy out:

- :func:`sae_stats`: fraction of variance explained (FVE), mean L0, dead and dense features, the
  classifier's test accuracy with the layer replaced by the SAE's reconstruction ("spliced"), and the
  baseline a bottleneck would give: PCA with as many components as the SAE's mean L0.
- :func:`feature_cards`: per feature, its top-activating test images, an activation histogram, the
  classes its decoder column pushes up or down through the head, its nearest features by decoder
  cosine, the class share of its activation (search by class) and the class purity of its top images.
- :func:`steer`: one input's layer with one feature clamped; the SAE's error term is kept, so the
  feature's own value gives back the classifier's own probabilities.
- :func:`sparse_probing`: predict each class (one vs rest) from the k most useful directions, for SAE
  features, raw neurons and random directions in the same layer, several seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

#: How many top-activating images a feature's card shows (and its purity is measured on).
N_TOP = 12
#: Histogram bins of a feature's nonzero activations.
N_BINS = 20
#: How many nearest features (by decoder cosine) a card lists.
N_NEIGHBOURS = 6
#: A feature firing on more than this share of inputs is "dense" (it explains little by itself).
DENSE = 0.1
#: The sparse-probing grid: how many directions a probe may use, and its seeds.
PROBE_KS = (1, 4, 16)
PROBE_SEEDS = (0, 1, 2)
#: Training rows per probing seed (drawn from the training split; tested on the whole test split).
PROBE_TRAIN = 5000


def fve(x: np.ndarray, recon: np.ndarray) -> float:
    """Fraction of the variance of ``x`` ``(N, D)`` that ``recon`` explains: 1 − SSE / SST (SST around
    ``x``'s mean: a reconstruction that outputs the mean scores 0)."""
    x, recon = np.asarray(x, np.float64), np.asarray(recon, np.float64)
    return float(1 - ((x - recon) ** 2).sum() / max(((x - x.mean(0)) ** 2).sum(), 1e-30))


@torch.no_grad()
def encode_acts(sae, acts: np.ndarray, batch: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """The SAE's feature activations ``(N, F)`` and reconstructions ``(N, D)`` of layer rows ``acts``."""
    x = torch.as_tensor(np.asarray(acts, np.float32))
    zs, rs = [], []
    for i in range(0, len(x), batch):
        out = sae(x[i : i + batch])
        zs.append(out.z.numpy())
        rs.append(out.recon.numpy())
    return np.concatenate(zs), np.concatenate(rs)


@torch.no_grad()
def head_probs(head, acts: np.ndarray) -> np.ndarray:
    """The classifier's class probabilities ``(N, C)`` from its layer ``acts`` ``(N, D)``."""
    return torch.softmax(head(torch.as_tensor(np.asarray(acts, np.float32))), 1).numpy()


def pca_fve(train: np.ndarray, test: np.ndarray, n: int) -> float:
    """FVE on ``test`` of the best ``n``-dimensional linear bottleneck fitted on ``train`` (PCA)."""
    mu = train.mean(0)
    _, _, vt = np.linalg.svd(train - mu, full_matrices=False)
    v = vt[:n].T  # (D, n)
    return fve(test, (test - mu) @ v @ v.T + mu)


@dataclass(frozen=True)
class SAEStats:
    """An SAE measured on the test split's layer activations."""

    fve: float
    l0: float  # mean number of features firing per input
    dead: float  # share of features that fire on no test input
    dense: float  # share firing on more than DENSE of test inputs
    accuracy: float  # the classifier's test accuracy, its own layer
    spliced_accuracy: float  # ... with the layer replaced by the SAE's reconstruction
    pca_fve: float  # a bottleneck's FVE: PCA with round(l0) components (fitted on training rows)
    n_features: int
    width: int  # the layer's width D


def sae_stats(sae, head, train_acts: np.ndarray, test_acts: np.ndarray, y_test: np.ndarray) -> SAEStats:
    """:class:`SAEStats` of ``sae`` on ``test_acts`` ``(N, D)`` (labels ``y_test``); ``train_acts`` only
    fit the PCA baseline."""
    z, recon = encode_acts(sae, test_acts)
    freq = (z > 0).mean(0)  # (F,)
    l0 = float((z > 0).sum(1).mean())
    y = np.asarray(y_test)
    return SAEStats(
        fve=fve(test_acts, recon),
        l0=l0,
        dead=float((freq == 0).mean()),
        dense=float((freq > DENSE).mean()),
        accuracy=float((head_probs(head, test_acts).argmax(1) == y).mean()),
        spliced_accuracy=float((head_probs(head, recon).argmax(1) == y).mean()),
        pca_fve=pca_fve(np.asarray(train_acts, np.float64), np.asarray(test_acts, np.float64), max(1, round(l0))),
        n_features=int(z.shape[1]),
        width=int(test_acts.shape[1]),
    )


def top_activating(z: np.ndarray, n: int = N_TOP) -> tuple[np.ndarray, np.ndarray]:
    """Per feature, the ``n`` inputs it fires on most: indices ``(F, n)`` (−1 past the inputs it fires
    on at all) and their activations ``(F, n)``, strongest first, ties by input index."""
    order = np.argsort(-z, axis=0, kind="stable")[:n].T  # (F, n)
    acts = np.take_along_axis(z.T, order, 1)
    return np.where(acts > 0, order, -1), np.where(acts > 0, acts, 0.0).astype(np.float32)


def class_purity(top: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per feature, the share of its top images (``top`` ``(F, n)``, −1 = none) in their commonest
    class; NaN for a feature with fewer than ``n`` images (too rare to judge)."""
    out = np.full(len(top), np.nan)
    for f, idx in enumerate(top):
        if (idx >= 0).all():
            out[f] = np.bincount(labels[idx]).max() / len(idx)
    return out


def decoder_directions(sae) -> np.ndarray:
    """Each feature's direction in the layer's own units, ``(D, F)`` (unit columns × the SAE's scale)."""
    return (sae.W_dec.detach() * sae.scale).numpy()


def class_effects(sae, head) -> np.ndarray:
    """``(F, C)``: how much one unit of each feature moves each class's logit (its decoder column
    through the head: ``head.weight @ W_dec[:, f]``)."""
    return (head.weight.detach().numpy() @ decoder_directions(sae)).T


def nearest_features(sae, n: int = N_NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
    """Per feature, the ``n`` others whose decoder columns point most the same way: indices ``(F, n)``
    and cosines ``(F, n)``."""
    w = sae.W_dec.detach().numpy()
    w = w / np.maximum(np.linalg.norm(w, axis=0, keepdims=True), 1e-12)
    cos = w.T @ w  # (F, F)
    np.fill_diagonal(cos, -np.inf)
    idx = np.argsort(-cos, axis=1, kind="stable")[:, :n]
    return idx, np.take_along_axis(cos, idx, 1).astype(np.float32)


@dataclass(frozen=True)
class FeatureCards:
    """Every feature of an SAE described on the test split (arrays indexed by feature)."""

    freq: np.ndarray  # (F,) share of test inputs it fires on
    order: np.ndarray  # (F,) features by frequency, most frequent first (ties by index)
    top: np.ndarray  # (F, N_TOP) test indices, −1 = none
    top_acts: np.ndarray  # (F, N_TOP)
    hist: np.ndarray  # (F, N_BINS) counts of its nonzero activations
    hist_max: np.ndarray  # (F,) the histogram's range is [0, hist_max]
    effects: np.ndarray  # (F, C) logit change per unit activation
    class_share: np.ndarray  # (F, C) share of its total activation on each (true) class
    neighbours: np.ndarray  # (F, N_NEIGHBOURS)
    neighbour_cos: np.ndarray  # (F, N_NEIGHBOURS)
    purity: np.ndarray  # (F,) class purity of its top images (NaN: fewer than N_TOP)


def feature_cards(sae, head, test_acts: np.ndarray, y_test: np.ndarray, n_classes: int) -> FeatureCards:
    """:class:`FeatureCards` of ``sae`` on the test split's layer rows ``test_acts`` (labels ``y_test``)."""
    z, _ = encode_acts(sae, test_acts)  # (N, F)
    y = np.asarray(y_test, np.int64)
    freq = (z > 0).mean(0)
    top, top_acts = top_activating(z)
    zmax = z.max(0)
    hist = np.zeros((z.shape[1], N_BINS), np.int32)
    for f in np.flatnonzero(zmax > 0):
        a = z[:, f][z[:, f] > 0]
        hist[f] = np.histogram(a, bins=N_BINS, range=(0.0, float(zmax[f])))[0]
    onehot = np.eye(n_classes)[y]  # (N, C)
    mass = z.T.astype(np.float64) @ onehot  # (F, C)
    share = mass / np.maximum(mass.sum(1, keepdims=True), 1e-30)
    nb, nb_cos = nearest_features(sae)
    return FeatureCards(
        freq=freq.astype(np.float32),
        order=np.argsort(-freq, kind="stable"),
        top=top,
        top_acts=top_acts,
        hist=hist,
        hist_max=zmax.astype(np.float32),
        effects=class_effects(sae, head).astype(np.float32),
        class_share=share.astype(np.float32),
        neighbours=nb,
        neighbour_cos=nb_cos,
        purity=class_purity(top, y),
    )


def features_for_class(cards: FeatureCards, c: int, n: int = 24, min_freq: float = 0.001) -> np.ndarray:
    """Search by class: the features (firing on at least ``min_freq`` of inputs) whose activation falls
    most on class ``c``, most selective first."""
    alive = np.flatnonzero(cards.freq >= min_freq)
    return alive[np.argsort(-cards.class_share[alive, c], kind="stable")][:n]


@dataclass(frozen=True)
class Steered:
    """One input's layer with one feature clamped."""

    feature: int
    value: float  # the clamped activation
    original: float  # the feature's own activation on this input
    probs: np.ndarray  # (C,) the classifier's probabilities after clamping
    original_probs: np.ndarray  # (C,) before
    active: np.ndarray  # (n,) features firing on the steered layer (re-encoded), strongest first
    active_values: np.ndarray  # (n,)
    z_before: np.ndarray  # (F,) every feature's activation on the input's own layer
    z_after: np.ndarray  # (F,) ... on the steered layer, re-encoded (the clamped one: its clamped value)


@torch.no_grad()
def steer(sae, head, act: np.ndarray, feature: int, value: float, n_active: int = 8) -> Steered:
    """Clamp ``feature`` to ``value`` on one input's layer ``act`` ``(D,)``: the layer becomes
    x + (value − z_f) · d_f, which is the SAE's reconstruction with z_f clamped plus the SAE's error
    x − x̂ (kept, so that value = z_f gives back x and the classifier's own probabilities). Returns
    the probabilities before and after, and every feature's activation before and after (the SAE
    re-encodes the steered layer: its other features, the clamped one's neighbours among them, move)."""
    x = torch.as_tensor(np.asarray(act, np.float32)).reshape(1, -1)  # (1, D)
    z = sae.encode(x)  # (1, F)
    orig = float(z[0, feature])
    z2 = z.clone()
    z2[0, feature] = float(value)
    steered = x + sae.decode(z2) - sae.decode(z)  # (1, D): x̂ with z_f clamped, plus the error term
    za = sae.encode(steered)[0].numpy()
    za[feature] = float(value)  # TopK may rank it out of the re-encoding; it is what we set
    active = np.flatnonzero(za > 0)
    active = active[np.argsort(-za[active], kind="stable")][:n_active]
    return Steered(
        feature=int(feature),
        value=float(value),
        original=orig,
        probs=head_probs(head, steered.numpy())[0],
        original_probs=head_probs(head, x.numpy())[0],
        active=active,
        active_values=za[active].astype(np.float32),
        z_before=z[0].numpy().astype(np.float32),
        z_after=za.astype(np.float32),
    )


@torch.no_grad()
def flip_values(sae, head, acts: np.ndarray, feature: int, target: int) -> np.ndarray:
    """Per input of ``acts`` ``(N, D)``, the smallest value ≥ 0 to clamp ``feature`` to (as :func:`steer`
    does) for the classifier to call class ``target``; ``inf`` where no value does. Exact: the head is
    linear, so clamping moves every logit along a line, L(v) = L + (v − z_f) · head.weight @ d_f."""
    x = torch.as_tensor(np.asarray(acts, np.float32))
    z_f = sae.encode(x)[:, feature].numpy().astype(np.float64)  # (N,)
    logits = head(x).numpy().astype(np.float64)  # (N, C)
    e = class_effects(sae, head)[feature].astype(np.float64)  # (C,)
    r = logits - logits[:, [target]]  # (N, C): how far each class leads the target
    de = e[target] - e  # (C,): how fast the target gains on each class per unit
    lo = np.full(len(x), -np.inf)
    hi = np.full(len(x), np.inf)
    up, down, flat = de > 1e-12, de < -1e-12, np.abs(de) <= 1e-12
    if up.any():
        lo = (r[:, up] / de[up]).max(1)
    if down.any():
        hi = (r[:, down] / de[down]).min(1)
    ok = lo <= hi
    if flat.any():
        ok &= (r[:, flat] <= 0).all(1)
    v = np.maximum(lo + z_f, 0.0)
    ok &= v <= hi + z_f
    return np.where(ok, v, np.inf)


def demo_pair(sae, head, cards: FeatureCards, test_acts: np.ndarray, y_test: np.ndarray) -> dict:
    """The steering demo the page opens on: a feature that fires on ≥ 1 % of test images, whose top
    images are ≥ 90 % one class and whose direction pushes that class most, by the widest margin over
    the next class; and the test image of another class that clamping it turns into that class at the
    smallest value, among the images the classifier calls right with ≥ 90 %. ``{"feature", "image", "target",
    "value"}`` (value: the smallest clamp that flips)."""
    y = np.asarray(y_test)
    e = cards.effects
    srt = np.sort(e, 1)
    margin, pushes = srt[:, -1] - srt[:, -2], e.argmax(1)
    top_class = np.array([np.bincount(y[t[t >= 0]]).argmax() if (t >= 0).any() else -1 for t in cards.top])
    good = (cards.freq >= 0.01) & (np.nan_to_num(cards.purity) >= 0.9) & (pushes == top_class)
    cands = np.flatnonzero(good) if good.any() else cards.order[:1]
    f = int(cands[np.argmax(margin[cands])])
    target = int(pushes[f])
    v = flip_values(sae, head, test_acts, f, target)
    probs = head_probs(head, test_acts)
    sure = (probs.argmax(1) == y) & (probs.max(1) >= 0.9)
    v[(y == target) | ~sure] = np.inf  # an image of another class it calls right, sure of it
    i = int(np.argmin(v))
    return {"feature": f, "image": i, "target": target, "value": float(v[i])}


def _probe_scores(train: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """How well each column of ``train`` ``(N, M)`` separates ``pos`` (bool) from the rest: the
    absolute difference of class means in units of the column's spread (a t-like score)."""
    sd = train.std(0) + 1e-8
    return np.abs(train[pos].mean(0) - train[~pos].mean(0)) / sd


def sparse_probing(
    sae,
    train_acts: np.ndarray,
    y_train: np.ndarray,
    test_acts: np.ndarray,
    y_test: np.ndarray,
    n_classes: int,
    ks=PROBE_KS,
    seeds=PROBE_SEEDS,
    n_train: int = PROBE_TRAIN,
) -> list[dict]:
    """The sparse-probing table: for each class (one vs rest), keep the ``k`` directions whose means
    differ most between the class and the rest (:func:`_probe_scores`, on the training rows), fit a
    logistic regression on them, score balanced accuracy on the test rows; mean over classes.

    Three bases of the same layer: the SAE's features, the raw neurons, and as many random unit
    directions as the SAE has features (projections, seeded per seed). Each seed draws its own
    ``n_train`` training rows. Rows ``{"basis", "k", "mean", "std", "per_seed"}`` (spread over seeds)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score

    ytr_all, yte = np.asarray(y_train), np.asarray(y_test)
    z_test, _ = encode_acts(sae, test_acts)
    results: dict[tuple[str, int], list[float]] = {}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(train_acts), size=min(n_train, len(train_acts)), replace=False)
        xtr, ytr = np.asarray(train_acts, np.float32)[pick], ytr_all[pick]
        r = rng.standard_normal((xtr.shape[1], z_test.shape[1])).astype(np.float32)
        r /= np.linalg.norm(r, axis=0, keepdims=True)  # (D, F) random unit directions
        bases = {
            "SAE features": (encode_acts(sae, xtr)[0], z_test),
            "neurons": (xtr, np.asarray(test_acts, np.float32)),
            "random directions": (xtr @ r, np.asarray(test_acts, np.float32) @ r),
        }
        for name, (a_tr, a_te) in bases.items():
            for k in ks:
                accs = []
                for c in range(n_classes):
                    pos = ytr == c
                    cols = np.argsort(-_probe_scores(a_tr, pos), kind="stable")[:k]
                    mu, sd = a_tr[:, cols].mean(0), a_tr[:, cols].std(0) + 1e-8
                    clf = LogisticRegression(max_iter=1000, class_weight="balanced")
                    clf.fit((a_tr[:, cols] - mu) / sd, pos)
                    pred = clf.predict((a_te[:, cols] - mu) / sd)
                    accs.append(balanced_accuracy_score(yte == c, pred))
                results.setdefault((name, k), []).append(float(np.mean(accs)))
    return [
        {"basis": name, "k": k, "mean": float(np.mean(v)), "std": float(np.std(v)), "per_seed": v}
        for (name, k), v in results.items()
    ]


def interpretability(cards: FeatureCards, random_cards: FeatureCards) -> dict:
    """Trained against random SAE by class purity of top images: the mean purity over features that
    fire often enough to judge, the share of those with purity ≥ 0.9, and how many were judged."""

    def summary(c: FeatureCards) -> dict:
        p = c.purity[~np.isnan(c.purity)]
        return {
            "mean": float(p.mean()) if len(p) else float("nan"),
            "pure": float((p >= 0.9).mean()) if len(p) else float("nan"),
            "judged": int(len(p)),
        }

    return {"trained": summary(cards), "random": summary(random_cards)}


#: The layer every SAE here reads: the judge's penultimate ReLU layer.
LAYER = "penultimate"
#: Bump when what :func:`dashboard` computes changes meaning (a criterion, a measure): prepared
#: dashboards of another version are computed again.
DASHBOARD_VERSION = 2
#: Training rows the dashboard reads (the PCA baseline's fit, the probes' draws): the first 20,000 of
#: the split. A 128-D layer's PCA and 5,000-row probes need no more, and the judge's pass over all
#: 60,000 was two thirds of the dashboard's time.
DASHBOARD_TRAIN_ROWS = 20_000


def layer_activations(dataset: str, split: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The judge of ``dataset``'s penultimate layer ``(N, D)`` on ``split`` (its first ``limit`` rows,
    if given), and the labels ``(N,)``."""
    from aecore.analysis.judge import judge_for
    from aecore.data.sets import load_dataset

    x, y = load_dataset(dataset).split(split)
    x, y = x[:limit], y[:limit]
    return judge_for(dataset).features(x.numpy()), np.asarray(y)


@dataclass(frozen=True)
class SAEDashboard:
    """Everything the sparse-autoencoder page shows for one data set, computed once."""

    dataset: str
    layer: str
    k: int  # the TopK SAE's k
    stats: SAEStats  # the TopK SAE
    l1_stats: SAEStats | None  # the L1 baseline SAE, where shipped
    random_stats: SAEStats  # an untrained SAE of the same shape
    cards: FeatureCards  # the TopK SAE's features
    probing: list  # rows of :func:`sparse_probing`
    interpretability: dict  # :func:`interpretability`, trained against random
    demo: dict  # :func:`demo_pair`: the feature and image the page opens on


def dashboard(dataset: str, sae, l1_sae, head, n_classes: int, on_progress=None) -> SAEDashboard:
    """The :class:`SAEDashboard` of ``dataset``'s TopK ``sae`` (``l1_sae`` may be None), measured on
    the judge's layer; the random SAE is :func:`aecore.training.sae.init_sae` of the same config."""
    from aecore.training.sae import init_sae

    def say(f, msg):
        if on_progress:
            on_progress(f, msg)

    say(0.0, "the layer's activations (training split)")
    train_acts, y_train = layer_activations(dataset, "train", DASHBOARD_TRAIN_ROWS)
    say(0.3, "the layer's activations (test split)")
    test_acts, y_test = layer_activations(dataset, "test")
    rand = init_sae(sae.config, train_acts, seed=1)
    say(0.4, "metrics and feature cards")
    stats = sae_stats(sae, head, train_acts, test_acts, y_test)
    cards = feature_cards(sae, head, test_acts, y_test, n_classes)
    random_cards = feature_cards(rand, head, test_acts, y_test, n_classes)
    say(0.6, "sparse probing (3 bases × 3 k × 3 seeds)")
    probing = sparse_probing(sae, train_acts, y_train, test_acts, y_test, n_classes)
    return SAEDashboard(
        dataset=dataset,
        layer=LAYER,
        k=int(sae.topk),
        stats=stats,
        l1_stats=sae_stats(l1_sae, head, train_acts, test_acts, y_test) if l1_sae is not None else None,
        random_stats=sae_stats(rand, head, train_acts, test_acts, y_test),
        cards=cards,
        probing=probing,
        interpretability=interpretability(cards, random_cards),
        demo=demo_pair(sae, head, cards, test_acts, y_test),
    )
