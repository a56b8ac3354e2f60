"""Field embeddings: each event as one vector from its categorical values, numbers and time.

The vocabularies and scales fitted on the training entities (the dataset's ``event_fields`` info) are buffers
of these modules, saved with the weights: data embedded later (``anyclr embed``) is looked up in the training
vocabulary whatever its own values, and values training never had are embedded as unknown, with a warning.
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from torch import nn

from anyclr.core.errors import AnyclrError
from anyclr.plugins.events.batch import MASK_CODE, EventBatch
from anyclr.plugins.events.vocabulary import lookup

log = logging.getLogger("anyclr.events")
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0


class CategoricalEmbedding(nn.Module):
    """One categorical field: codes looked up in the training vocabulary (``known``, ``rows``), then embedded.

    Row 0 is the unknown value: values rarer than ``min_count`` in training, masked values and values never
    seen in training. Loading a checkpoint takes its vocabulary (and embedding size) as saved.
    """

    def __init__(self, name: str, known: list[int], rows: list[int], size: int, dim: int) -> None:
        super().__init__()
        self.name = name
        self.register_buffer("known", torch.as_tensor(known, dtype=torch.long))
        self.register_buffer("rows", torch.as_tensor(rows, dtype=torch.long))
        self.weight = nn.Parameter(torch.randn(max(int(size), 1), dim))
        self.warned = False

    def forward(self, codes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Embed ``codes [B, T]``; in eval mode, warn once about real values training never had."""
        row, seen = lookup(codes, self.known, self.rows)
        if not self.training and not self.warned:
            unseen = int((~seen & mask & (codes != MASK_CODE)).sum())
            if unseen:
                self.warned = True
                log.warning(
                    "Field %r: %d of %d events in this batch have a value never seen in training; embedded as the unknown value "
                    "(said once per field).", self.name, unseen, int(mask.sum()),
                )
        return nn.functional.embedding(row, self.weight)

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any, **kwargs: Any) -> None:
        # The saved vocabulary wins over the one this module was built with (data read at embed time).
        for key in ("known", "rows", "weight"):
            saved = state_dict.get(prefix + key)
            current = getattr(self, key)
            if saved is not None and saved.shape != current.shape:
                fresh = torch.empty(saved.shape, dtype=current.dtype, device=current.device)
                if key == "weight":
                    self.weight = nn.Parameter(fresh)
                else:
                    setattr(self, key, fresh)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def extra_repr(self) -> str:
        return f"{self.name!r}, values={self.known.numel()}, rows={self.weight.shape[0]}, dim={self.weight.shape[1]}"


class EventFields(nn.Module):
    """Each event as the concatenation of its categorical embeddings, projected numbers (scaled with training
    statistics, missing as 0), the projected log-gap since the entity's previous event, and (timestamps)
    embeddings of its hour and weekday.

    Args:
        event_fields: the dataset's ``event_fields`` info (vocabularies, scales, time settings).
        cat_dim: width of each categorical embedding (default 16).
        num_dim: width of each number's projection (default 8; 0 feeds the scaled numbers as they are).
        calendar_dim: width of the hour and weekday embeddings (default 4).
    """

    def __init__(self, event_fields: dict[str, Any] | None, cat_dim: int = 16, num_dim: int = 8, calendar_dim: int = 4) -> None:
        super().__init__()
        if not event_fields:
            raise AnyclrError(
                "The event encoders need the dataset's event_fields (vocabularies and scales).",
                "Use an event dataset (data.name = \"events\" or \"events-transactions\").",
            )
        cats = event_fields.get("categorical", {})
        nums = event_fields.get("numeric", {})
        time = event_fields.get("time", {})
        self.categorical = nn.ModuleList(
            CategoricalEmbedding(name, spec["codes"], spec["rows"], spec["size"], cat_dim) for name, spec in cats.items()
        )
        self.register_buffer("num_mean", torch.tensor([nums[k]["mean"] for k in nums] + [time.get("gap_mean", 0.0)], dtype=torch.float32))
        self.register_buffer("num_std", torch.tensor([nums[k]["std"] for k in nums] + [time.get("gap_std", 1.0)], dtype=torch.float32))
        n_num = len(nums) + 1  # the numbers, then the time gap
        self.num_dim = int(num_dim)
        if self.num_dim > 0:
            self.num_weight = nn.Parameter(torch.randn(n_num, self.num_dim) / 2)
            self.num_bias = nn.Parameter(torch.zeros(n_num, self.num_dim))
        self.calendar = bool(time.get("calendar", False))
        if self.calendar:
            self.hour = nn.Embedding(24, calendar_dim)
            self.weekday = nn.Embedding(7, calendar_dim)
        self.out_dim = len(cats) * cat_dim + n_num * max(self.num_dim, 1) + (2 * calendar_dim if self.calendar else 0)

    def forward(self, batch: EventBatch) -> torch.Tensor:
        """Return ``[B, T, out_dim]`` event vectors (padding positions hold whatever; masks say which are real)."""
        mask = batch.mask()
        parts = [emb(batch.categorical[:, :, j], mask) for j, emb in enumerate(self.categorical)]
        gap = torch.diff(batch.time, dim=1, prepend=batch.time[:, :1]).clamp_min(0.0)
        numbers = torch.cat([batch.numeric.float(), torch.log1p(gap).float().unsqueeze(-1)], dim=-1)
        numbers = ((numbers - self.num_mean) / self.num_std).nan_to_num(0.0, 0.0, 0.0)
        if self.num_dim > 0:
            parts.append((numbers.unsqueeze(-1) * self.num_weight + self.num_bias).flatten(2))
        else:
            parts.append(numbers)
        if self.calendar:
            hours = torch.floor(batch.time / SECONDS_PER_HOUR)
            days = torch.floor(batch.time / SECONDS_PER_DAY)
            parts.append(self.hour(torch.remainder(hours, 24).long()))
            parts.append(self.weekday(torch.remainder(days + 3, 7).long()))  # 1970-01-01 was a Thursday (Monday = 0)
        return torch.cat(parts, dim=-1)
