"""Type and range of every [trainer] and [eval] value, checked before anything is built or written.

``anyclr train``, ``anyclr show``, ``--resume`` and the library API all pass through ``config.resolve``,
which calls :func:`check_values`; a wrong value fails there, naming its key, instead of as a crash (or a
silent no-op) after training. Names checked against the registry (protocols, the ``eval.<protocol>_*``
keys) are checked by ``core.evaluation.check_protocols``, which needs the loaded plug-ins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from anyclr.core.errors import AnyclrError, closest

# Kept equal to optim.OPTIMIZERS, device.PRECISIONS and objective.VIEW_BATCHES (tests/core/test_core_validate.py);
# those modules import torch, which `anyclr show` should not pay for.
OPTIMIZERS = ("adamw", "sgd", "lars")
PRECISIONS = ("auto", "bf16", "fp32")
VIEW_BATCHES = ("joint", "separate")
BASELINES = ("random_init", "raw_input")
DEVICE = re.compile(r"^(auto|[a-z]+(:\d+)?)$")


@dataclass(frozen=True)
class Rule:
    """What one value may be: its kind, an inclusive or exclusive range, or the allowed strings."""

    kind: str  # whole | number | flag | choice | auto_flag | device | names
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: the value must be > low (else >= low)
    high_open: bool = False
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say what the value must be, e.g. ``a whole number ≥ 1``."""
        if self.kind in ("whole", "number"):
            noun = "a whole number" if self.kind == "whole" else "a number"
            bounds = []
            if self.low is not None:
                bounds.append(f"{'>' if self.low_open else '≥'} {self.low:g}")
            if self.high is not None:
                bounds.append(f"{'<' if self.high_open else '≤'} {self.high:g}")
            return f"{noun} {' and '.join(bounds)}".strip()
        if self.kind == "flag":
            return "true or false"
        if self.kind == "auto_flag":
            return "auto, true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "device":
            return "a device: auto, cpu, cuda, cuda:N or mps"
        if self.choices:
            return "a list of names from " + ", ".join(self.choices)
        return "a list of names"

    def accepts(self, value: Any) -> bool:
        """Return True if ``value`` fits this rule."""
        if self.kind in ("whole", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            if self.kind == "whole" and not isinstance(value, int):
                return False
            if not math.isfinite(value):
                return False
            if self.low is not None and (value <= self.low if self.low_open else value < self.low):
                return False
            return self.high is None or (value < self.high if self.high_open else value <= self.high)
        if self.kind == "flag":
            return isinstance(value, bool)
        if self.kind == "auto_flag":
            return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("auto", "true", "false"))
        if self.kind == "choice":
            return isinstance(value, str) and value in self.choices
        if self.kind == "device":
            return isinstance(value, str) and DEVICE.match(value.strip().lower()) is not None
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            return False
        return not self.choices or all(n in self.choices for n in names)


def whole(low: int, high: int | None = None) -> Rule:
    """An int (not a float, bool or string) from ``low`` (to ``high``)."""
    return Rule("whole", low, high)


def number(low: float, high: float | None = None, *, above: bool = False, below: bool = False) -> Rule:
    """A finite int or float from ``low`` (``above``: strictly greater) to ``high`` (``below``: strictly less)."""
    return Rule("number", low, high, low_open=above, high_open=below)


FLAG = Rule("flag")

TRAINER_RULES: dict[str, Rule] = {
    "epochs": whole(1),
    "max_steps": whole(0),
    "epoch_steps": whole(0),
    "batch_size": whole(1),
    "optimizer": Rule("choice", choices=OPTIMIZERS),
    "lr": number(0, above=True),
    "weight_decay": number(0),
    "momentum": number(0, 1),
    "warmup_epochs": number(0),
    "final_lr_ratio": number(0, 1),
    "grad_clip": number(0),
    "seed": whole(0),
    "device": Rule("device"),
    "precision": Rule("choice", choices=PRECISIONS),
    "channels_last": Rule("auto_flag"),
    "compile": FLAG,
    "sync_batchnorm": FLAG,
    "view_batches": Rule("choice", choices=VIEW_BATCHES),
    "num_workers": whole(0),
    "persistent_workers": FLAG,
    "prefetch_factor": whole(1),
    "threads": whole(0),
    "drop_last": FLAG,
    "knn_every": whole(0),
    "monitor_fraction": number(0, 1, below=True),
    "log_every": whole(1),
    "max_steps_per_epoch": whole(0),
}

EVAL_RULES: dict[str, Rule] = {
    "protocols": Rule("names"),
    "baselines": Rule("names", choices=BASELINES),
    "batch_size": whole(1),
    "plots": FLAG,
    "max_samples": whole(0),
}

RULES = {"trainer": TRAINER_RULES, "eval": EVAL_RULES}


def check_value(section: str, key: str, value: Any, default: Any = None) -> None:
    """Raise an :class:`AnyclrError` naming ``section.key`` unless ``value`` fits its rule."""
    rule = RULES[section].get(key)
    if rule is None or rule.accepts(value):
        return
    hint = f"Set it in the recipe's [{section}] section or with --set {section}.{key}=…"
    if default is not None:
        hint += f"; the default is {_toml(default)}."
    if rule.kind == "whole" and isinstance(value, float) and value.is_integer():
        hint = f"Write it without a decimal point: --set {section}.{key}={int(value)}."
    if isinstance(value, str) and rule.kind in ("number", "whole") and _is_number(value):
        hint = f"Numbers are written without quotes: --set {section}.{key}={value.strip()}."
    if isinstance(value, str) and rule.kind == "choice" and closest(value, rule.choices):
        hint = "Did you mean: " + ", ".join(closest(value, rule.choices)) + "?"
    raise AnyclrError(f"{section}.{key} must be {rule.describe()}, got {_shown(value)}.", hint)


def check_values(cfg: dict[str, Any], defaults: dict[str, dict[str, Any]] | None = None) -> None:
    """Check every value of the [trainer] and [eval] sections of a resolved config."""
    defaults = defaults or {}
    for section, rules in RULES.items():
        values = cfg.get(section, {})
        for key in rules:
            if key in values:
                check_value(section, key, values[key], defaults.get(section, {}).get(key))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _toml(value)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)
