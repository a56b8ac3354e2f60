import pytest
import torch

from anyclr.core.build import build_encoder
from anyclr.core.components import Component
from anyclr.core.errors import AnyclrError
from anyclr.core.hookspecs import hookimpl
from anyclr.core.registry import Registry
from anyclr.heads import MLP, IdentityHead, LinearHead


def test_mlp_shapes_and_layout():
    head = MLP(in_dim=32, hidden_dim=64, out_dim=16, layers=3)
    assert head.out_dim == 16
    assert head(torch.randn(8, 32)).shape == (8, 16)
    linears = [m for m in head.modules() if isinstance(m, torch.nn.Linear)]
    norms = [m for m in head.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert [(m.in_features, m.out_features) for m in linears] == [(32, 64), (64, 64), (64, 16)]
    assert len(norms) == 2
    assert linears[0].bias is None and linears[-1].bias is not None


def test_mlp_last_batchnorm_and_no_batchnorm():
    head = MLP(in_dim=8, hidden_dim=8, out_dim=4, last_batchnorm=True)
    last = list(head.net)[-1]
    assert isinstance(last, torch.nn.BatchNorm1d) and not last.affine
    z = head(torch.randn(16, 8))
    assert torch.allclose(z.mean(0), torch.zeros(4), atol=1e-5)  # batch-normalised output
    plain = MLP(in_dim=8, out_dim=4, batchnorm=False, layers=1)
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in plain.modules())
    assert len(plain.net) == 1


def test_mlp_last_affine_matches_lightly_simclr_head():
    head = MLP(in_dim=8, hidden_dim=16, out_dim=4, last_batchnorm=True, last_affine=True)
    kinds = [type(m).__name__ for m in head.net]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d"]
    assert head.net[3].bias is None and head.net[4].affine
    with pytest.raises(ValueError, match="last_affine needs last_batchnorm"):
        MLP(in_dim=8, last_affine=True)


def test_mlp_keeps_leading_dims():
    head = MLP(in_dim=6, hidden_dim=10, out_dim=3).eval()
    h = torch.randn(2, 5, 6)
    z = head(h)
    assert z.shape == (2, 5, 3)
    assert torch.allclose(z[1, 2], head(h[1, 2][None])[0], atol=1e-6)


def test_mlp_rejects_bad_sizes():
    with pytest.raises(ValueError):
        MLP(in_dim=4, layers=0)


def test_linear_and_identity():
    assert LinearHead(in_dim=5, out_dim=7)(torch.randn(3, 5)).shape == (3, 7)
    ident = IdentityHead(in_dim=9)
    h = torch.randn(2, 9)
    assert ident.out_dim == 9 and ident(h) is h


class _Backbone(torch.nn.Module):
    def __init__(self, out_dim: int = 12) -> None:
        super().__init__()
        self.out_dim = out_dim
        self.lin = torch.nn.Linear(4, out_dim)

    def forward(self, x):
        return self.lin(x)


class _TestBackbones:
    @hookimpl
    def anyclr_backbones(self):
        return [Component("test-backbone", _Backbone)]


def test_heads_register_and_build_from_recipe_keys():
    reg = Registry(extra_plugins=[("test-backbones", _TestBackbones())])
    assert {"mlp", "linear", "identity"} <= {c.name for c in reg.components("head")}
    assert reg.get("head", "mlp").plugin == "heads"
    cfg = {"encoder": {"name": "test-backbone", "head": "mlp", "head_out_dim": 6, "head_hidden_dim": 20}}
    enc = build_encoder(reg, cfg, {})
    assert enc.head.in_dim == 12 and enc.head.out_dim == 6
    assert enc(torch.randn(4, 4)).shape == (4, 6)
    enc = build_encoder(reg, {"encoder": {"name": "test-backbone", "head": "identity"}}, {})
    assert enc.head.out_dim == 12
    with pytest.raises(AnyclrError, match="head_out_dim"):
        build_encoder(reg, {"encoder": {"name": "test-backbone", "head": "linear", "head_out_dims": 3}}, {})
