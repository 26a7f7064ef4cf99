"""search: a stored text-search vector, a vocabulary for misspelt words, bounded documents

Revision ID: 0027_search_bounds
Revises: 0026_refresh_reuse_grace
Create Date: 2026-12-08 02:00:00.000000

What ``q`` costs no longer depends on the words asked or on how long a request's
conversation is (``service_requests.search`` says how):

- Each document keeps at most 10,000 characters (it was 100,000): longer ones are cut here.
- PostgreSQL: ``search_vector``, the Russian text-search vector of ``search_text``, is a
  stored generated column with its GIN index (statistics of 1000), so no search computes
  ``to_tsvector`` row by row; the expression index it replaces goes.
- PostgreSQL: ``search_words``, every word (letters only, 3 to 64 of them) of the
  documents, with a trigram index: a misspelt word of ``q`` is compared with these words, no
  longer with every document, so the trigram indexes of the documents go. A trigger on
  ``service_requests`` adds the words of each document written; ``search_words_of(text)``
  is the one definition of a word (the trigger, the back-fill here and the retention run,
  which forgets the words no document holds any more).
- PostgreSQL: ``search_matches(query, with_internal, lim)``: at most ``lim`` ids of the requests
  whose public document (and, when ``with_internal``, internal notes) match, always read from
  the GIN indexes (its planner settings rule out walking the table or another index).

SQLite has ``search_words`` (unused: its search is a substring match) and a plain
``search_vector`` column, always null.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_search_bounds'
down_revision = '0026_refresh_reuse_grace'
branch_labels = None
depends_on = None

MAX_CHARS = 10_000
STATISTICS = 1000

requests = sa.table('service_requests', sa.column('search_text', sa.Text), sa.column('search_internal', sa.Text))

WORDS_OF = """
CREATE FUNCTION search_words_of(document text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT DISTINCT token FROM ts_parse('default', document)
  WHERE tokid IN (1, 2, 10, 11) AND char_length(token) BETWEEN 3 AND 64
$$
"""
# Token types of the default parser: 1 asciiword, 2 word, 10 hword_part, 11 hword_asciipart (letters only).

KEEP_WORDS = """
CREATE FUNCTION service_requests_keep_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- In the words' order, so that two writers adding the same new words never wait on each other in a cycle.
  INSERT INTO search_words (word)
    SELECT w FROM search_words_of(NEW.search_text || ' ' || NEW.search_internal) w ORDER BY w
    ON CONFLICT (word) DO NOTHING;
  RETURN NULL;
END
$$
"""

KEEP_WORDS_TRIGGER = """
CREATE TRIGGER service_requests_keep_search_words
AFTER INSERT OR UPDATE OF search_text, search_internal ON service_requests
FOR EACH ROW EXECUTE FUNCTION service_requests_keep_search_words()
"""

MATCHES = """
CREATE FUNCTION search_matches(query tsquery, with_internal boolean, lim integer)
RETURNS TABLE (request_id integer, is_internal boolean)
LANGUAGE sql STABLE
SET enable_seqscan = off SET enable_indexscan = off SET enable_indexonlyscan = off
AS $$
  (SELECT r.id, false FROM service_requests r WHERE r.search_vector @@ query LIMIT lim)
  UNION ALL
  (SELECT r.id, true FROM service_requests r
   WHERE with_internal AND r.search_internal <> ''
     AND to_tsvector('russian'::regconfig, r.search_internal) @@ query LIMIT lim)
$$
"""


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for column in (requests.c.search_text, requests.c.search_internal):
        op.execute(requests.update().where(sa.func.length(column) > MAX_CHARS)
                   .values({column: sa.func.substr(column, 1, MAX_CHARS)}))
    op.create_table('search_words',
                    sa.Column('word', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words')))
    if not postgresql:
        op.add_column('service_requests', sa.Column('search_vector', sa.Text(), nullable=True))
        return
    op.execute("DROP INDEX ix_service_requests_search_text_trigrams")
    op.execute("DROP INDEX ix_service_requests_search_internal_trigrams")
    op.execute("DROP INDEX ix_service_requests_search_text_russian")
    op.execute("ALTER TABLE service_requests ADD COLUMN search_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, search_text)) STORED")
    op.execute(f"ALTER TABLE service_requests ALTER COLUMN search_vector SET STATISTICS {STATISTICS}")
    op.execute("CREATE INDEX ix_service_requests_search_vector ON service_requests USING gin (search_vector)")
    op.execute(WORDS_OF)
    op.execute("INSERT INTO search_words (word) SELECT DISTINCT w FROM service_requests, "
               "search_words_of(search_text || ' ' || search_internal) w")
    # No pending list: a new word goes straight into the index, which no search then has to read through.
    op.execute("CREATE INDEX ix_search_words_trigrams ON search_words USING gin (word gin_trgm_ops) "
               "WITH (fastupdate = off)")
    op.execute(KEEP_WORDS)
    op.execute(KEEP_WORDS_TRIGGER)
    op.execute(MATCHES)
    op.execute("ANALYZE service_requests")
    op.execute("ANALYZE search_words")


def downgrade():
    # The documents cut to MAX_CHARS stay cut (their words beyond it are not searchable).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION search_matches(tsquery, boolean, integer)")
        op.execute("DROP TRIGGER service_requests_keep_search_words ON service_requests")
        op.execute("DROP FUNCTION service_requests_keep_search_words()")
        op.execute("DROP FUNCTION search_words_of(text)")
        op.execute("DROP INDEX ix_service_requests_search_vector")
        op.execute("CREATE INDEX ix_service_requests_search_text_russian ON service_requests "
                   "USING gin (to_tsvector('russian'::regconfig, search_text))")
        op.execute(f"ALTER INDEX ix_service_requests_search_text_russian ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
        op.execute("CREATE INDEX ix_service_requests_search_text_trigrams ON service_requests "
                   "USING gin (search_text gin_trgm_ops)")
        op.execute("CREATE INDEX ix_service_requests_search_internal_trigrams ON service_requests "
                   "USING gin (search_internal gin_trgm_ops) WHERE search_internal <> ''")
    # Native DROP COLUMN (SQLite 3.35+), as 0015's downgrade: batch mode would lose 0014's expression index.
    op.execute('ALTER TABLE service_requests DROP COLUMN search_vector')
    op.drop_table('search_words')
