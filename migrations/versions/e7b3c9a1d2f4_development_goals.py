"""goal: development goals a manager saves from the plan of their report

Each goal belongs to one participation and aims at one statement or one leg of the
round's framework, so a follow-up survey can ask about exactly these statements.

Revision ID: e7b3c9a1d2f4
Revises: c41d2e7a9b10
Create Date: 2026-12-02 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3c9a1d2f4'
down_revision = 'c41d2e7a9b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'goal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.Column('leg_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('target_date', sa.Date(), nullable=False),
        sa.Column('shared', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            '(statement_id IS NULL) <> (leg_id IS NULL)', name=op.f('ck_goal_statement_or_leg')
        ),
        sa.ForeignKeyConstraint(
            ['leg_id'], ['leg.id'], name=op.f('fk_goal_leg_id_leg'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['participant_id'], ['participant.id'],
            name=op.f('fk_goal_participant_id_participant'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['round_id'], ['round.id'], name=op.f('fk_goal_round_id_round'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['statement_id'], ['statement.id'],
            name=op.f('fk_goal_statement_id_statement'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_goal')),
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_leg_id'), ['leg_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_statement_id'), ['statement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_statement_id'))
        batch_op.drop_index(batch_op.f('ix_goal_round_id'))
        batch_op.drop_index(batch_op.f('ix_goal_participant_id'))
        batch_op.drop_index(batch_op.f('ix_goal_leg_id'))

    op.drop_table('goal')
