"""requests: search documents and their indexes

Revision ID: 0015_request_search
Revises: 0014_request_list_indexes
Create Date: 2026-12-05 00:30:00.000000

``q`` on the request list searches two normalised documents kept on each request
(``service_requests.search``): ``search_text`` (title, description, public
comments) and ``search_internal`` (internal notes). Existing requests get theirs
here, in batches. On PostgreSQL the ``pg_trgm`` extension is created and each
document gets two GIN indexes: its Russian text-search vector (with statistics of
1000 instead of 100) and its trigrams; those of ``search_internal`` are partial,
over the requests that have internal notes.
The downgrade leaves the extension in place (other objects may use it).
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_request_search'
down_revision = '0014_request_list_indexes'
branch_labels = None
depends_on = None

COLUMNS = ('search_text', 'search_internal')
MAX_CHARS = 100_000
BATCH = 1000
# Statistics kept of the text-search vectors: a word missing from them is estimated as rare as the
# rarest one kept, so more of them let the planner tell a rare word from a common one.
STATISTICS = 1000

requests = sa.table('service_requests', sa.column('id', sa.Integer), sa.column('title', sa.Text),
                    sa.column('description', sa.Text), sa.column('search_text', sa.Text),
                    sa.column('search_internal', sa.Text))
comments = sa.table('comments', sa.column('id', sa.Integer), sa.column('request_id', sa.Integer),
                    sa.column('body', sa.Text), sa.column('internal', sa.Boolean))


def upgrade():
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=''))
    back_fill(op.get_bind())
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for column in COLUMNS:
            where = f" WHERE {column} <> ''" if column == 'search_internal' else ''
            op.execute(f"CREATE INDEX ix_service_requests_{column}_russian ON service_requests "
                       f"USING gin (to_tsvector('russian'::regconfig, {column})){where}")
            op.execute(f"ALTER INDEX ix_service_requests_{column}_russian ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
            op.execute(f"CREATE INDEX ix_service_requests_{column}_trigrams ON service_requests "
                       f"USING gin ({column} gin_trgm_ops){where}")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for column in COLUMNS:
            op.execute(f"DROP INDEX ix_service_requests_{column}_trigrams")
            op.execute(f"DROP INDEX ix_service_requests_{column}_russian")
    # Native DROP COLUMN (SQLite 3.35+): batch mode would rebuild the table on SQLite, and a rebuilt
    # table loses 0014's expression index (batch mode cannot reflect it).
    for column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE service_requests DROP COLUMN {column}')


def normalise(text):
    """As ``service_requests.search.normalise`` was when this revision was written."""
    return unicodedata.normalize('NFKC', text or '').lower().replace('ё', 'е')


def document(parts):
    return normalise('\n'.join(part for part in parts if part))[:MAX_CHARS]


def back_fill(conn):
    """Every request's documents, BATCH requests at a time in id order (comments in their order)."""
    last = 0
    while True:
        rows = conn.execute(sa.select(requests.c.id, requests.c.title, requests.c.description)
                            .where(requests.c.id > last).order_by(requests.c.id).limit(BATCH)).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        said = {request_id: {False: [], True: []} for request_id in ids}
        for row in conn.execute(sa.select(comments.c.request_id, comments.c.body, comments.c.internal)
                                .where(comments.c.request_id.in_(ids))
                                .order_by(comments.c.request_id, comments.c.id)):
            said[row.request_id][bool(row.internal)].append(row.body)
        conn.execute(
            requests.update().where(requests.c.id == sa.bindparam('request_id'))
            .values(search_text=sa.bindparam('text'), search_internal=sa.bindparam('internal')),
            [{'request_id': row.id, 'text': document([row.title, row.description, *said[row.id][False]]),
              'internal': document(said[row.id][True])} for row in rows])
        last = ids[-1]
