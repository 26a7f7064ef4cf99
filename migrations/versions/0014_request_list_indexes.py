"""request list: indexes for the staff filters and the updated / due sorts

Revision ID: 0014_request_list_indexes
Revises: 0013_reports_office_created
Create Date: 2026-12-05 00:45:00.000000

- ``(assignee_id, created_at, id)`` replaces the index on ``assignee_id`` alone: "assigned to me",
  "to nobody" (``IS NULL``) newest first, without sorting.
- ``(updated_at, id)``: ``sort=updated`` and ``updated_since``.
- ``(due key, id)``: ``sort=due``. The due key is the nearest deadline whose clock runs, or a
  stand-in far in the future; the expression must stay exactly the one
  ``service_requests.models.due_key`` writes, or the list stops using it.

Office, status and author filters already have their indexes (``office_created``,
``office_status``, ``author_created``); category, priority and ``sla`` are filtered along the
created order (an index for ``sla=breached`` was tried: PostgreSQL does not use it under the
list's OR of flags and deadlines, so it would only cost writes). Plans at 100,000 requests on
PostgreSQL: docs/list-plans.md.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_request_list_indexes'
down_revision = '0013_reports_office_created'
branch_labels = None
depends_on = None

NEVER = {"postgresql": "'9999-12-31 00:00:00+00'", "sqlite": "'9999-12-31 00:00:00.000000'"}
DUE_KEY = ("coalesce(CASE WHEN (status = 'new' AND first_response_at IS NULL AND response_due_at < resolution_due_at) "
           "THEN response_due_at WHEN (status IN ('new', 'in_progress')) THEN resolution_due_at END, {never})")


def upgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index('ix_service_requests_assignee_id', table_name='service_requests')
    op.create_index('ix_service_requests_assignee_created', 'service_requests', ['assignee_id', 'created_at', 'id'])
    op.create_index('ix_service_requests_updated_id', 'service_requests', ['updated_at', 'id'])
    op.create_index('ix_service_requests_due_id', 'service_requests',
                    [sa.text(DUE_KEY.format(never=NEVER.get(dialect, NEVER["sqlite"]))), 'id'])


def downgrade():
    op.drop_index('ix_service_requests_due_id', table_name='service_requests')
    op.drop_index('ix_service_requests_updated_id', table_name='service_requests')
    op.drop_index('ix_service_requests_assignee_created', table_name='service_requests')
    op.create_index('ix_service_requests_assignee_id', 'service_requests', ['assignee_id'])
