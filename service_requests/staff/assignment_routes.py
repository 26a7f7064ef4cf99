"""Assignment rules (per office and department) and the staff's own availability."""
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.vocabulary import STAFF_ROLES

from . import assignment
from .schemas import AvailabilitySchema, RuleListSchema, RuleSchema, RuleUpdateSchema

blp = Blueprint("assignment", __name__, url_prefix="/api/v1", description="Auto-assignment rules and availability")



@blp.route("/assignment-rules", methods=["GET"])
@blp.doc(operationId="listAssignmentRules")
@blp.login_required(*STAFF_ROLES)
@blp.response(200, RuleListSchema)
def list_rules():
    """The assignment rules of the offices and departments in your scope"""
    return assignment.list_rules(current_user)


@blp.route("/assignment-rules/<int:office_id>/<string:department>", methods=["PUT"])
@blp.doc(operationId="setAssignmentRule")
@blp.login_required("administrator")
@blp.arguments(RuleUpdateSchema)
@blp.response(200, RuleSchema)
@blp.errors(404)
def put_rule(data, office_id, department):
    """Set how new requests of an office and department are assigned (your scope must cover both)

    An unknown office or department answers 404; a pool member who is not active staff
    covering the office and department, a member listed twice, or an empty pool for
    `round_robin` / `least_open` answers 422, naming the member, and changes nothing.
    """
    return assignment.put_rule(current_user, office_id, department, data)


@blp.route("/me/availability", methods=["PUT"])
@blp.doc(operationId="setMyAvailability")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(AvailabilitySchema)
@blp.response(204)
def put_availability(data):
    """Say whether auto-assignment may give you new requests (`until`: back from then on)"""
    assignment.set_availability(current_user, data)
