"""Serving-side recommender: memory-mapped factors, vectorised top-k, pre-rendered answers."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Literal

import numpy as np

from .model_store import ModelFiles, load_model
from .topk import top_sorted, topk_rows

MAX_K = 100
# Precompute every known user's top-MAX_K at load when the score matrix is small enough
# (MovieLens 100k/1M: yes; 25M: no, answers are then computed per request).
PRECOMPUTE_LIMIT = 500_000_000

Precompute = Literal["auto", "always", "never"]


def _render(item_str: list[str], rows: np.ndarray) -> tuple[bytes, array]:
    """Comma-joined ids plus byte offsets, so the answer for k is ``body[:offsets[k]]``."""
    parts = [item_str[j] for j in rows.tolist()]
    offsets = array("I", [0])
    total = -1
    for part in parts:
        total += len(part) + 1
        offsets.append(total)
    return ",".join(parts).encode("ascii"), offsets


class Recommender:
    def __init__(self, model: ModelFiles, precompute: Precompute = "auto") -> None:
        self.model = model
        self.version: str = str(model.card["version"])
        self.data_sha256: str = str(model.card.get("data", {}).get("sha256", ""))
        self.n_users = len(model.user_ids)
        self.n_items = len(model.item_ids)
        self._row = {uid: row for row, uid in enumerate(model.user_ids.tolist())}
        self._item_str = [str(x) for x in model.item_ids.tolist()]
        self._item_t = model.item_factors.T
        self._popular = _render(self._item_str, np.asarray(model.popularity[:MAX_K]))
        self._answers: list[tuple[bytes, array]] | None = None
        size = self.n_users * self.n_items
        if precompute == "always" or (precompute == "auto" and size <= PRECOMPUTE_LIMIT):
            self._answers = self._precompute()

    @classmethod
    def from_dir(cls, model_dir: str | Path, precompute: Precompute = "auto") -> Recommender:
        return cls(load_model(model_dir, mmap=True), precompute)

    @property
    def precomputed(self) -> bool:
        return self._answers is not None

    def _precompute(self) -> list[tuple[bytes, array]]:
        m = self.model
        rows = np.arange(self.n_users)
        top, valid = topk_rows(
            m.user_factors, m.item_factors, m.seen_indptr, m.seen_indices, rows, MAX_K
        )
        return [_render(self._item_str, top[r, : valid[r]]) for r in range(self.n_users)]

    def known(self, user_id: int) -> bool:
        return user_id in self._row

    def recommend(self, user_id: int, k: int) -> tuple[bytes, bool]:
        """Body for ``user_id`` (comma-separated movie ids, best first) and whether it came
        from the model (True) or the popularity cold start (False). ``1 <= k <= MAX_K``."""
        row = self._row.get(user_id)
        if row is None:
            body, offsets = self._popular
            return body[: offsets[min(k, len(offsets) - 1)]], False
        if self._answers is not None:
            body, offsets = self._answers[row]
            return body[: offsets[min(k, len(offsets) - 1)]], True
        return self._live(row, k), True

    def _live(self, row: int, k: int) -> bytes:
        m = self.model
        scores = m.user_factors[row] @ self._item_t
        seen = m.seen_indices[m.seen_indptr[row] : m.seen_indptr[row + 1]]
        scores[seen] = -np.inf
        k = min(k, self.n_items - len(seen))
        if k <= 0:
            return b""
        top = top_sorted(scores, k)
        return ",".join([self._item_str[j] for j in top.tolist()]).encode("ascii")
