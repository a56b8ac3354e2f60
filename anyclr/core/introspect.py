"""Read a factory's parameters and docstring from its source file, without importing its module.

Components declared lazily (``"package.module:Name"``) are described this way, so that listing them
(``anyclr components``, ``anyclr show NAME``) imports neither torch nor a plug-in's dependencies. Only
what the source states plainly is read: an undecorated top-level function, or class with its own
``__init__`` (or one inherited from a class the module defines or imports by name), whose defaults are
literals, arithmetic on them, ``float("inf")`` or module constants of that kind. Anything else answers
None and the caller imports the factory instead.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

EMPTY = inspect.Parameter.empty
_MAX_DEPTH = 8  # base classes, re-exports and constants followed before giving up


class _Unreadable(Exception):
    """The source does not state the signature plainly."""


@dataclass(frozen=True)
class SourceSignature:
    """What the source says about a factory: ``{parameter: default}``, ``**kwargs``, docstring."""

    parameters: dict[str, Any]
    var_keyword: bool
    doc: str


def split_target(target: str) -> tuple[str, str]:
    """Split ``"package.module:Name"`` into module and attribute, or raise ValueError."""
    module, sep, attr = target.partition(":")
    if not sep or not module.strip() or not attr.isidentifier():
        raise ValueError(f"{target!r} is not an import string of the form 'package.module:Name'.")
    return module.strip(), attr


@lru_cache(maxsize=1024)
def read_signature(target: str) -> SourceSignature | None:
    """Return the signature and docstring of ``"module:Name"`` read from source, or None if unreadable."""
    module, attr = split_target(target)
    try:
        return _signature(module, attr, depth=0)
    except _Unreadable:
        return None


def _signature(module: str, attr: str, depth: int) -> SourceSignature:
    node = _binding(module, attr)
    if isinstance(node, ast.FunctionDef) and not node.decorator_list:
        return _from_function(module, node, bound=False, doc=ast.get_docstring(node) or "")
    if isinstance(node, ast.ClassDef) and not node.decorator_list and not node.keywords:
        doc = ast.get_docstring(node) or ""
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is not None:
            if init.decorator_list:
                raise _Unreadable
            return _from_function(module, init, bound=True, doc=doc)
        if not node.bases:
            return SourceSignature({}, False, doc)
        if len(node.bases) == 1 and depth < _MAX_DEPTH:
            base = _signature(*_resolve_base(module, node.bases[0]), depth=depth + 1)
            return SourceSignature(base.parameters, base.var_keyword, doc or base.doc)
    if isinstance(node, ast.ImportFrom) and depth < _MAX_DEPTH:  # a re-export: `from .x import Name`
        return _signature(_absolute(module, node), _imported_name(node, attr), depth=depth + 1)
    raise _Unreadable


@lru_cache(maxsize=256)
def _source(module: str) -> str:
    """Return ``module``'s source, found without executing the module (its parent packages are imported)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise _Unreadable from exc
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise _Unreadable
    try:
        return Path(spec.origin).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unreadable from exc


@lru_cache(maxsize=64)
def _module_tree(module: str) -> ast.Module:
    try:
        return ast.parse(_source(module))
    except SyntaxError as exc:
        raise _Unreadable from exc


# The first line of a top-level def, class or assignment (group: the bound name), and of any top-level statement.
_BINDING = re.compile(
    r"^(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)|^(\w+)[ \t]*(?::[^=\n]*)?(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)",
    re.MULTILINE,
)
_TOP_LEVEL = re.compile(r"^[^\s#)\]}]", re.MULTILINE)


@lru_cache(maxsize=256)
def _binding_starts(module: str) -> dict[str, int]:
    """Return ``{name: offset of the last top-level def, class or assignment binding it}``."""
    return {m.group(1) or m.group(2): m.start() for m in _BINDING.finditer(_source(module))}


