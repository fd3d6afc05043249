"""The model directory (``trained_models/``): writing it, and loading it for serving.

Layout (every array is a plain ``.npy``, so serving can memory-map it and workers share pages):

    model_card.json       version, data hash, sizes, params, metrics
    user_factors.npy      float32 (n_users, f)
    item_factors.npy      float32 (n_items, f)
    user_ids.npy          int64 external user id of each row
    item_ids.npy          int64 external movie id of each row
    seen_indptr.npy       int64 CSR row pointers: items each user already rated
    seen_indices.npy      int32 CSR column indices (sorted within a row)
    popularity.npy        int32 item rows, most popular first (cold start)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CARD = "model_card.json"
ARRAYS = (
    "user_factors",
    "item_factors",
    "user_ids",
    "item_ids",
    "seen_indptr",
    "seen_indices",
    "popularity",
)


@dataclass
class ModelFiles:
    card: dict[str, Any]
    user_factors: np.ndarray
    item_factors: np.ndarray
    user_ids: np.ndarray
    item_ids: np.ndarray
    seen_indptr: np.ndarray
    seen_indices: np.ndarray
    popularity: np.ndarray


def save_model(model: ModelFiles, out_dir: str | Path) -> Path:
    """Write atomically: a sibling temp dir renamed over ``out_dir``."""
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name in ARRAYS:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(getattr(model, name)))
        (tmp / CARD).write_text(json.dumps(model.card, indent=2, sort_keys=True) + "\n")
        os.chmod(tmp, 0o755)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def load_model(model_dir: str | Path, mmap: bool = True) -> ModelFiles:
    """Load a model directory; arrays are read-only memory maps unless ``mmap`` is False."""
    path = Path(model_dir)
    card = json.loads((path / CARD).read_text())
    mode = "r" if mmap else None
    arrays = {name: np.load(path / f"{name}.npy", mmap_mode=mode) for name in ARRAYS}
    model = ModelFiles(card=card, **arrays)
    _check(model)
    return model


def _check(m: ModelFiles) -> None:
    n_users, n_items = len(m.user_ids), len(m.item_ids)
    problems = []
    if m.user_factors.shape[0] != n_users or m.item_factors.shape[0] != n_items:
        problems.append("factor rows do not match ids")
    if m.user_factors.shape[1] != m.item_factors.shape[1]:
        problems.append("factor widths differ")
    if m.seen_indptr.shape[0] != n_users + 1 or int(m.seen_indptr[-1]) != len(m.seen_indices):
        problems.append("seen index is inconsistent")
    if m.popularity.shape[0] != n_items:
        problems.append("popularity ranking does not cover every item")
    if problems:
        raise ValueError("invalid model directory: " + "; ".join(problems))
