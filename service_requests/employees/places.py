"""The office a place names: what the app's "before you submit" screens (similar requests,
notices) show is that office's.

One rule for both, the one a new request from there is routed by (``offices.service.route_request``):
a room's QR tag (``qr_token``) names its office (``offices.rooms.tag_room``: 404 for an unknown tag,
422 with another ``office_id``); else ``lat``/``lon`` by geofence, else ``office_id``, else the
caller's home office. Where nothing matches, ``similar`` refuses (422 ``office_required``: it is
asked about one office), while a list of notices is no reason to refuse (``required=False``: None).
"""
from offices.rooms import tag_room
from offices.service import route_request
from service_app.errors import ApiError


def place_office_id(user, *, office_id=None, lat=None, lon=None, qr_token=None, required=True):
    if qr_token:
        return tag_room(qr_token, office_id).office_id
    try:
        routed, office = route_request(lat, lon, office_id=office_id, home_office_id=user.office_id)
    except ApiError as exc:
        if required or exc.code != "office_required":
            raise
        return None
    return office.id if office is not None else routed.office_id
