"""vocabulary checks: a device's platform and a policy's priority come from their tuples

Revision ID: 0009_vocabulary_checks
Revises: 0008_storage_outbox
Create Date: 2026-11-22 09:00:00.000000

The other vocabulary columns (role, language, request status and priority, delivery
status) were checked from the start; the models now build every such CHECK from the
tuple the schemas validate with (``service_app.database.one_of``). The literals below
are those tuples as of this revision: a migration must not change when the code does.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_vocabulary_checks'
down_revision = '0008_storage_outbox'
branch_labels = None
depends_on = None


def upgrade():
    # batch_alter_table: SQLite cannot add a constraint to an existing table, so the
    # table is copied there; PostgreSQL gets a plain ALTER TABLE.
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_devices_platform'), "platform IN ('android', 'ios', 'web')")
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_sla_policies_priority'), "priority IN ('low', 'normal', 'high', 'urgent')")


def downgrade():
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sla_policies_priority'), type_='check')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_devices_platform'), type_='check')
