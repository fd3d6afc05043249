"""Ratings: MovieLens loaders and a deterministic synthetic generator.

All loaders return a :class:`Ratings` with one row per (user, item) interaction, using the
external ids of the source data (MovieLens ids start at 1).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Ratings:
    users: np.ndarray  # int64 external user ids
    items: np.ndarray  # int64 external item (movie) ids
    ratings: np.ndarray  # float32 explicit rating, used as implicit confidence
    timestamps: np.ndarray  # int64 unix seconds
    source: str

    def __len__(self) -> int:
        return int(self.users.shape[0])

    def sha256(self) -> str:
        """Hash of the canonical content, independent of file format and row order."""
        order = np.lexsort((self.items, self.users))
        digest = hashlib.sha256()
        for column, dtype in (
            (self.users, "<i8"),
            (self.items, "<i8"),
            (self.ratings, "<f4"),
        ):
            digest.update(np.ascontiguousarray(column[order], dtype=dtype).tobytes())
        return digest.hexdigest()


def _from_columns(table: np.ndarray, source: str) -> Ratings:
    if table.ndim != 2 or table.shape[1] < 3 or table.shape[0] == 0:
        raise ValueError(f"{source}: expected rows of user, item, rating[, timestamp]")
    timestamps = table[:, 3] if table.shape[1] > 3 else np.zeros(table.shape[0])
    ratings = Ratings(
        users=table[:, 0].astype(np.int64),
        items=table[:, 1].astype(np.int64),
        ratings=table[:, 2].astype(np.float32),
        timestamps=timestamps.astype(np.int64),
        source=source,
    )
    if (ratings.users < 0).any() or (ratings.items < 0).any():
        raise ValueError(f"{source}: negative ids")
    return _dedupe(ratings)


def _dedupe(r: Ratings) -> Ratings:
    """Keep the latest interaction per (user, item)."""
    order = np.lexsort((r.timestamps, r.items, r.users))
    users, items = r.users[order], r.items[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (users[1:] != users[:-1]) | (items[1:] != items[:-1])
    keep = order[last]
    return Ratings(r.users[keep], r.items[keep], r.ratings[keep], r.timestamps[keep], r.source)


def load_ratings(path: str | Path) -> Ratings:
    """Load MovieLens ratings: u.data (tab), ratings.csv (with header) or ratings.dat (::)."""
    path = Path(path)
    with path.open("r", encoding="utf-8") as fh:
        first = fh.readline()
    if "::" in first:
        text = path.read_text(encoding="utf-8").replace("::", "\t")
        table = np.loadtxt(text.splitlines(), delimiter="\t", dtype=np.float64, ndmin=2)
    else:
        delimiter = "\t" if "\t" in first else ","
        has_header = any(c.isalpha() for c in first)
        table = np.loadtxt(
            path,
            delimiter=delimiter,
            dtype=np.float64,
            skiprows=1 if has_header else 0,
            usecols=(0, 1, 2, 3) if first.count(delimiter) >= 3 else (0, 1, 2),
            ndmin=2,
        )
    return _from_columns(table, source=path.name)


def write_udata(ratings: Ratings, path: str | Path) -> None:
    """Write ratings in the MovieLens 100k ``u.data`` format (tab-separated, no header)."""
    table = np.column_stack(
        [ratings.users, ratings.items, ratings.ratings.astype(np.int64), ratings.timestamps]
    )
    np.savetxt(path, table, fmt="%d", delimiter="\t")


def synthetic_ratings(
    n_users: int = 1000,
    n_items: int = 1700,
    n_ratings: int = 100_000,
    n_clusters: int = 18,
    seed: int = 42,
) -> Ratings:
    """Deterministic MovieLens-shaped ratings.

    Shape: long-tail item popularity (Zipf), each item belongs to one taste cluster (a genre),
    each user likes one to three clusters, user activity is log-normal (at least 20 ratings,
    like MovieLens 100k). Users pick items by popularity x taste; ratings are higher for
    items in the user's clusters.
    """
    rng = np.random.default_rng(seed)
    item_cluster = rng.integers(0, n_clusters, size=n_items)
    popularity = 1.0 / np.arange(1, n_items + 1) ** 1.2
    popularity = popularity[rng.permutation(n_items)]
    quality = rng.normal(0.0, 0.5, size=n_items)

    activity = rng.lognormal(mean=0.0, sigma=0.9, size=n_users)
    counts = np.maximum(20, activity / activity.sum() * n_ratings).astype(np.int64)
    counts = np.minimum(counts, n_items // 2)

    users, items, values = [], [], []
    log_pop = np.log(popularity)
    for u in range(n_users):
        n_tastes = rng.integers(1, 4)
        tastes = rng.choice(n_clusters, size=n_tastes, replace=False)
        weights = rng.dirichlet(np.ones(n_tastes))
        affinity = np.full(n_clusters, 0.04)
        affinity[tastes] += weights * 6.0
        # Gumbel top-k: sampling without replacement, proportional to popularity x affinity.
        keys = log_pop + np.log(affinity[item_cluster]) + rng.gumbel(size=n_items)
        chosen = np.argpartition(-keys, counts[u])[: counts[u]]
        liked = affinity[item_cluster[chosen]] > 0.5
        score = 3.0 + quality[chosen] + np.where(liked, 0.8, -0.6) + rng.normal(0, 0.8, len(chosen))
        users.append(np.full(len(chosen), u + 1))
        items.append(chosen + 1)
        values.append(np.clip(np.rint(score), 1, 5))
    u_all = np.concatenate(users)
    timestamps = 874_724_710 + np.arange(len(u_all)) * 37 + rng.integers(0, 30, len(u_all))
    return Ratings(
        users=u_all.astype(np.int64),
        items=np.concatenate(items).astype(np.int64),
        ratings=np.concatenate(values).astype(np.float32),
        timestamps=timestamps.astype(np.int64),
        source=f"synthetic(users={n_users},items={n_items},ratings~{n_ratings},seed={seed})",
    )
