"""Registers the built-in objectives through the ``anyclr`` entry point (``objectives``).

Factories are named by import string and imported on first use, so listing them imports no torch.
"""

from __future__ import annotations

from anyclr.core.components import Component
from anyclr.core.hookspecs import hookimpl

PACKAGE = "anyclr.objectives"


@hookimpl
def anyclr_objectives() -> list[Component]:
    """Return the built-in objectives."""
    return [
        Component("ntxent", f"{PACKAGE}.ntxent:NTXent", summary="NT-Xent / InfoNCE (SimCLR), multi-positive for V > 2 views; temperature 0.2."),
        Component("supcon", f"{PACKAGE}.supcon:SupCon", summary="Supervised contrastive loss (needs labels): same-label views are positives; temperature 0.1."),
        Component("dcl", f"{PACKAGE}.dcl:DCL", summary="Decoupled contrastive loss: the positive is left out of the denominator; temperature 0.1."),
        Component("dclw", f"{PACKAGE}.dcl:dclw", summary="DCL with the positive weighted by a von Mises-Fisher term (sigma 0.5)."),
        Component("debiased", f"{PACKAGE}.debiased:Debiased", summary="Debiased contrastive loss: corrects negatives for same-class samples (tau_plus 0.1)."),
        Component("hcl", f"{PACKAGE}.hcl:hcl", summary="Hard-negative contrastive loss: debiased, negatives weighted by hardness (beta 1)."),
        Component("align-uniform", f"{PACKAGE}.align_uniform:AlignUniform", summary="Alignment + uniformity on the hypersphere (alpha 2, t 2)."),
        Component("polyview", f"{PACKAGE}.polyview:PolyView", summary="Poly-view contrastive loss for V > 2 views (arithmetic, geometric or sufficient statistics)."),
        Component("moco", f"{PACKAGE}.moco:MoCo", summary="MoCo v2: momentum key encoder and a queue of negatives (4096 keys, momentum 0.99)."),
        Component("mocov3", f"{PACKAGE}.moco:mocov3", summary="MoCo v3: momentum key encoder, predictor, in-batch negative keys."),
        Component("mochi", f"{PACKAGE}.mochi:MoCHi", summary="MoCHi: MoCo v2 plus synthetic hard negatives mixed from the hardest queue entries."),
        Component("byol", f"{PACKAGE}.byol:BYOL", summary="BYOL: predictor regresses a momentum target's projection (momentum 0.996 -> 1)."),
        Component("simsiam", f"{PACKAGE}.simsiam:SimSiam", summary="SimSiam: predictor matches the stop-gradient projection of the other view."),
        Component("barlow", f"{PACKAGE}.barlow:BarlowTwins", summary="Barlow Twins: cross-correlation of standardised views towards the identity (lambda 5e-3)."),
        Component("vicreg", f"{PACKAGE}.vicreg:VICReg", summary="VICReg: invariance + variance + covariance terms (25, 25, 1)."),
        Component("swav", f"{PACKAGE}.swav:SwAV", summary="SwAV: swapped prediction of Sinkhorn prototype assignments (optional queue)."),
        Component("nnclr", f"{PACKAGE}.nnclr:NNCLR", summary="NNCLR: nearest neighbour from a support set as the positive (support 4096)."),
        Component("clip", f"{PACKAGE}.clip:CLIP", summary="CLIP: symmetric InfoNCE between two embedding batches with a learned temperature."),
        Component("siglip", f"{PACKAGE}.siglip:SigLIP", summary="SigLIP: sigmoid loss over all pairs with a learned scale and bias."),
    ]
