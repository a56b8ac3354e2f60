"""Slow, direct re-statements of each objective's formula (Python loops, fp64) that the fast versions are tested against.

Each follows the formula in /work/shared/METHODS.md (or the objective's docstring where METHODS leaves a
choice open, e.g. how V > 2 views are averaged), written for clarity rather than speed.
"""

from __future__ import annotations

import itertools
import math

import torch


def cos(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of two vectors, written out."""
    return (u * v).sum() / (u.norm() * v.norm())


def unit(u: torch.Tensor) -> torch.Tensor:
    """``u / |u|``."""
    return u / u.norm()


def ntxent(z: list[torch.Tensor], tau: float, labels: torch.Tensor | None = None) -> torch.Tensor:
    """Multi-positive NT-Xent (labels=None: positives are the other views of the sample; else SupCon L_out)."""
    views, n = len(z), z[0].shape[0]
    items = [(v, i) for v in range(views) for i in range(n)]
    total = torch.zeros((), dtype=z[0].dtype)
    for v, i in items:
        others = [(w, j) for w, j in items if (w, j) != (v, i)]
        denom = sum(torch.exp(cos(z[v][i], z[w][j]) / tau) for w, j in others)
        if labels is None:
            pos = [(w, j) for w, j in others if j == i]
        else:
            pos = [(w, j) for w, j in others if labels[j] == labels[i]]
        total = total - sum(torch.log(torch.exp(cos(z[v][i], z[w][j]) / tau) / denom) for w, j in pos) / len(pos)
    return total / len(items)


def dcl(z: list[torch.Tensor], tau: float, weighted: bool = False, sigma: float = 0.5) -> torch.Tensor:
    """DCL / DCLW: ``mean_p[-w_ip s_ip / tau] + log sum_{k in other samples} exp(s_ik / tau)``."""
    views, n = len(z), z[0].shape[0]
    total = torch.zeros((), dtype=z[0].dtype)
    for v in range(views):
        for i in range(n):
            neg = sum(torch.exp(cos(z[v][i], z[w][j]) / tau) for w in range(views) for j in range(n) if j != i)
            pos_terms = []
            for w in range(views):
                if w == v:
                    continue
                s = cos(z[v][i], z[w][i])
                weight = 1.0
                if weighted:
                    mean = sum(torch.exp(cos(z[v][k], z[w][k]) / sigma) for k in range(n)) / n
                    weight = 2 - torch.exp(s / sigma) / mean
                pos_terms.append(-weight * s / tau)
            total = total + sum(pos_terms) / len(pos_terms) + torch.log(neg)
    return total / (views * n)


def debiased(z: list[torch.Tensor], tau: float, tau_plus: float, beta: float = 0.0) -> torch.Tensor:
    """Debiased (beta = 0) or hard-negative (beta > 0) contrastive loss, per anchor and positive."""
    views, n = len(z), z[0].shape[0]
    total = torch.zeros((), dtype=z[0].dtype)
    for v in range(views):
        for i in range(n):
            negs = [torch.exp(cos(z[v][i], z[w][j]) / tau) for w in range(views) for j in range(n) if j != i]
            count = len(negs)
            if beta:
                weights = [x**beta for x in negs]
                r = count * sum(w * x for w, x in zip(weights, negs, strict=True)) / sum(weights)
            else:
                r = sum(negs)
            per_pos = []
            for w in range(views):
                if w == v:
                    continue
                pos = torch.exp(cos(z[v][i], z[w][i]) / tau)
                ng = torch.maximum((r - count * tau_plus * pos) / (1 - tau_plus), torch.tensor(count * math.exp(-1 / tau), dtype=pos.dtype))
                per_pos.append(-torch.log(pos / (pos + ng)))
            total = total + sum(per_pos) / len(per_pos)
    return total / (views * n)


def align_uniform(z: list[torch.Tensor], alpha: float, t: float, lam: float) -> torch.Tensor:
    """Mean over view pairs of E|x - y|^alpha + lam * mean over views of log E_{i<j} exp(-t |x_i - x_j|^2)."""
    f = [[unit(row) for row in view] for view in z]
    n = len(f[0])
    pairs = list(itertools.combinations(range(len(f)), 2))
    align = sum(sum((f[a][i] - f[c][i]).norm() ** alpha for i in range(n)) / n for a, c in pairs) / len(pairs)
    unif = 0
    for view in f:
        kernel = [torch.exp(-t * (view[i] - view[j]).norm() ** 2) for i in range(n) for j in range(i + 1, n)]
        unif = unif + torch.log(sum(kernel) / len(kernel))
    return align + lam * unif / len(f)


def polyview(z: list[torch.Tensor], tau: float, aggregation: str) -> torch.Tensor:
    """One-vs-rest InfoNCE over samples with the arithmetic / geometric / sufficient-statistics critic."""
    views, n = len(z), z[0].shape[0]
    f = [[unit(row) for row in view] for view in z]

    def critic(i: int, a: int, j: int) -> torch.Tensor:
        rest = [b for b in range(views) if b != a]
        if aggregation == "arithmetic":
            return torch.log(sum(torch.exp(f[a][i] @ f[b][j] / tau) for b in rest) / len(rest))
        if aggregation == "geometric":
            return sum(f[a][i] @ f[b][j] / tau for b in rest) / len(rest)
        mean = sum(f[b][j] for b in rest) / len(rest)
        return cos(f[a][i], mean) / tau

    total = torch.zeros((), dtype=z[0].dtype)
    for a in range(views):
        for i in range(n):
            denom = sum(torch.exp(critic(i, a, j)) for j in range(n))
            total = total - torch.log(torch.exp(critic(i, a, i)) / denom)
    return total / (views * n)


def barlow(z: list[torch.Tensor], lam: float) -> torch.Tensor:
    """Barlow Twins with unbiased batch standardisation, mean over pairs of views."""
    n, d = z[0].shape

    def standardise(x: torch.Tensor) -> list[list[torch.Tensor]]:
        cols = []
        for k in range(d):
            col = [x[i, k] for i in range(n)]
            mean = sum(col) / n
            std = torch.sqrt(sum((c - mean) ** 2 for c in col) / (n - 1))
            cols.append([(c - mean) / std for c in col])
        return cols

    total = torch.zeros((), dtype=z[0].dtype)
    pairs = list(itertools.combinations(range(len(z)), 2))
    for a, c in pairs:
        za, zc = standardise(z[a]), standardise(z[c])
        for p in range(d):
            for q in range(d):
                corr = sum(za[p][i] * zc[q][i] for i in range(n)) / n
                total = total + ((1 - corr) ** 2 if p == q else lam * corr**2)
    return total / len(pairs)


def vicreg(z: list[torch.Tensor], lam: float, mu: float, nu: float, eps: float = 1e-4) -> torch.Tensor:
    """VICReg per the paper's equation; V > 2: invariance averaged over pairs, the rest 2/V * sum over views."""
    n, d = z[0].shape
    views = len(z)
    pairs = list(itertools.combinations(range(views), 2))
    inv = sum(sum((z[a][i, k] - z[c][i, k]) ** 2 for i in range(n) for k in range(d)) / (n * d) for a, c in pairs) / len(pairs)
    var = 0
    cov = 0
    for x in z:
        means = [sum(x[i, k] for i in range(n)) / n for k in range(d)]
        variances = [sum((x[i, k] - means[k]) ** 2 for i in range(n)) / (n - 1) for k in range(d)]
        var = var + sum(torch.clamp(1 - torch.sqrt(v + eps), min=0) for v in variances) / d
        for p in range(d):
            for q in range(d):
                if p != q:
                    c = sum((x[i, p] - means[p]) * (x[i, q] - means[q]) for i in range(n)) / (n - 1)
                    cov = cov + c**2 / d
    return lam * inv + mu * var * 2 / views + nu * cov * 2 / views


def clip(a: torch.Tensor, b: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """CLIP: mean of row-wise and column-wise cross-entropy of ``scale * cos``."""
    n = a.shape[0]
    logits = [[scale * cos(a[i], b[j]) for j in range(n)] for i in range(n)]
    rows = sum(-torch.log(torch.exp(logits[i][i]) / sum(torch.exp(logits[i][j]) for j in range(n))) for i in range(n)) / n
    cols = sum(-torch.log(torch.exp(logits[j][j]) / sum(torch.exp(logits[i][j]) for i in range(n))) for j in range(n)) / n
    return (rows + cols) / 2


def siglip(a: torch.Tensor, b: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """SigLIP: ``-1/N sum_ij log sigmoid(z_ij (scale cos(a_i, b_j) + bias))``."""
    n = a.shape[0]
    total = 0
    for i in range(n):
        for j in range(n):
            label = 1.0 if i == j else -1.0
            total = total - torch.log(1 / (1 + torch.exp(-label * (scale * cos(a[i], b[j]) + bias))))
    return total / n


def moco(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor, tau: float) -> torch.Tensor:
    """Mean over queries of ``-log exp(q.k+/tau) / (exp(q.k+/tau) + sum_queue exp(q.n/tau))``."""
    total = 0
    for i in range(q.shape[0]):
        pos = torch.exp(cos(q[i], k[i]) / tau)
        neg = sum(torch.exp(cos(q[i], unit(n)) / tau) for n in queue)
        total = total - torch.log(pos / (pos + neg))
    return total / q.shape[0]


def byol(p: list[torch.Tensor], t: list[torch.Tensor]) -> torch.Tensor:
    """BYOL: mean over samples of ``sum_{a != c} (2 - 2 cos(p_a, t_c)) / (V - 1)``."""
    views, n = len(p), p[0].shape[0]
    total = 0
    for a in range(views):
        for c in range(views):
            if a != c:
                total = total + sum(2 - 2 * cos(p[a][i], t[c][i].detach()) for i in range(n))
    return total / (n * (views - 1))


def simsiam(p: list[torch.Tensor], z: list[torch.Tensor]) -> torch.Tensor:
    """SimSiam: mean over ordered view pairs and samples of ``-cos(p_a, sg z_c)``."""
    views, n = len(p), p[0].shape[0]
    terms = [-cos(p[a][i], z[c][i].detach()) for a in range(views) for c in range(views) if a != c for i in range(n)]
    return sum(terms) / len(terms)


def sinkhorn(scores: torch.Tensor, eps: float, iterations: int) -> torch.Tensor:
    """Sinkhorn-Knopp written out: Q = exp(S/eps)^T, alternately rescale rows (1/K) and columns (1/B)."""
    b, k = scores.shape
    q = [[math.exp(float(scores[i, c]) / eps) for i in range(b)] for c in range(k)]
    s = sum(map(sum, q))
    q = [[x / s for x in row] for row in q]
    for _ in range(iterations):
        q = [[x / sum(row) / k for x in row] for row in q]
        col = [sum(q[c][i] for c in range(k)) for i in range(b)]
        q = [[q[c][i] / col[i] / b for i in range(b)] for c in range(k)]
    return torch.tensor([[q[c][i] * b for c in range(k)] for i in range(b)], dtype=scores.dtype)


def swav(z: list[torch.Tensor], prototypes: torch.Tensor, tau: float, eps: float, iterations: int) -> torch.Tensor:
    """SwAV: codes of the first two views by Sinkhorn; each other view predicts them by softmax(scores / tau)."""
    views, n = len(z), z[0].shape[0]
    scores = [torch.stack([torch.stack([unit(x) @ c for c in prototypes]) for x in view]) for view in z]
    assigned = min(2, views)
    codes = [sinkhorn(scores[s].detach(), eps, iterations) for s in range(assigned)]
    total = 0
    for s in range(assigned):
        for t in range(views):
            if t == s:
                continue
            for i in range(n):
                logp = scores[t][i] / tau - torch.log(torch.exp(scores[t][i] / tau).sum())
                total = total - (codes[s][i] * logp).sum()
    return total / (assigned * (views - 1) * n)


def nnclr(z: list[torch.Tensor], p: list[torch.Tensor], support: torch.Tensor, tau: float) -> torch.Tensor:
    """NNCLR: ``-log exp(NN(z_a,i).p_c,i/tau) / sum_k exp(NN(z_a,i).p_c,k/tau)`` over ordered pairs and samples."""
    views, n = len(z), z[0].shape[0]
    total = 0
    for a in range(views):
        for c in range(views):
            if a == c:
                continue
            for i in range(n):
                sims = [float(cos(z[a][i].detach(), s)) for s in support]
                nn = unit(support[max(range(len(sims)), key=lambda r: sims[r])]).detach()
                logits = [nn @ unit(p[c][k]) / tau for k in range(n)]
                total = total - torch.log(torch.exp(logits[i]) / sum(torch.exp(x) for x in logits))
    return total / (n * views * (views - 1))
