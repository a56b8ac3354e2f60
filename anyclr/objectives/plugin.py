"""Registers the built-in objectives through the ``anyclr`` entry point (imports happen when the hook runs)."""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the built-in objectives."""
    from anyclr.objectives.align_uniform import AlignUniform
    from anyclr.objectives.barlow import BarlowTwins
    from anyclr.objectives.byol import BYOL
    from anyclr.objectives.clip import CLIP
    from anyclr.objectives.dcl import DCL, dclw
    from anyclr.objectives.debiased import Debiased
    from anyclr.objectives.hcl import hcl
    from anyclr.objectives.mochi import MoCHi
    from anyclr.objectives.moco import MoCo, mocov3
    from anyclr.objectives.nnclr import NNCLR
    from anyclr.objectives.ntxent import NTXent
    from anyclr.objectives.polyview import PolyView
    from anyclr.objectives.siglip import SigLIP
    from anyclr.objectives.simsiam import SimSiam
    from anyclr.objectives.supcon import SupCon
    from anyclr.objectives.swav import SwAV
    from anyclr.objectives.vicreg import VICReg

    return [
        Component("ntxent", NTXent, summary="NT-Xent / InfoNCE (SimCLR), multi-positive for V > 2 views; temperature 0.2."),
        Component("supcon", SupCon, summary="Supervised contrastive loss (needs labels): same-label views are positives; temperature 0.1."),
        Component("dcl", DCL, summary="Decoupled contrastive loss: the positive is left out of the denominator; temperature 0.1."),
        Component("dclw", dclw, summary="DCL with the positive weighted by a von Mises-Fisher term (sigma 0.5)."),
        Component("debiased", Debiased, summary="Debiased contrastive loss: corrects negatives for same-class samples (tau_plus 0.1)."),
        Component("hcl", hcl, summary="Hard-negative contrastive loss: debiased, negatives weighted by hardness (beta 1)."),
        Component("align-uniform", AlignUniform, summary="Alignment + uniformity on the hypersphere (alpha 2, t 2)."),
        Component("polyview", PolyView, summary="Poly-view contrastive loss for V > 2 views (arithmetic, geometric or sufficient statistics)."),
        Component("moco", MoCo, summary="MoCo v2: momentum key encoder and a queue of negatives (4096 keys, momentum 0.99)."),
        Component("mocov3", mocov3, summary="MoCo v3: momentum key encoder, predictor, in-batch negative keys."),
        Component("mochi", MoCHi, summary="MoCHi: MoCo v2 plus synthetic hard negatives mixed from the hardest queue entries."),
        Component("byol", BYOL, summary="BYOL: predictor regresses a momentum target's projection (momentum 0.996 -> 1)."),
        Component("simsiam", SimSiam, summary="SimSiam: predictor matches the stop-gradient projection of the other view."),
        Component("barlow", BarlowTwins, summary="Barlow Twins: cross-correlation of standardised views towards the identity (lambda 5e-3)."),
        Component("vicreg", VICReg, summary="VICReg: invariance + variance + covariance terms (25, 25, 1)."),
        Component("swav", SwAV, summary="SwAV: swapped prediction of Sinkhorn prototype assignments (optional queue)."),
        Component("nnclr", NNCLR, summary="NNCLR: nearest neighbour from a support set as the positive (support 4096)."),
        Component("clip", CLIP, summary="CLIP: symmetric InfoNCE between two embedding batches with a learned temperature."),
        Component("siglip", SigLIP, summary="SigLIP: sigmoid loss over all pairs with a learned scale and bias."),
    ]
