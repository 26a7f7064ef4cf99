"""Bulk actions: one staff action on up to 100 requests in one call.

Each item runs through the same service functions a single call uses (``triage``,
``lifecycle``, ``comments``, ``replies``): it succeeds or fails alone, with the error it would
get alone (404 for a request the caller may not see, 409 for a move the status machine
refuses, ...), and writes its own history events. The ``reply`` action's reply is the same for
every item, so a reply the caller may not use refuses the whole call (404) before any item.

Each item is a transaction of its own: it locks its request's row (``FOR UPDATE``, as a single
call does), applies the action, writes its events, feed rows and audit entry, and commits, so
its lock ends with it. A call therefore holds one row lock at a time, for one item's work, and
never waits on, nor makes others wait for, the rest of the call (two calls over the same
requests in different orders cannot deadlock). A failed item is rolled back whole: it writes
nothing (no event, no sync log row, no notification) but its audit entry. The items are not
all-or-nothing, as they never were (API.md: each succeeds or fails alone); what changes is a
call cut short by a failure outside the items (the database gone, the worker stopped): the
items before stay done (each with its history, which is what to read before a retry: a
``comment`` retried whole would be posted twice) and the rest are untouched.

Each person notified gets one push per device for the whole call
(``notifications.outbox.one_push_each``): the feed rows are written with their item, the pushes
of the call after the last item, in a transaction of their own that locks no request; their feed
lists every change. A call cut short writes no pushes; its feed rows stay.

The audit log gets one ``request.bulk`` entry per item, on that request: the
action, whether it was applied, the error code when it was not, and the call's
``batch`` id that ties the entries of one call together. What changed on each
request is in its history.
"""
import uuid

import sqlalchemy as sa

from notifications.outbox import one_push_each
from service_app import audit, i18n
from service_app.errors import ApiError
from service_app.extensions import db

from service_requests.lifecycle import comments, edits as triage
from . import replies
from service_requests.access import get_visible_request
from service_requests.models import ServiceRequest

MAX_ITEMS = 100


def _apply(user, req, action, data, reply):
    if action == "assign":
        triage.assign(user, req, data["assignee_id"])
    elif action == "priority":
        triage.apply_update(user, req, {"priority": data["priority"]})
    elif action == "status":
        triage.move(user, req, {"status": data["status"], "comment": data.get("body")}, None, commit=False)
    elif action == "comment":
        comments.post_comment(user, req, data["body"], data.get("internal", False), commit=False)
    elif action == "reply":
        replies.apply_reply(user, req, reply, commit=False)


def run(user, data):
    """``{"results": [...]}``, one per id in the order given; the caller's checks of the call are done."""
    action = data["action"]
    reply = replies.get_usable_reply(user, data["reply_id"]) if action == "reply" else None
    language = i18n.caller_language()
    results, done, batch_id = [], [], uuid.uuid4().hex
    with one_push_each() as batch:
        for request_id in data["ids"]:
            mark = batch.mark()
            try:
                req = get_visible_request(user, request_id, for_update=True)
                _apply(user, req, action, data, reply)
            except ApiError as error:
                db.session.rollback()
                batch.rollback_to(mark)
                message, _ = i18n.localize(error.message, error.details, language)
                results.append({"id": request_id, "ok": False, "error": {"code": error.code, "message": message}})
                audit.record(user, "request.bulk", "request", request_id,
                             {"action": action, "ok": False, "error": error.code, "batch": batch_id})
            else:
                results.append({"id": request_id, "ok": True, "request": req})
                done.append(request_id)
                audit.record(user, "request.bulk", "request", request_id,
                             {"action": action, "ok": True, "batch": batch_id})
            db.session.commit()  # the item's lock ends here, before the next item starts
    db.session.commit()  # the call's pushes
    if done:  # the changed requests, read back in one query rather than one each as they are written out
        db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.id.in_(done))).all()
    return {"results": results}
