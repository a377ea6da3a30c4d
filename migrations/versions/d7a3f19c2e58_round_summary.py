"""round_summary, statement_tally, leg_tally, round_norm: a round's report figures kept at close

Revision ID: d7a3f19c2e58
Revises: e7b3c9a1d2f4
Create Date: 2026-12-02 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3f19c2e58'
down_revision = 'e7b3c9a1d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'round_summary',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_summary_round_id_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_summary')),
    )
    op.create_table(
        'statement_tally',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('group', sa.String(length=20), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('n_dont_know', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('total_sq', sa.Integer(), nullable=False),
        sa.Column('c1', sa.Integer(), nullable=False),
        sa.Column('c2', sa.Integer(), nullable=False),
        sa.Column('c3', sa.Integer(), nullable=False),
        sa.Column('c4', sa.Integer(), nullable=False),
        sa.Column('c5', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_statement_tally_participant_id_participant'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_statement_tally_round_id_round'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_statement_tally_statement_id_statement'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id', 'statement_id', 'group', name=op.f('pk_statement_tally')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('statement_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_tally_round_id'), ['round_id'], unique=False)
    op.create_table(
        'leg_tally',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('leg_id', sa.Integer(), nullable=False),
        sa.Column('group', sa.String(length=20), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['leg_id'], ['leg.id'], name=op.f('fk_leg_tally_leg_id_leg'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_leg_tally_participant_id_participant'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_leg_tally_round_id_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id', 'leg_id', 'group', name=op.f('pk_leg_tally')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('leg_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leg_tally_round_id'), ['round_id'], unique=False)
    op.create_table(
        'round_norm',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('norm', sa.Double(), nullable=False),
        sa.Column('managers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_norm_round_id_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'kind', 'item_id', name=op.f('pk_round_norm')),
        sqlite_with_rowid=False,
    )


def downgrade():
    op.drop_table('round_norm')
    with op.batch_alter_table('leg_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leg_tally_round_id'))
    op.drop_table('leg_tally')
    with op.batch_alter_table('statement_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_tally_round_id'))
    op.drop_table('statement_tally')
    op.drop_table('round_summary')
