"""The kept heads of finished plans are dropped by what can change them (the plan, its area
or its dataset deleted, through the ORM or in bulk) and by nothing else, so uploads, new
plans and the runners' progress no longer send every cached read back to the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import ForeignKey, create_engine, delete, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from api.service.authcache import TtlCache, invalidate_on_deletions
from tests.api.service.conftest import Service
from tests.api.service.test_plans import PLAN, TERMINAL, _sample_area, _start_plan, _wait


class _Base(DeclarativeBase):
    pass


class _Parent(_Base):
    __tablename__ = "parents"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="")


class _Job(_Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id"))
    state: Mapped[str] = mapped_column(default="succeeded")


@pytest.fixture
def watched() -> Iterator[tuple[sessionmaker[Session], TtlCache[str]]]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    cache: TtlCache[str] = TtlCache(16, ttl_s=60)
    invalidate_on_deletions(sessions, cache, (_Job, _Parent))
    with sessions.begin() as session:
        session.add_all([_Parent(id=1), _Parent(id=2), _Job(id=1, parent_id=1)])
    yield sessions, cache
    engine.dispose()


def _kept(cache: TtlCache[str]) -> bool:
    cache.put("job", "head", cache.generation)
    return cache.get("job") == "head"


def _survives(cache: TtlCache[str], change: Callable[[], None]) -> bool:
    assert _kept(cache)
    change()
    return cache.get("job") == "head"


def test_only_changes_that_can_alter_a_head_drop_the_heads(
    watched: tuple[sessionmaker[Session], TtlCache[str]],
) -> None:
    sessions, cache = watched

    def rename_parent() -> None:
        with sessions.begin() as session:
            parent = session.get(_Parent, 1)
            assert parent is not None
            parent.name = "renamed"  # an upload to an area: its plans are as they were

    def add_job() -> None:
        with sessions.begin() as session:
            session.add(_Job(id=2, parent_id=1))

    def bulk_update_parents() -> None:
        with sessions.begin() as session:
            session.execute(update(_Parent).values(name="all"))

    def change_job() -> None:  # a runner's progress on an active job
        with sessions.begin() as session:
            job = session.get(_Job, 1)
            assert job is not None
            job.state = "running"

    def bulk_update_jobs() -> None:
        with sessions.begin() as session:
            session.execute(update(_Job).where(_Job.state == "running").values(state="failed"))

    for change in (rename_parent, add_job, bulk_update_parents, change_job, bulk_update_jobs):
        assert _survives(cache, change), change.__name__

    def delete_job() -> None:
        with sessions.begin() as session:
            session.delete(session.get(_Job, 2))

    def delete_parent() -> None:
        with sessions.begin() as session:
            session.delete(session.get(_Parent, 2))

    def bulk_delete_parents() -> None:
        with sessions.begin() as session:
            session.execute(delete(_Job))
            session.execute(delete(_Parent))

    for change in (delete_job, delete_parent, bulk_delete_parents):
        assert not _survives(cache, change), change.__name__


def test_a_head_read_between_the_flush_and_the_commit_is_not_kept(
    watched: tuple[sessionmaker[Session], TtlCache[str]],
) -> None:
    sessions, cache = watched
    with sessions() as session:
        session.delete(session.get(_Job, 1))
        session.flush()  # dropped here ...
        generation = cache.generation  # ... a reader starts now and sees the old row
        session.commit()  # dropped again: that reader's head is not kept
    cache.put("job", "stale head", generation)
    assert cache.get("job") is None
    with sessions() as session:  # a rollback leaves nothing to drop after it
        session.delete(session.get(_Parent, 1))
        session.flush()
        session.rollback()
        assert "gridpatrol.heads_changed" not in session.info


def test_uploads_keep_a_finished_plans_head_and_deleting_its_dataset_is_seen_at_once(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url, lifespan=True, job_workers=1)
    admin = service.user("admin", "admin")
    area_id, dataset_id = _sample_area(service, admin)
    plan_id = _start_plan(service, admin, dataset_id)
    final = _wait(service, admin, plan_id, lambda b: b["state"] in TERMINAL)[-1]
    assert final["state"] == "succeeded", final
    heads = service.app.state.service.heads
    assert service.client.get(f"/plans/{plan_id}", headers=admin).status_code == 200
    assert heads.get(("plans", plan_id)) is not None
    units = "unit_id,mode,station,shift_start,shift_end\nF1,foot,queens-park,16:00,24:00\n"
    uploaded = service.client.put(
        f"/areas/{area_id}/units", files={"file": ("units.csv", units)}, headers=admin
    )
    assert uploaded.status_code == 200, uploaded.text
    other = service.client.post("/plans", json={"dataset_id": dataset_id, **PLAN}, headers=admin)
    assert other.status_code == 202, other.text
    head = heads.get(("plans", plan_id))
    assert head is not None and head.dataset_id == dataset_id  # writes elsewhere keep it
    _wait(service, admin, other.json()["id"], lambda b: b["state"] in TERMINAL)
    deleted = service.client.delete(f"/datasets/{dataset_id}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    assert heads.get(("plans", plan_id)) is None
    after = service.client.get(f"/plans/{plan_id}", headers=admin)
    assert after.status_code == 200 and after.json()["dataset_id"] is None
    assert service.client.delete(f"/areas/{area_id}", headers=admin).status_code == 204
    assert service.client.get(f"/plans/{plan_id}", headers=admin).status_code == 404
