"""Components declared by import string: described from source without importing, imported on first use."""

import inspect
import sys

import pytest

from anyclr.core.components import Component, accepts_any_keyword, factory_parameters
from anyclr.core.errors import AnyclrError
from anyclr.core.introspect import read_signature
from anyclr.core.registry import Registry

EMPTY = inspect.Parameter.empty

SOURCE = '''
import functools
import math

from lazy_fixture_base import Base

RATIO = (3 / 4, 4 / 3)


class Views:
    """Views with plainly written defaults."""

    def __init__(self, n_views: int = 2, ratio=RATIO, limit=float("inf"), scale=-2**3, *, size, **extra):
        self.n_views = n_views


class Inherited(Base):
    """Takes Base's parameters."""


def computed(width=math.pi):
    """A default the source does not state plainly."""
    return width


def multiline(
    a: int = 1,
    b=RATIO,
) -> None:
    """Signature over several lines."""


@functools.lru_cache
# a comment between the decorator and the def
def decorated(x=1):
    """Decorators may change the signature."""
    return x
'''

BASE = '''
class Base:
    def __init__(self, depth: int = 4, name: str = "base"):
        self.depth = depth
'''


@pytest.fixture
def lazy_module(tmp_path, monkeypatch):
    (tmp_path / "lazy_fixture_mod.py").write_text(SOURCE)
    (tmp_path / "lazy_fixture_base.py").write_text(BASE)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("lazy_fixture_mod", "lazy_fixture_base"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return "lazy_fixture_mod"


def test_lazy_component_is_described_without_importing(lazy_module):
    views = Component("views", f"{lazy_module}:Views", summary="")
    assert views.parameters() == {"n_views": 2, "ratio": (0.75, 4 / 3), "limit": float("inf"), "scale": -8, "size": EMPTY}
    assert views.accepts_any_keyword() and views.describe() == "Views with plainly written defaults."
    inherited = Component("inherited", f"{lazy_module}:Inherited")
    assert inherited.parameters() == {"depth": 4, "name": "base"} and inherited.doc() == "Takes Base's parameters."
    assert not views.loaded and not inherited.loaded
    assert lazy_module not in sys.modules and "lazy_fixture_base" not in sys.modules
    # First use imports it; from then on the imported factory answers.
    made = views.factory(size=3)
    assert made.n_views == 2 and views.loaded and lazy_module in sys.modules
    assert views.parameters() == factory_parameters(views.factory)


def test_unreadable_source_falls_back_to_importing(lazy_module):
    multiline = Component("multiline", f"{lazy_module}:multiline")
    assert multiline.parameters() == {"a": 1, "b": (0.75, 4 / 3)} and multiline.describe() == "Signature over several lines."
    assert not multiline.loaded
    computed = Component("computed", f"{lazy_module}:computed")
    assert read_signature(computed.target) is None
    params = computed.parameters()
    assert computed.loaded and params["width"] == pytest.approx(3.14159, abs=1e-5)
    decorated = Component("decorated", f"{lazy_module}:decorated")
    assert read_signature(decorated.target) is None
    assert decorated.parameters() == {"x": 1} and decorated.loaded


def test_bad_declarations_name_the_component_and_plugin(lazy_module):
    with pytest.raises(ValueError, match="package.module:Name"):
        Component("bad", "lazy_fixture_mod.Views")
    missing = Component("ghost", "lazy_fixture_mod:Ghost").placed("view", "myplug")
    with pytest.raises(AnyclrError, match="The view 'ghost' \\(plug-in 'myplug'\\) could not be imported from lazy_fixture_mod:Ghost"):
        missing.factory  # noqa: B018
    nowhere = Component("nowhere", "no_such_module_xyz:thing").placed("head", "myplug")
    with pytest.raises(AnyclrError, match="ModuleNotFoundError"):
        nowhere.parameters()


def test_eager_factories_keep_working():
    def noise(sigma: float = 0.1, **kwargs):
        """Adds noise."""
        return sigma

    component = Component("noise", noise)
    assert component.loaded and component.factory is noise
    assert component.parameters() == {"sigma": 0.1} and component.accepts_any_keyword()
    assert component.describe() == "Adds noise." and component.target.endswith(":test_eager_factories_keep_working.<locals>.noise")


@pytest.mark.slow
def test_every_builtin_factory_is_read_from_source_exactly():
    """What listing reads from source equals what inspect says once imported (so listing never imports)."""
    registry = Registry(entry_points=True)
    builtin = {p.name for p in registry.plugins if p.builtin}
    components = [c for c in registry.components() if isinstance(c, Component) and c.plugin in builtin]
    lazy = [c for c in components if not c.loaded]
    assert len(lazy) >= 50 and {c.kind for c in lazy} >= {"view", "backbone", "head", "objective", "dataset", "evaluator"}
    eager = [c for c in components if c.loaded]
    assert all(type(c.factory).__name__ == "BundledSet" for c in eager)  # cheap callables that import on call
    for c in lazy:
        source = read_signature(c.target)
        assert source is not None, c.target
        factory = c.load()
        assert source.parameters == factory_parameters(factory), c.target
        assert source.var_keyword == accepts_any_keyword(factory), c.target
        assert source.doc == (inspect.getdoc(factory) or ""), c.target
