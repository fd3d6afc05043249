"""The HTTP contract, through the ASGI app in process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.app import App
from recommender.model_store import load_model
from tests.service.svc_helpers import call

KNOWN = 1  # synthetic user ids are 1..n_users
UNKNOWN = 0


def _ids(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def test_known_user_gets_model_answer(app: App) -> None:
    r = call(app, f"/recommend/{KNOWN}")
    assert r.status == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-recommendation-source"] == "model"
    assert r.headers["x-model-version"].startswith("als-")
    ids = _ids(r.text)
    assert len(ids) == 10 and len(set(ids)) == 10
    assert r.text == ",".join(str(i) for i in ids)  # nothing else: no spaces, no newline


def test_known_users_never_get_rated_movies(app: App, model_dir: Path) -> None:
    model = load_model(model_dir)
    for row, uid in enumerate(model.user_ids.tolist()):
        seen = model.seen_indices[model.seen_indptr[row] : model.seen_indptr[row + 1]]
        rated = set(model.item_ids[seen].tolist())
        answer = _ids(call(app, f"/recommend/{uid}", "k=100").text)
        assert not rated & set(answer), uid


def test_answers_are_best_first_and_prefix_consistent(app: App, model_dir: Path) -> None:
    model = load_model(model_dir)
    row = 4
    uid = int(model.user_ids[row])
    scores = model.user_factors[row] @ model.item_factors.T
    seen = model.seen_indices[model.seen_indptr[row] : model.seen_indptr[row + 1]]
    scores[seen] = -np.inf
    expected = model.item_ids[np.argsort(-scores, kind="stable")[:100]].tolist()
    assert _ids(call(app, f"/recommend/{uid}", "k=100").text) == expected
    for k in (1, 7, 10, 55):
        assert _ids(call(app, f"/recommend/{uid}", f"k={k}").text) == expected[:k]


def test_live_scoring_matches_precomputed(model_dir: Path) -> None:
    pre = App(model_dir, precompute="always", load_on_startup=False)
    live = App(model_dir, precompute="never", load_on_startup=False)
    pre.load()
    live.load()
    assert pre.recommender.precomputed and not live.recommender.precomputed  # type: ignore[union-attr]
    for uid in (1, 2, 50, 199, 200, 12345):
        for k in (1, 10, 100):
            assert (
                call(pre, f"/recommend/{uid}", f"k={k}").text
                == call(live, f"/recommend/{uid}", f"k={k}").text
            )


@pytest.mark.parametrize("uid", [UNKNOWN, 999_999, 2**64 - 1, "007000"])
def test_unknown_users_get_popularity(app: App, model_dir: Path, uid: object) -> None:
    r = call(app, f"/recommend/{uid}", "k=20")
    assert r.status == 200
    assert r.headers["x-recommendation-source"] == "popularity"
    model = load_model(model_dir)
    assert _ids(r.text) == model.item_ids[model.popularity[:20]].tolist()


@pytest.mark.parametrize(
    ("query", "count"),
    [("", 10), ("k=1", 1), ("k=100", 100), ("k=010", 10), ("x=1&k=5", 5), ("other=zzz", 10)],
)
def test_k_bounds_accepted(app: App, query: str, count: int) -> None:
    for uid in (KNOWN, UNKNOWN):
        r = call(app, f"/recommend/{uid}", query)
        assert r.status == 200, query
        assert len(_ids(r.text)) == count


@pytest.mark.parametrize(
    "query",
    [
        "k=0",
        "k=101",
        "k=-1",
        "k=abc",
        "k=",
        "k=1.5",
        "k=1e2",
        "k=9999999999999999999999",
        "k=%EF%BC%95",
        "k=1&k=2",
        "k=+5",
        "k=%205",
        "k=\u0665",
    ],
)
def test_bad_k_is_400(app: App, query: str) -> None:
    r = call(app, f"/recommend/{KNOWN}", query)
    assert r.status == 400, query
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.endswith("\n") and r.text.count("\n") == 1 and len(r.text) > 5


@pytest.mark.parametrize(
    "segment",
    [
        "abc",
        "-1",
        "+1",
        "1.0",
        "1e3",
        " 1",
        "1 ",
        "0x10",
        "",
        "18446744073709551616",  # 2**64
        "99999999999999999999999999",
        "\u0661\u0662",  # Arabic-Indic digits (int() would accept them)
        "\uff11",  # fullwidth 1
        "\u00b2",  # superscript 2
        "1\x00",
        "../healthz",
        "..",
        "1/",
        "1/2",
        "%31",
        "1;drop",
        "é",
    ],
)
def test_malformed_user_id_is_400(app: App, segment: str) -> None:
    r = call(app, "/recommend/" + segment)
    assert r.status == 400, repr(segment)
    assert r.text.count("\n") == 1 and "user id" in r.text


@pytest.mark.parametrize("path", ["/", "/recommend", "/recommendations/1", "/healthz/", "/x"])
def test_unknown_paths_are_404(app: App, path: str) -> None:
    r = call(app, path)
    assert r.status == 404
    assert r.text == "not found\n"


@pytest.mark.parametrize("path", ["/recommend/1", "/healthz"])
def test_other_methods_are_405(app: App, path: str) -> None:
    r = call(app, path, method="POST")
    assert r.status == 405
    assert "GET" in r.headers["allow"]


def test_head_is_allowed(app: App) -> None:
    r = call(app, "/recommend/1", method="HEAD")
    assert r.status == 200


def test_readiness_before_and_after_load(model_dir: Path) -> None:
    fresh = App(model_dir, load_on_startup=False)
    assert call(fresh, "/healthz").status == 200
    r = call(fresh, "/readyz")
    assert r.status == 503 and r.text == "model not loaded yet\n"
    assert call(fresh, "/recommend/1").status == 503
    fresh.load()
    assert call(fresh, "/readyz").status == 200
    assert call(fresh, "/recommend/1").status == 200


def test_broken_model_dir_reports_unhealthy(tmp_path: Path) -> None:
    broken = App(tmp_path / "missing", load_on_startup=False)
    with pytest.raises(FileNotFoundError):
        broken.load()
    assert call(broken, "/healthz").status == 503
    r = call(broken, "/readyz")
    assert r.status == 503 and r.text.startswith("model failed to load")


def test_lifespan_loads_the_model(model_dir: Path) -> None:
    import asyncio

    application = App(model_dir)
    sent: list[dict] = []

    async def run() -> None:
        queue: asyncio.Queue[dict] = asyncio.Queue()
        await queue.put({"type": "lifespan.startup"})

        async def send(message: dict) -> None:
            sent.append(message)

        task = asyncio.create_task(application({"type": "lifespan"}, queue.get, send))
        for _ in range(200):
            if application.recommender is not None:
                break
            await asyncio.sleep(0.01)
        await queue.put({"type": "lifespan.shutdown"})
        await task

    asyncio.run(run())
    assert application.recommender is not None
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_metrics(app: App) -> None:
    call(app, "/recommend/1")
    call(app, "/recommend/0")
    call(app, "/recommend/abc")
    call(app, "/nope")
    r = call(app, "/metrics")
    assert r.status == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    text = r.text
    assert 'berth_http_requests_total{route="/recommend/{user_id}",status="200"} 2.0' in text
    assert 'berth_http_requests_total{route="/recommend/{user_id}",status="400"} 1.0' in text
    assert 'berth_http_requests_total{route="unmatched",status="404"} 1.0' in text
    assert (
        'berth_http_request_duration_seconds_bucket{le="0.005",route="/recommend/{user_id}"' in text
    )
    assert 'berth_recommendations_total{source="popularity"} 1.0' in text
    version = app.recommender.version  # type: ignore[union-attr]
    assert f'version="{version}"' in text and "berth_model_ready 1.0" in text
