"""A card-transactions simulator with a latent client segment (4 classes, like CoLES's age groups) and a churn flag.

Each client belongs to one of four segments, which shape its log in three ways that overlap between
segments, so no single statistic gives the segment away:

- **merchant categories** (100 MCC-like codes in 10 groups of 10): the next group follows a routine, a Markov
  chain over groups (segments 0-1 one routine, 2-3 another; both visit every group equally often in the long
  run, so counts alone do not tell them apart), mixed with uniform noise at a client-specific rate; within a
  group the code follows the client's preferences, drawn around its segment's profile;
- **amounts**: log-normal around a per-group level, shifted per (segment, group) pair and per client;
- **timing**: self-exciting bursts (segments 0 and 2) or a jittered periodic rhythm (1 and 3), at a rate
  drawn from the same range for every segment.

The second label, ``churn`` (about 40% of clients, independent of the segment), depends on recent
behaviour only: a churner's last 15% of events come slower (gaps x2.5), smaller (amounts x0.74) and more
often as cash withdrawals (group 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENTS = 4
GROUPS = 10
CODES_PER_GROUP = 10
START = np.datetime64("2025-01-01T00:00:00")
CHANNELS = np.array(["pos", "online", "atm"])


def routines() -> np.ndarray:
    """Return ``[2, GROUPS, GROUPS]``: two doubly stochastic group-transition matrices (uniform in the long run)."""
    out = np.zeros((2, GROUPS, GROUPS))
    for g in range(GROUPS):
        for r, steps in enumerate(((1, 4), (3, 8))):
            for s in steps:
                out[r, g, (g + s) % GROUPS] += 0.5
    return out


def simulate(clients: int, seed: int = 0, first_id: int = 0, min_events: int = 30, max_events: int = 250) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(events, labels)``: one row per transaction (sorted by time) and one per client (segment, churn)."""
    rng = np.random.default_rng(seed)
    world = np.random.default_rng(12345)  # segment profiles and code values: the same for every seed
    codes = np.sort(world.choice(np.arange(1000, 10000), GROUPS * CODES_PER_GROUP, replace=False))
    base = world.dirichlet(np.ones(CODES_PER_GROUP), GROUPS)
    profile = 0.85 * base[None] + 0.15 * world.dirichlet(np.ones(CODES_PER_GROUP), (SEGMENTS, GROUPS))  # [S, G, C]
    group_level = world.normal(0.0, 0.8, GROUPS)
    segment_shift = world.normal(0.0, 0.2, (SEGMENTS, GROUPS))
    channel_of_group = world.dirichlet(np.ones(3) * 0.7, GROUPS)  # [G, 3]
    transition = routines()

    n = int(clients)
    segment = rng.integers(0, SEGMENTS, n)
    churn = rng.random(n) < 0.4
    length = rng.integers(min_events, max_events + 1, n)
    tail_start = (length * 0.85).astype(np.int64)
    noise = rng.uniform(0.25, 0.6, n)  # how often the next group ignores the routine
    prefs = rng.gamma(8.0 * profile[segment])  # [N, G, C], normalised below
    prefs = np.cumsum(prefs / prefs.sum(-1, keepdims=True), axis=-1)
    client_level = rng.normal(0.0, 0.3, n)
    mean_gap = np.exp(rng.uniform(np.log(4 * 3600), np.log(48 * 3600), n))
    bursty = segment % 2 == 0
    t = (rng.uniform(0, 60, n) * 86400).astype(np.float64)
    group = rng.integers(0, GROUPS, n)
    routine_of = segment // 2
    rows = np.arange(n)

    steps = int(length.max())
    out_time = np.zeros((steps, n))
    out_code = np.zeros((steps, n), np.int64)
    out_amount = np.zeros((steps, n))
    out_channel = np.zeros((steps, n), np.int64)
    for i in range(steps):
        tail = churn & (i >= tail_start)
        follow = rng.random(n) >= noise
        routine_next = (np.cumsum(transition[routine_of, group], axis=-1) < rng.random(n)[:, None]).sum(-1)
        group = np.where(follow, routine_next, rng.integers(0, GROUPS, n))
        group = np.where(tail & (rng.random(n) < 0.25), 0, group)
        code = (prefs[rows, group] < rng.random(n)[:, None]).sum(-1).clip(0, CODES_PER_GROUP - 1)
        log_amount = 3.5 + group_level[group] + segment_shift[segment, group] + client_level + 0.5 * rng.standard_normal(n)
        log_amount = np.where(tail, log_amount - 0.3, log_amount)
        if i:
            burst_gap = np.where(rng.random(n) < 0.6, rng.exponential(600.0, n), rng.exponential(np.maximum(mean_gap - 360.0, 60.0) / 0.4, n))
            periodic_gap = mean_gap * (1.0 + 0.1 * rng.standard_normal(n)).clip(0.5, 1.5)
            gap = np.where(bursty, burst_gap, periodic_gap)
            t = t + np.where(tail, 2.5 * gap, gap)
        out_time[i], out_code[i] = t, group * CODES_PER_GROUP + code
        out_amount[i] = np.round(np.exp(log_amount), 2)
        out_channel[i] = (np.cumsum(channel_of_group[group], axis=-1) < rng.random(n)[:, None]).sum(-1).clip(0, 2)

    live = np.arange(steps)[:, None] < length[None, :]
    client = np.broadcast_to(rows[None, :], (steps, n))[live]
    seconds = out_time[live]
    events = pd.DataFrame(
        {
            "client_id": client + first_id,
            "event_time": START + seconds.astype("timedelta64[s]"),
            "mcc": codes[out_code[live]],
            "channel": CHANNELS[out_channel[live]],
            "amount": out_amount[live],
        }
    )
    events = events.sort_values("event_time", kind="stable").reset_index(drop=True)  # a log: clients interleaved
    labels = pd.DataFrame({"client_id": rows + first_id, "segment": segment, "churn": churn.astype(np.int64)})
    return events, labels
