"""category forms

Revision ID: 0021_category_forms
Revises: 0020_following_and_merging
Create Date: 2026-12-05 01:15:00

A category gains ``fields``, its form (a JSON list of field definitions, empty for
every existing category); a request gains the answers, ``fields`` (those its author
sees) and ``staff_fields`` (those of staff-only fields), JSON objects, empty for every
existing request.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_category_forms'
down_revision = '0020_following_and_merging'
branch_labels = None
depends_on = None


def upgrade():
    # Added natively (SQLite adds a NOT NULL column with a constant default in place): a batch
    # rebuild of service_requests would lose the expression indexes it cannot reflect.
    op.add_column('categories', sa.Column('fields', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('service_requests', sa.Column('fields', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    op.add_column('service_requests',
                  sa.Column('staff_fields', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade():
    # Dropped natively (SQLite 3.35+ drops a column in place): a batch rebuild of service_requests
    # would lose the expression indexes autogenerate cannot reflect.
    op.drop_column('service_requests', 'staff_fields')
    op.drop_column('service_requests', 'fields')
    op.drop_column('categories', 'fields')
