"""declines: a rater may decline an invitation, with a reason; HR sees declines counted

invitation.declined_reason is set (with submitted) when the rater declines and erased at
close with the rest of the per-person state; participation_count.declines keeps how many
of a group's answers were declines, per reason.

Revision ID: e7b1c9d4a260
Revises: d7a3f19c2e58
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b1c9d4a260'
down_revision = 'd7a3f19c2e58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_reason', sa.String(length=20), nullable=True))
    with op.batch_alter_table('participation_count', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declines', sa.JSON(), nullable=True))
    op.execute("UPDATE participation_count SET declines = '{}'")
    with op.batch_alter_table('participation_count', schema=None) as batch_op:
        batch_op.alter_column('declines', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('participation_count', schema=None) as batch_op:
        batch_op.drop_column('declines')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('declined_reason')