@lru_cache(maxsize=4096)
def _binding(module: str, name: str) -> ast.stmt | None:
    """Return the last top-level statement of ``module`` that binds ``name`` (the one Python keeps).

    Parsing a whole module costs more than the rest of ``anyclr components``, so the statement is found
    by its first line and parsed alone; the module is parsed whole only when that is not conclusive
    (a decorator, an import, a statement that does not parse alone).
    """
    text, start = _source(module), _binding_starts(module).get(name)
    if start is not None and not _decorated(text, start):
        line_end = text.find("\n", start)
        end = _TOP_LEVEL.search(text, line_end + 1) if line_end >= 0 else None
        try:
            body = ast.parse(text[start : end.start() if end else len(text)]).body
        except SyntaxError:
            body = []
        if len(body) == 1 and _binds(body[0], name):
            return body[0]
    found = None
    for node in _module_tree(module).body:
        if _binds(node, name):
            found = node
    return found


def _decorated(text: str, start: int) -> bool:
    """Return True if the statement starting at ``start`` has a decorator above it (comments and blank lines skipped)."""
    for line in reversed(text[:start].splitlines()):
        if line.strip() and not line.lstrip().startswith("#"):
            return line.startswith("@")
    return False


def _binds(node: ast.stmt, name: str) -> bool:
    """Return True if the top-level statement ``node`` binds ``name``."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Name) and t.id == name for t in targets)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name.split(".")[0]) == name for a in node.names)
    return False


def _constant(module: str, name: str, depth: int) -> Any:
    """Return the value of the module constant ``name`` if it is assigned a plain value."""
    node = _binding(module, name)
    if depth < _MAX_DEPTH and isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        return _value(node.value, module, depth + 1)
    raise _Unreadable


_ARITHMETIC = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}


def _value(node: ast.expr, module: str, depth: int = 0) -> Any:
    """Evaluate a default written plainly: literals, containers, arithmetic, ``float("inf")``, module constants."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_value(e, module, depth) for e in node.elts]
        return {ast.Tuple: tuple, ast.List: list, ast.Set: set}[type(node)](items)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_value(k, module, depth): _value(v, module, depth) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.Name):
        return _constant(module, node.id, depth)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _number(_value(node.operand, module, depth))
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _number(_value(node.left, module, depth)), _number(_value(node.right, module, depth))
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise _Unreadable
        try:
            return _ARITHMETIC[type(node.op)](left, right)
        except ArithmeticError as exc:
            raise _Unreadable from exc
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float"
        and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        try:
            return float(node.args[0].value)
        except ValueError as exc:
            raise _Unreadable from exc
    raise _Unreadable


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Unreadable
    return value


def _from_function(module: str, fn: ast.FunctionDef, bound: bool, doc: str) -> SourceSignature:
    args = fn.args
    positional = args.posonlyargs + args.args
    if bound:
        positional = positional[1:]  # self
    defaults: list[ast.expr | None] = [None] * (len(args.posonlyargs + args.args) - len(args.defaults)) + list(args.defaults)
    if bound:
        defaults = defaults[1:]
    params: dict[str, Any] = {}
    for arg, default in [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]:
        params[arg.arg] = EMPTY if default is None else _value(default, module)
    return SourceSignature(params, args.kwarg is not None, doc)


def _resolve_base(module: str, base: ast.expr) -> tuple[str, str]:
    """Return (module, name) where a base class written as a plain name is defined."""
    if not isinstance(base, ast.Name):
        raise _Unreadable
    node = _binding(module, base.id)
    if isinstance(node, ast.ClassDef):
        return module, base.id
    if isinstance(node, ast.ImportFrom):
        return _absolute(module, node), _imported_name(node, base.id)
    raise _Unreadable


def _imported_name(node: ast.ImportFrom, local: str) -> str:
    return next(a.name for a in node.names if (a.asname or a.name) == local)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """Return the absolute module an ``ImportFrom`` in ``module`` refers to."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    drop = node.level - 1 if _is_package(module) else node.level  # `from . import` in a package is the package
    parts = parts[: len(parts) - drop]
    return ".".join(parts + ([node.module] if node.module else []))


def _is_package(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    return bool(spec and spec.submodule_search_locations is not None)
