"""signals: sign-in log / inventory imports, observations and findings

Revision ID: 0005_signals
Revises: 0004_productions
Create Date: 2026-12-07

Adds ``signal_import`` (one per imported exhibit), ``signal_observation`` (sign-ins of an
account from one IP and device, with the first and last line in the exhibit) and
``signal_finding`` (a rule's finding for a subject, open/accepted/dismissed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_signals"
down_revision = "0004_productions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("attributed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signal_import") as batch:
        batch.create_index(batch.f("ix_signal_import_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_signal_import_evidence_id"), ["evidence_id"],
                           unique=False)
    op.create_table(
        "signal_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=200), nullable=False),
        sa.Column("first_line", sa.Integer(), nullable=False),
        sa.Column("last_line", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("network", sa.Text(), nullable=False),
        sa.Column("egress", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["signal_import.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signal_observation") as batch:
        batch.create_index(batch.f("ix_signal_observation_import_id"), ["import_id"],
                           unique=False)
        batch.create_index(batch.f("ix_signal_observation_case_id"), ["case_id"],
                           unique=False)
        batch.create_index(batch.f("ix_signal_observation_subject_id"), ["subject_id"],
                           unique=False)
        batch.create_index("ix_signal_observation_ip", ["ip"], unique=False)
        batch.create_index("ix_signal_observation_device", ["device_id"], unique=False)
    op.create_table(
        "signal_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("redflag_item", sa.String(length=128), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("exhibits", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["signal_import.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "subject_id", "rule", "key",
                            name="uq_signal_finding_key"),
    )
    with op.batch_alter_table("signal_finding") as batch:
        batch.create_index(batch.f("ix_signal_finding_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_signal_finding_subject_id"), ["subject_id"],
                           unique=False)


def downgrade() -> None:
    op.drop_table("signal_finding")
    op.drop_table("signal_observation")
    op.drop_table("signal_import")
