"""Hostile input against following and ``discoverable`` (API.md "Following and similar requests,
tightened"): following what one may not follow is a 404 that stores nothing, the follow after
``FOLLOW_LIMIT`` (30 an hour) is a 429 that stores nothing, a rate-limit store that is down fails
no follow, and ``discoverable`` takes JSON ``true`` or ``false`` from a company-wide administrator
only."""
import json
from datetime import timedelta

import pytest

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error, move

ODD = [None, 0, 1, "true", "false", "yes", "", [], {}, [True], 1.0, "\x00", "\ud800"]


def _send(client, method, url, body, who):
    """``body`` as JSON with every non-ASCII character escaped, so a lone surrogate reaches the server."""
    return client.open(url, method=method, data=json.dumps(body),
                       headers={**who.headers, "Content-Type": "application/json"})


def follow(client, who, rid):
    return client.post(f"/api/v1/requests/{rid}/follow", headers=who.headers)


def unfollow(client, who, rid):
    return client.delete(f"/api/v1/requests/{rid}/follow", headers=who.headers)


# --- discoverable -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ODD)
def test_discoverable_takes_json_true_or_false_only(client, app, world, hr, value):
    before = snapshot(app)
    error = assert_error(_send(client, "PATCH", f"/api/v1/categories/{hr}", {"discoverable": value}, world.admin),
                         422, "validation_error")
    assert "discoverable" in str(error["details"])
    made = _send(client, "POST", "/api/v1/categories", {"code": "FAC-LIFT", "name": "Lift", "discoverable": value},
                 world.admin)
    assert_error(made, 422, "validation_error")
    assert snapshot(app) == before


@pytest.mark.parametrize("who", ["employee", "manager_fac_ala", "manager_it", "admin_ala", "admin_ast"])
def test_only_a_company_wide_administrator_sets_discoverable(client, app, world, hr, who):
    before = snapshot(app)
    assert_error(_send(client, "PATCH", f"/api/v1/categories/{hr}", {"discoverable": True}, getattr(world, who)),
                 403, "forbidden")
    assert_error(_send(client, "POST", "/api/v1/categories", {"code": "X-1", "name": "X", "discoverable": True},
                       getattr(world, who)), 403, "forbidden")
    assert snapshot(app) == before


# --- following what one may not follow ------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_employee", "admin_ast", "manager_it"])
def test_following_what_one_may_not_follow_is_404_and_stores_nothing(app, client, world, submit, hr, who):
    hr_request = submit(category=hr, description="I am pregnant")["id"]
    old = submit()["id"]
    with app.app_context():
        db.session.get(ServiceRequest, old).created_at = utcnow() - timedelta(days=15)
        db.session.commit()
    rejected = submit()["id"]
    move(client, world.admin, rejected, "rejected", comment="not ours")
    caller = getattr(world, who)
    for rid in (hr_request, old, rejected, 999_999, 2**31, 2**63):
        before = snapshot(app)
        response = follow(client, caller, rid)
        assert response.status_code == 404
        assert_error(response, 404)
        assert_error(unfollow(client, caller, rid), 404)
        assert snapshot(app) == before


# --- FOLLOW_LIMIT -------------------------------------------------------------------------------------


def limited_client(make_app, **settings):
    """A client of an app whose rate limits are on (the suite's are off), on the same database. Made
    after the test's requests are submitted: the limiter is one object, and this app turns it on."""
    return make_app(RATELIMIT_ENABLED=True, **settings).test_client()


def test_the_31st_follow_in_an_hour_is_429_and_stores_nothing(app, make_app, world, submit):
    made = [submit()["id"] for _ in range(31)]
    limited = limited_client(make_app)
    for rid in made[:30]:
        # Following again what one follows already, and a refused follow, do not count.
        assert follow(limited, world.other_employee, made[0]).status_code == 204
        assert_error(follow(limited, world.other_employee, 999_999), 404, "not_found")
        assert follow(limited, world.other_employee, rid).status_code == 204
    before = snapshot(app)
    response = follow(limited, world.other_employee, made[30])
    assert response.status_code == 429
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert snapshot(app) == before
    # Once 30 are made, every follow waits for the hour to move on, even one that would store nothing.
    assert_error(follow(limited, world.other_employee, made[0]), 429, "rate_limited")
    # Unfollowing is never limited; the limit is each person's own.
    for rid in made[:30] * 2:
        assert unfollow(limited, world.other_employee, rid).status_code == 204
    assert follow(limited, world.admin_ast, made[30]).status_code == 204


def test_the_limit_is_the_follow_limit_setting(make_app, world, submit):
    made = [submit()["id"] for _ in range(3)]
    limited = limited_client(make_app, FOLLOW_LIMIT="2 per hour")
    assert [follow(limited, world.other_employee, rid).status_code for rid in made] == [204, 204, 429]


def test_a_rate_limit_store_that_is_down_fails_no_follow(make_app, app, world, submit):
    """With the Key Value store unreachable a follow is counted in the process's memory meanwhile:
    never a 5xx (API.md, Operations)."""
    rid = submit()["id"]
    down = limited_client(make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert follow(down, world.other_employee, rid).status_code == 204
    assert unfollow(down, world.other_employee, rid).status_code == 204
    assert follow(down, world.other_employee, rid).status_code == 204
