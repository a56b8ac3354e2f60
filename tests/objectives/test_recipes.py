"""The image recipes this area ships build from the registry and take a real trainer step (full runs: the CLI).

The step goes through ``trainer.train_step`` — the function every run uses — so autocast, the
``view_batches`` setting and the objective's ``after_step`` are exercised for each recipe, not a loop
written for the test.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from anyclr.api import build_parts
from anyclr.core.config import apply_overrides, load, resolve
from anyclr.core.registry import get_registry
from anyclr.core.trainer import make_context, train_step

RECIPES = ["image-moco", "image-byol", "image-simsiam", "image-barlow", "image-vicreg", "image-swav", "image-dcl", "image-supcon", "image-nnclr"]


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_takes_a_trainer_step(name, tmp_path):
    registry = get_registry()
    _, cfg = load(name, registry)
    cfg = resolve(apply_overrides(cfg, ["trainer.batch_size=16", "trainer.knn_every=0", "trainer.view_batches='separate'"]))
    parts = build_parts(registry, cfg, 0)
    ctx = make_context(
        config=cfg, run_dir=tmp_path, recipe=name, registry=registry, data=parts.data, views=parts.views,
        encoder=parts.encoder, objective=parts.objective, device=torch.device("cpu"), amp_dtype=torch.bfloat16,
        channels_last=False, log=None,
    )
    first = next(m for m in ctx.encoder.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))
    norm = next(m for m in ctx.encoder.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))
    out_dtypes: list[torch.dtype] = []
    first.register_forward_hook(lambda module, inputs, output: out_dtypes.append(output.dtype))
    progress: list[float] = []
    after_step = ctx.objective.after_step
    ctx.objective.after_step = lambda encoder, p: (progress.append(p), after_step(encoder, p))
    weights = {k: p.detach().clone() for k, p in ctx.encoder.named_parameters() if p.requires_grad and p.ndim > 1}
    frozen = {k: p.detach().clone() for k, p in ctx.objective.named_parameters() if not p.requires_grad}

    loss = train_step(ctx, 1, parts.data.train.x[:16], parts.data.train.y[:16])

    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    assert set(out_dtypes) == {torch.bfloat16}  # the forward ran under the trainer's autocast
    assert int(norm.num_batches_tracked) == ctx.views.n_views  # view_batches = "separate": one pass per view
    assert ctx.step == 1 and progress == [1 / ctx.total_steps]  # after_step was called with the run's progress
    still = [k for k, p in ctx.encoder.named_parameters() if k in weights and torch.equal(weights[k], p.detach())]
    assert not still  # the optimiser stepped every weight
    # Parameters without gradients (momentum targets) change only through after_step.
    assert all(not torch.equal(v, dict(ctx.objective.named_parameters())[k].detach()) for k, v in frozen.items())
