"""Devices that receive pushes, and the notification feed."""
from flask.views import MethodView
from flask_jwt_extended import current_user, get_jwt

from service_app.api import Blueprint

from . import service
from .schemas import DeviceOutSchema, DeviceSchema, NotificationListArgsSchema, NotificationPageSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Devices and notifications")


@blp.route("/devices", methods=["POST"])
@blp.doc(operationId="registerDevice")
@blp.login_required()
@blp.arguments(DeviceSchema)
@blp.response(201, DeviceOutSchema)
@blp.alt_response(200, schema=DeviceOutSchema, description="the token was already registered")
def register_device(data):
    """Register this phone's push token for this sign-in (it moves to you if someone else had it)

    The device receives pushes while this sign-in lasts: after a logout, a password reset or change,
    or a deactivation, it receives nothing until it is registered again after signing in.
    """
    device, created = service.register_device(current_user, data, get_jwt()["sid"])
    return device, 201 if created else 200


@blp.route("/devices/<path:token>", methods=["DELETE"])
@blp.doc(operationId="unregisterDevice")
@blp.login_required()
@blp.response(204)
def remove_device(token):
    """Stop pushes to this token"""
    service.remove_device(current_user, token)


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.doc(operationId="listNotifications")
    @blp.login_required()
    @blp.arguments(NotificationListArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """Your notifications, newest first"""
        return service.list_notifications(current_user, args)


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.doc(operationId="markNotificationRead")
@blp.login_required()
@blp.response(204)
@blp.errors(404)
def mark_read(notification_id):
    """Mark one notification read"""
    service.mark_read(current_user, notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@blp.doc(operationId="markAllNotificationsRead")
@blp.login_required()
@blp.response(204)
def mark_all_read():
    """Mark every notification read"""
    service.mark_all_read(current_user)
