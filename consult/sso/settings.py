"""Single sign-on settings, read from the environment. Pure: no Flask, no database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

ROLE_ORDER = ("admin", "hr", "reviewer")
"""When a person's groups map to several roles, the first of these wins."""


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    groups_claim: str = "groups"
    role_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Role -> the groups (values of the groups claim) that give it."""
    create_users: bool = False
    label: str = ""

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def parse_role_groups(text: str) -> dict[str, tuple[str, ...]]:
    """``admin=consult-admins;hr=hr-team,hr-office;reviewer=wg`` -> {role: groups}."""
    mapping: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        role, sep, groups = part.partition("=")
        role = role.strip()
        if not sep or role not in ROLE_ORDER:
            raise SettingsError(f"CONSULT_OIDC_ROLE_GROUPS: {part!r} is not ROLE=GROUP[,GROUP]")
        mapping[role] = tuple(g.strip() for g in groups.split(",") if g.strip())
    return mapping


def role_for_groups(groups: object, role_groups: dict[str, tuple[str, ...]]) -> str | None:
    """The highest role any of ``groups`` gives (a claim may be a list or one string), or None."""
    held = {groups} if isinstance(groups, str) else set(groups) if isinstance(groups, list | tuple) else set()
    held = {str(g) for g in held}
    return next((role for role in ROLE_ORDER if held & set(role_groups.get(role, ()))), None)


def flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def oidc_settings(environ: dict[str, str] | os._Environ = os.environ) -> OidcSettings | None:
    """The provider's settings, or None when ``CONSULT_OIDC_ISSUER`` is unset (no single sign-on)."""
    issuer = environ.get("CONSULT_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    client_id = environ.get("CONSULT_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise SettingsError("CONSULT_OIDC_CLIENT_ID is needed with CONSULT_OIDC_ISSUER")
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=environ.get("CONSULT_OIDC_CLIENT_SECRET", ""),
        scopes=environ.get("CONSULT_OIDC_SCOPES", "openid email profile"),
        groups_claim=environ.get("CONSULT_OIDC_GROUPS_CLAIM", "groups"),
        role_groups=parse_role_groups(environ.get("CONSULT_OIDC_ROLE_GROUPS", "")),
        create_users=flag(environ.get("CONSULT_OIDC_CREATE_USERS"), False),
        label=environ.get("CONSULT_OIDC_LABEL", ""),
    )
