"""One default SLA policy per priority

The unique constraint on (priority, category_code) never applied to default
policies: NULLs are distinct in both PostgreSQL and SQLite, so two concurrent
PUTs could store two defaults for one priority. A partial unique index closes
that gap and gives the upsert a conflict target. Duplicates already stored are
reduced to the newest row first.

Revision ID: 0007_sla_default_unique
Revises: 0006_audit_details
Create Date: 2026-11-22 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_sla_default_unique'
down_revision = '0006_audit_details'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM sla_policies WHERE category_code IS NULL AND id NOT IN "
               "(SELECT MAX(id) FROM sla_policies WHERE category_code IS NULL GROUP BY priority)")
    op.create_index('uq_sla_policies_default_priority', 'sla_policies', ['priority'], unique=True,
                    postgresql_where=sa.text('category_code IS NULL'),
                    sqlite_where=sa.text('category_code IS NULL'))


def downgrade():
    op.drop_index('uq_sla_policies_default_priority', table_name='sla_policies')
