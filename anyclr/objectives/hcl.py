"""HCL: hard-negative contrastive learning (the debiased loss with negatives re-weighted by hardness)."""

from __future__ import annotations

from anyclr.objectives.debiased import Debiased


def hcl(temperature: float = 0.5, tau_plus: float = 0.1, beta: float = 1.0) -> Debiased:
    """Hard-negative contrastive loss (Robinson et al. 2021, arXiv 2010.04592): negatives weighted by ``neg ** beta``."""
    if beta <= 0:
        raise ValueError(f"beta must be positive for hcl (beta = 0 is the 'debiased' objective), got {beta}")
    return Debiased(temperature=temperature, tau_plus=tau_plus, beta=beta)
