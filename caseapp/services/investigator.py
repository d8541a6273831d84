"""The investigator profile: who works in this store (name, organisation, role, badge or
employee id). Kept encrypted in the store (``store_meta``); once set, audit entries, custody
events and exhibits record the investigator's name as the actor, with the OS account beside it
(``os_account`` in each audit entry), and exports default "prepared by" to it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from caseapp.domain.models import StoreMeta
from caseapp.domain.text import clean_line
from caseapp.security import audit
from caseapp.services.errors import InvalidInput

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace

PROFILE_KEY = "investigator_profile"


@dataclass(frozen=True)
class Profile:
    """The person using the store."""

    name: str
    organisation: str = ""
    role: str = ""
    badge: str = ""  # badge or employee id, optional

    @property
    def actor(self) -> str:
        """How audit entries and custody events name the investigator."""
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    def to_json(self) -> dict[str, str]:
        return {**asdict(self), "actor": self.actor, "os_account": audit.os_account()}


def get_profile(ws: Workspace) -> Profile | None:
    """The store's investigator profile, None until one is set."""
    with ws.session() as session:
        row = session.get(StoreMeta, PROFILE_KEY)
    if row is None:
        return None
    try:
        data = json.loads(row.value)
        return Profile(**{k: str(data.get(k, "")) for k in ("name", "organisation", "role",
                                                             "badge")})
    except (ValueError, TypeError):
        return None


def set_profile(ws: Workspace, name: str, *, organisation: str = "", role: str = "",
                badge: str = "") -> Profile:
    """Set (or change) the profile, audited; the new name is the actor from then on."""
    profile = Profile(clean_line(name), clean_line(organisation), clean_line(role),
                      clean_line(badge))
    if not profile.name:
        raise InvalidInput("The investigator profile needs a name.")
    with ws.transaction() as session:
        row = session.get(StoreMeta, PROFILE_KEY)
        value = json.dumps(asdict(profile), ensure_ascii=False, sort_keys=True)
        if row is None:
            session.add(StoreMeta(key=PROFILE_KEY, value=value))
        else:
            row.value = value
            session.add(row)
        audit.append(session, "investigator.profile-set", "store", ws.store_id,
                     {**asdict(profile), "os_account": audit.os_account()},
                     actor=profile.actor)
    apply_profile(ws, profile)
    return profile


def apply_profile(ws: Workspace, profile: Profile | None = None) -> Profile | None:
    """Make the store's profile (read when not given) the actor of what follows."""
    profile = profile if profile is not None else get_profile(ws)
    audit.set_actor(profile.actor if profile else None)
    return profile


def os_account() -> str:
    """The OS account running caseapp (recorded beside the investigator's name)."""
    return audit.os_account()
