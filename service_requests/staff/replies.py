"""Canned replies: ready answers staff post on a request in one step, with optional actions.

A reply is its owner's own unless ``shared``: shared replies are offered to all
staff and only administrators make, change or remove them. Another person's own
reply is not found (404), like a request one may not see.

Applying a reply is one change: the comment (an internal note when the reply says
so) and its actions (``assign_to_me``, ``priority``, ``status``) are written in one
transaction by the same service functions a single call uses, or nothing is. The
body is posted in the language of the request's author, who reads it (a language
the reply lacks falls back as ``service_app.vocabulary.in_language`` says), with ``{number}``, ``{title}``,
``{author_name}`` and ``{office}`` filled in; a reply that its values fill past the
longest comment (``COMMENT_CHARS``) is refused (422) rather than posted. A public reply that moves the status is
that move's reason, so its readers get one notification, not two.

Followers read the comment too, and must never learn who the author is (PRIVACY.md P18): a body
with ``{author_name}`` is filled a second time with a neutral word for a person in the same
language ("коллега", "әріптес", "colleague": the ``requests`` texts), capitalised where it starts a
sentence, and kept as the comment's ``follower_body``, which every follower's reading path shows
(``history.follower_body``).
"""
import re

import sqlalchemy as sa

from service_app.catalogues import Domain
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.vocabulary import DEFAULT_LANGUAGE, LANGUAGES, in_language

from service_requests import access
from service_requests.history import Event
from service_requests.lifecycle import comments, status as lifecycle, edits as triage
from service_requests.models import COMMENT_CHARS
from .models import Reply

TEXTS = Domain("requests")
NOT_FOUND = "reply not found"
PLACEHOLDERS = ("number", "title", "author_name", "office")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
# Where a sentence starts: the text's start, or after . ! ? … and a space, or a new line.
_SENTENCE_START = re.compile(r"(?:\A|[.!?…]\s+|\n\s*)\Z")


def neutral_name(language):
    """The word that stands for the author's name in what followers read, in ``language``."""
    return TEXTS.speaking(language).pgettext("a person, in place of their name", "colleague")


def fill(text, req, language, *, for_followers=False):
    """The placeholders of ``text`` filled from ``req`` in one pass (other braces stay as written): a
    placeholder inside a filled value, such as a title reading ``{author_name}``, stays as written.

    ``for_followers``: ``{author_name}`` is filled with :func:`neutral_name` (capitalised where it
    starts a sentence) rather than the author's name."""
    values = {"number": req.number, "title": req.title, "author_name": req.author.full_name,
              "office": in_language(req.office.name, language)}
    neutral = neutral_name(language) if for_followers else None

    def value(found):
        if neutral is not None and found.group(1) == "author_name":
            starts = _SENTENCE_START.search(found.string, 0, found.start()) is not None
            return neutral[:1].upper() + neutral[1:] if starts else neutral
        return values[found.group(1)] or ""

    return _PLACEHOLDER.sub(value, text)


def list_replies(user):
    """The caller's own replies and the shared ones: shared first, each group in the order made."""
    stmt = (sa.select(Reply).where(access.own_or_shared_condition(Reply, user))
            .options(sa.orm.joinedload(Reply.owner))  # each owner with its reply, not one query per owner
            .order_by(Reply.shared.desc(), Reply.id))
    return list(db.session.scalars(stmt))


def get_usable_reply(user, reply_id):
    """A reply ``user`` may read and apply: shared, or their own; 404 otherwise."""
    reply = db.session.get(Reply, reply_id)
    if reply is None or not access.may_use(user, reply):
        raise ApiError(404, "not_found", NOT_FOUND)
    return reply


def _require_may_share(user):
    if not access.may_share(user):
        raise ApiError(403, "forbidden", "only administrators manage shared replies")


def create_reply(user, data):
    if data.get("shared"):
        _require_may_share(user)
    reply = Reply(owner_id=user.id, title=data["title"], body=data["body"], internal=data.get("internal", False),
                  actions=data.get("actions") or {}, shared=data.get("shared", False))
    db.session.add(reply)
    db.session.commit()
    return reply


def get_editable_reply(user, reply_id):
    """A reply ``user`` may change: their own, or a shared one when an administrator."""
    reply = get_usable_reply(user, reply_id)
    if reply.shared:
        _require_may_share(user)
    return reply


def update_reply(user, reply_id, data):
    reply = get_editable_reply(user, reply_id)
    if data.get("shared"):
        _require_may_share(user)
    for field, value in data.items():
        setattr(reply, field, value if field != "actions" else (value or {}))
    db.session.commit()
    return reply


def delete_reply(user, reply_id):
    db.session.delete(get_editable_reply(user, reply_id))
    db.session.commit()


def apply_reply(user, req, reply, if_match=None, *, commit=True):
    """Post ``reply`` on ``req`` and apply its actions as one change (``commit=False``: the caller commits).

    The order: the comment (409 on a final request), the assignment, the priority, then the
    status move (which may make the request final). Any refusal raises before the commit, and
    the caller's transaction (or savepoint) is rolled back, so nothing of it is written.
    """
    triage.check_etag(user, req, if_match, required=False)
    actions = reply.actions or {}
    language = req.author.language if req.author is not None else DEFAULT_LANGUAGE
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = in_language(reply.body, language)
    body = fill(template, req, language)
    if len(body) > COMMENT_CHARS:
        raise ApiError(422, "validation_error", f"body: longer than {COMMENT_CHARS} characters once filled in",
                       {"body": [f"longer than {COMMENT_CHARS} characters once filled in"]})
    moves = actions.get("status") is not None
    comment = comments.post_comment(user, req, body, reply.internal, commit=False,
                                    part_of=Event.STATUS_CHANGED.value if moves and not reply.internal else None,
                                    follower_body=fill(template, req, language, for_followers=True))
    if actions.get("assign_to_me"):
        triage.assign(user, req, user.id)
    if actions.get("priority") is not None:
        triage.apply_update(user, req, {"priority": actions["priority"]})
    if moves:
        lifecycle.change_status(user, req, actions["status"], posted=None if reply.internal else comment)
    if commit:
        db.session.commit()
    return req
