"""The plug-in registry: named hook points, one registry per app."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from notifications.models import Device, Notification
from service_app import plugins
from service_app.database import utcnow
from service_app.extensions import db
from service_app.plugins import Hook, Hooks
from service_app.users.models import User
from service_requests.models import ServiceRequest


def test_two_apps_do_not_share_hooks():
    first, second = Flask("first"), Flask("second")
    seeder = plugins.hooks(first).add(Hook.SEEDERS, lambda: ["first only"])
    assert plugins.hooks(first).get(Hook.SEEDERS) == (seeder,)
    assert plugins.hooks(second).get(Hook.SEEDERS) == ()
    with second.app_context():
        assert plugins.hooks() is plugins.hooks(second)
    with first.app_context():
        assert plugins.hooks().get(Hook.SEEDERS) == (seeder,)


def test_every_built_app_gets_every_package_plugged_in_and_keeps_what_a_test_adds_to_itself(make_app):
    first, second = make_app(), make_app()
    extra = plugins.hooks(first).add(Hook.OFFICE_USAGE_CHECKS, lambda office_id: "a test's claim")
    assert extra in plugins.hooks(first).get(Hook.OFFICE_USAGE_CHECKS)
    assert extra not in plugins.hooks(second).get(Hook.OFFICE_USAGE_CHECKS)
    for app in (first, second):
        registry = plugins.hooks(app)
        assert [s.name for s in registry.get(Hook.PERSONAL_DATA)] == [
            "devices", "notifications", "requests", "comments", "attachments", "views", "replies",
            "followed_notices", "following"]
        assert [f.__name__ for f in registry.get(Hook.SEEDERS)] == [
            "seed_offices", "seed_rooms", "seed_devices", "seed_categories", "seed_requests", "seed_duplicates",
            "seed_assignment_rule", "seed_views", "seed_replies", "seed_notice"]
        assert registry.one(Hook.OFFICE_LOOKUP).__name__ == "office_id_by_code"
        assert len(registry.get(Hook.HISTORY_SUBSCRIBERS)) == 1 and len(registry.get(Hook.ERASE_ACCOUNTS)) == 2


def test_a_provider_added_twice_or_a_second_single_provider_is_refused():
    registry = Hooks()
    check = registry.add(Hook.REFERENCE_CHECKS, lambda data: {})
    with pytest.raises(ValueError, match="already added at REFERENCE_CHECKS"):
        registry.add(Hook.REFERENCE_CHECKS, check)
    assert registry.one(Hook.OFFICE_LOOKUP) is None
    lookup = registry.add(Hook.OFFICE_LOOKUP, lambda code: 1)
    with pytest.raises(ValueError, match="takes one provider"):
        registry.add(Hook.OFFICE_LOOKUP, lambda code: 2)
    assert registry.one(Hook.OFFICE_LOOKUP) is lookup and registry.get(Hook.REFERENCE_CHECKS) == (check,)


def test_retention_erases_what_each_package_holds_through_the_erasure_hooks(app, client, world, submit, runner):
    rid = submit()["id"]
    client.post("/api/v1/devices", json={"token": "old-phone", "platform": "android"},
                headers=world.other_employee.headers)
    client.patch(f"/api/v1/users/{world.other_employee.id}", json={"is_active": False}, headers=world.admin.headers)
    erased = []
    plugins.hooks(app).add(Hook.ERASE_ACCOUNTS, erased.append)
    with app.app_context():
        feed = sa.select(sa.func.count()).select_from(Notification).where(Notification.request_id == rid)
        devices = sa.select(sa.func.count()).select_from(Device).where(Device.user_id == world.other_employee.id)
        assert db.session.scalar(feed) > 0 and db.session.scalar(devices) == 1
        req = db.session.get(ServiceRequest, rid)
        req.status, req.closed_at = "cancelled", utcnow() - timedelta(days=1900)
        db.session.get(User, world.other_employee.id).updated_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert "requests anonymised: 1" in result.output and "accounts anonymised: 1" in result.output
    assert erased == [[world.other_employee.id]]
    with app.app_context():
        assert db.session.scalar(feed) == 0 and db.session.scalar(devices) == 0
