"""reports: an index on (office_id, created_at, id)

Revision ID: 0013_reports_office_created
Revises: 0012_users_active_staff_index
Create Date: 2026-12-04 21:30:00.000000

Reports, the dashboard and the request list filtered by office read the requests
of some offices created in a period: this index gives them that range per office
(and the list its newest-first order within an office) instead of the whole
period's rows of every office.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_reports_office_created'
down_revision = '0012_users_active_staff_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_service_requests_office_created', 'service_requests', ['office_id', 'created_at', 'id'])


def downgrade():
    op.drop_index('ix_service_requests_office_created', table_name='service_requests')
