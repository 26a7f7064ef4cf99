"""users: index of the active staff

Revision ID: 0012_users_active_staff_index
Revises: 0011_sync_changes
Create Date: 2026-12-04 21:00:00.000000

A new request notifies the active administrators and managers whose scope covers
it, found by one query (``access.covers_condition``). This partial index holds
only active staff, so that query reads them without scanning the employees.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_users_active_staff_index'
down_revision = '0011_sync_changes'
branch_labels = None
depends_on = None

ACTIVE_STAFF = "is_active IS true AND role IN ('administrator', 'manager')"


def upgrade():
    op.create_index('ix_users_active_staff', 'users', ['id'], unique=False,
                    postgresql_where=sa.text(ACTIVE_STAFF), sqlite_where=sa.text(ACTIVE_STAFF))


def downgrade():
    op.drop_index('ix_users_active_staff', table_name='users')
