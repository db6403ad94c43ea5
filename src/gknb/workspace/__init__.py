"""The review workspace: accounts and API tokens, the report list, corrections and reviews, on top of
the store's public API (``workspace.service``; what makes a correction safe: ``workspace.corrections``;
the reviewer's workflow — assignments, my queue, bulk review, 上一份/下一份, failed reads: ``workspace.assign``;
drafting and 备案: ``workspace.drafts``)."""

from __future__ import annotations

from .corrections import OutOfScope, StaleCorrection
from .service import (
    META_FIELDS,
    REVIEW_STATUSES,
    ROLES,
    Listing,
    User,
    Workspace,
    WorkspaceError,
    check_region,
    parse_value,
    review_label,
)

__all__ = ["META_FIELDS", "REVIEW_STATUSES", "ROLES", "Listing", "OutOfScope", "StaleCorrection", "User", "Workspace",
           "WorkspaceError", "check_region", "parse_value", "review_label"]
