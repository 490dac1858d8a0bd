"""A logged-in user's working session: who, which roles, which declared purpose.

Created only by workbench.services.session.login, which authenticates and logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rlwb.workbench.audit.events import Actor
from rlwb.workbench.errors import SessionEndReason
from rlwb.workbench.permissions import Role
from rlwb.workbench.workspace import Workspace

#: Purposes of use offered to the clerk; free text is accepted too.
STANDARD_PURPOSES: tuple[str, ...] = (
    "国保税算定",
    "扶養認定確認",
    "適用調査",
    "所得照会",
    "監査対応",
)


@dataclass
class Session:
    workspace: Workspace
    user: str
    roles: tuple[Role, ...]
    started_at: datetime
    last_activity: datetime
    purpose: str | None = None
    locked: bool = False
    closed: bool = False
    must_change_password: bool = False
    #: Why authorize() ended the session.
    ended_reason: SessionEndReason | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return Actor(self.user, tuple(r.value for r in self.roles))
