"""Finished plans' reads carry an ETag; ``If-None-Match`` with it answers 304 with no body,
still after the credential check (a revoked token gets 401, not 304)."""

from __future__ import annotations

from collections.abc import Callable

from api.service.cache import entity_tag, not_modified
from tests.api.service.conftest import Service
from tests.api.service.test_plans import TERMINAL, _sample_area, _start_plan, _wait


def test_tags_name_their_key_and_match_lists() -> None:
    tag = entity_tag(("plan", 1, "succeeded", "2026-12-01"), "0.1.0")
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34
    assert tag != entity_tag(("plan", 1, "succeeded", "2026-12-02"), "0.1.0")
    assert tag != entity_tag(("plan", 1, "succeeded", "2026-12-01"), "0.2.0")
    assert not_modified(f'"x", W/{tag}', tag)
    assert not_modified("*", tag)
    assert not not_modified('"other"', tag) and not not_modified(None, tag)


def test_finished_plan_reads_answer_304_to_their_etag(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url, lifespan=True, job_workers=1)
    admin = service.user("admin", "admin")
    _, dataset_id = _sample_area(service, admin)
    plan_id = _start_plan(service, admin, dataset_id)
    running = service.client.get(f"/plans/{plan_id}", headers=admin)
    if running.json()["state"] not in TERMINAL:  # an unfinished plan changes: no tag
        assert "etag" not in running.headers
    final = _wait(service, admin, plan_id, lambda b: b["state"] in TERMINAL)[-1]
    assert final["state"] == "succeeded", final
    tags: dict[str, str] = {}
    for path in ("", "/result", "/routes", "/map", "/map?lang=zh-CN"):
        url = f"/plans/{plan_id}{path}"
        for _ in range(2):  # drawn or read once, then from memory: the same tag both times
            first = service.client.get(url, headers=admin)
            assert first.status_code == 200, (path, first.text[:200])
            tag = first.headers["etag"]
            assert tags.setdefault(url, tag) == tag
            assert first.headers["cache-control"] == "private, no-cache"
        again = service.client.get(url, headers={**admin, "If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.content == b"" and again.headers["etag"] == tag
        stale = service.client.get(url, headers={**admin, "If-None-Match": '"old"'})
        assert stale.status_code == 200 and stale.content == first.content
    assert len(set(tags.values())) == len(tags)  # every view and language its own tag
    # The tag never bypasses the credential: a signed-out session gets 401, not 304.
    session = {"Authorization": f"Bearer {service.login('admin')}"}
    url = f"/plans/{plan_id}/result"
    assert service.client.get(url, headers=session).status_code == 200
    assert service.client.post("/auth/logout", headers=session).status_code == 204
    refused = service.client.get(url, headers={**session, "If-None-Match": tags[url]})
    assert refused.status_code == 401
