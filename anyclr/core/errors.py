"""Errors that reach users: a short message, and what to do about it."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable


class AnyclrError(Exception):
    """An error caused by the user's input; the CLI prints it without a traceback and exits 2."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


def closest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` names from ``choices`` that look like ``name``."""
    choices = sorted(set(choices))
    found = difflib.get_close_matches(name, choices, n=n, cutoff=0.5)
    if not found:
        found = [c for c in choices if name.lower() in c.lower() or c.lower() in name.lower()][:n]
    return found


def unknown_name(what: str, name: str, choices: Iterable[str]) -> AnyclrError:
    """Build the error for an unknown ``what`` called ``name``, suggesting the closest valid names."""
    choices = sorted(set(choices))
    near = closest(name, choices)
    if near:
        hint = "Did you mean: " + ", ".join(repr(c) for c in near) + "?"
    elif choices:
        hint = "Valid names: " + ", ".join(choices[:20]) + (" …" if len(choices) > 20 else "")
    else:
        hint = None
    return AnyclrError(f"Unknown {what} {name!r}.", hint)


def check_keys(
    given: Iterable[str], accepted: Iterable[str], spell: Callable[[str], str], owner: str = "", fallback: str = ""
) -> None:
    """Raise for the first key in ``given`` that is not in ``accepted``, spelled as the recipe spells it
    (``spell(key)``, e.g. ``encoder.head_out_dim``), suggesting the closest accepted keys.

    The one unknown-key check: recipe sections, factory parameters and evaluator settings all go through it.
    """
    accepted = list(accepted)
    for key in given:
        if key in accepted:
            continue
        near = closest(key, accepted)
        if near:
            hint = "Did you mean: " + ", ".join(spell(n) for n in near) + "?"
        else:
            hint = fallback or "Valid keys: " + (", ".join(spell(k) for k in accepted) or "(none)") + "."
        raise AnyclrError(f"Unknown key {spell(key)}" + (f" for {owner}" if owner else "") + ".", hint)
