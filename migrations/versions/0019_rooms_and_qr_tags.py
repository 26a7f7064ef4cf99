"""rooms and QR tags

Revision ID: 0019_rooms_and_qr_tags
Revises: 0018_assignment_rules
Create Date: 2026-12-05 01:10:00

Offices gain rooms, each with the one QR tag currently printed on its door (unique,
replaced in place); requests gain ``room_id``, set when filed through a tag.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_rooms_and_qr_tags'
down_revision = '0018_assignment_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('qr_token', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_rooms_office_id_offices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
    sa.UniqueConstraint('office_id', 'code', name='uq_rooms_office_code'),
    sa.UniqueConstraint('qr_token', name=op.f('uq_rooms_qr_token'))
    )
    if op.get_bind().dialect.name == 'sqlite':
        # Native ADD COLUMN with its reference: batch mode would rebuild the table on SQLite, and a
        # rebuilt table loses 0014's expression index (batch mode cannot reflect it).
        op.execute('ALTER TABLE service_requests ADD COLUMN room_id INTEGER '
                   'CONSTRAINT fk_service_requests_room_id_rooms REFERENCES rooms (id)')
    else:
        op.add_column('service_requests', sa.Column('room_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_service_requests_room_id_rooms'), 'service_requests', 'rooms',
                              ['room_id'], ['id'])
    op.create_index(op.f('ix_service_requests_room_id'), 'service_requests', ['room_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_service_requests_room_id'), table_name='service_requests')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_service_requests_room_id_rooms'), 'service_requests', type_='foreignkey')
        op.drop_column('service_requests', 'room_id')
    else:
        # SQLite cannot drop a column that references another table natively: the table is rebuilt,
        # and 0014's expression index, which batch mode cannot reflect, is made again.
        with op.batch_alter_table('service_requests', schema=None) as batch_op:
            batch_op.drop_column('room_id')
        _recreate_due_index()
    op.drop_table('rooms')


DUE_KEY = ("coalesce(CASE WHEN (status = 'new' AND first_response_at IS NULL AND response_due_at < resolution_due_at) "
           "THEN response_due_at WHEN (status IN ('new', 'in_progress')) THEN resolution_due_at END, "
           "'9999-12-31 00:00:00.000000')")


def _recreate_due_index():
    """0014's ``sort=due`` index on SQLite, as 0014 made it."""
    op.execute('DROP INDEX IF EXISTS ix_service_requests_due_id')
    op.create_index('ix_service_requests_due_id', 'service_requests', [sa.text(DUE_KEY), 'id'])
