"""sync: each change-log row keeps its request's visibility keys

Revision ID: 0025_sync_visibility_keys
Revises: 0024_category_discoverable
Create Date: 2026-12-06 02:00:00.000000

A row of ``sync_changes`` about a request keeps the request's author, assignee, office
and department as they are after the change (``service_app.changes``), indexed with the
transaction id, so a sync reads only the rows of the caller's own keys
(``service_requests.mobile.sync``); ``keyed`` says a row has them.

Existing rows are not filled in: a cursor issued before this release answers 410
``sync_expired`` (its fingerprint names the way its window was read), and the phone syncs
from scratch once, which costs what the caller sees, not what the company changed. So no
cursor ever reads a row from before the keys, and the migration takes seconds whatever the
size of the log: filling 1,450,000 rows from the requests took 31 s in one ``UPDATE ... FROM``
and the indexes over the filled table 4 s each, a minute during which every write (each
commit writes to this table) would wait on the migration's lock. The key indexes are partial
over rows that have the key, so the old rows are not in them either; they are purged after
``SYNC_CURSOR_DAYS`` (30) and a day. Rows that a process of the previous release writes while
a deploy is under way, after this migration, have no keys (``keyed`` false): a sync reads those
through the request, as before, found by a small partial index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_sync_visibility_keys'
down_revision = '0024_category_discoverable'
branch_labels = None
depends_on = None

KEYS = ('author_id', 'assignee_id', 'office_id', 'department_code')
# (index, columns, partial over)
INDEXES = (
    ('ix_sync_changes_user_txid', ['user_id', 'txid'], 'user_id IS NOT NULL'),
    ('ix_sync_changes_author_txid', ['author_id', 'txid'], 'author_id IS NOT NULL'),
    ('ix_sync_changes_assignee_txid', ['assignee_id', 'txid'], 'assignee_id IS NOT NULL'),
    ('ix_sync_changes_office_txid', ['office_id', 'txid'], 'office_id IS NOT NULL'),
    ('ix_sync_changes_department_txid', ['department_code', 'txid'], 'department_code IS NOT NULL'),
    ('ix_sync_changes_before_author_txid', ['before_author_id', 'txid'], 'moved'),
    ('ix_sync_changes_before_assignee_txid', ['before_assignee_id', 'txid'], 'moved'),
    ('ix_sync_changes_before_office_txid', ['before_office_id', 'txid'], 'moved'),
    ('ix_sync_changes_before_department_txid', ['before_department_code', 'txid'], 'moved'),
    ('ix_sync_changes_unkeyed_txid', ['txid'], 'NOT keyed AND request_id IS NOT NULL'),
)


def upgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('department_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('keyed', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        for name, columns, where in INDEXES:
            batch_op.create_index(name, columns, unique=False, postgresql_where=sa.text(where),
                                  sqlite_where=sa.text(where))


def downgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        for name, _, _ in reversed(INDEXES):
            batch_op.drop_index(name)
        batch_op.drop_column('keyed')
        for column in reversed(KEYS):
            batch_op.drop_column(column)
