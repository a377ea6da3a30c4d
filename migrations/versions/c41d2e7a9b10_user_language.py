"""user.language: the language an account chose with the switch on every page

Empty until the user chooses; pages then follow the person's language, and else the
browser's.

Revision ID: c41d2e7a9b10
Revises: 4c1f2a9d7b3e
Create Date: 2026-12-02 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d2e7a9b10'
down_revision = '4c1f2a9d7b3e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('language')
