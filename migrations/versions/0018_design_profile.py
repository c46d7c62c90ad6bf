"""design profile: a practice's answers to the reports' design prompts, and their translations

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:00:00

One nullable column per prompt (app.models.design.PROMPTS, frozen here as they were), on
``practice`` and on ``practice_translation``. Existing practices have answered none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROMPTS = (
    "design_why",
    "design_who",
    "design_how",
    "design_effect",
    "design_where",
    "design_when",
    "design_needs",
    "design_access",
    "design_safe_space",
    "design_sustainability",
    "design_strengths",
    "design_skills",
    "design_common_goal",
    "design_partners",
    "design_capacity",
    "design_adapts",
    "contact_equal_status",
    "contact_common_goals",
    "contact_institutional_support",
    "contact_common_humanity",
    "pitfall_one_size",
    "pitfall_stereotyping",
    "pitfall_media",
    "pitfall_skills",
    "pitfall_evaluation",
    "pitfall_coordination",
    "pitfall_funding",
    "pitfall_political_correctness",
    "pitfall_participation",
)
TABLES = ("practice", "practice_translation")


def upgrade() -> None:
    # Plain nullable ADD COLUMNs: SQLite adds them in place, as PostgreSQL does.
    for table in TABLES:
        for name in PROMPTS:
            column = sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
            op.add_column(table, column)


def downgrade() -> None:
    for table in TABLES:
        for name in reversed(PROMPTS):
            op.drop_column(table, name)  # SQLite 3.35+ drops in place
