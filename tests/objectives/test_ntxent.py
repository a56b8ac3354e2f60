import pytest
import torch

from anyclr.core.errors import AnyclrError
from anyclr.objectives.ntxent import NTXent

from .reference import ntxent as ntxent_ref


def _views(v: int, n: int = 6, d: int = 5, seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(v)]


@pytest.mark.parametrize("n_views", [2, 3])
def test_ntxent_matches_reference_values_and_gradients(n_views):
    z = _views(n_views)
    fast = NTXent(temperature=0.2)(z)
    (g_fast,) = [torch.autograd.grad(fast, z)]
    z2 = [t.detach().clone().requires_grad_(True) for t in z]
    slow = ntxent_ref(z2, 0.2)
    g_slow = torch.autograd.grad(slow, z2)
    torch.testing.assert_close(fast, slow)
    for a, b in zip(g_fast, g_slow, strict=True):
        torch.testing.assert_close(a, b)


def test_ntxent_errors_on_degenerate_input():
    with pytest.raises(AnyclrError, match="at least 2 views"):
        NTXent()(_views(1))
    with pytest.raises(AnyclrError, match="batch of at least 2"):
        NTXent()(_views(2, n=1))
    with pytest.raises(AnyclrError, match="mismatched"):
        NTXent()([torch.randn(4, 3), torch.randn(4, 5)])


def test_ntxent_is_registered():
    from anyclr.core.registry import get_registry

    component = get_registry().get("objective", "ntxent")
    assert component.parameters()["temperature"] == 0.2
