from __future__ import annotations

import pytest

from consult.sso.settings import SettingsError, oidc_settings, parse_role_groups, role_for_groups


def test_no_issuer_no_single_sign_on():
    assert oidc_settings({}) is None


def test_settings_from_the_environment():
    settings = oidc_settings(
        {
            "CONSULT_OIDC_ISSUER": "https://idp.example.org/realms/uni/",
            "CONSULT_OIDC_CLIENT_ID": "consult",
            "CONSULT_OIDC_CLIENT_SECRET": "s3cret",
            "CONSULT_OIDC_GROUPS_CLAIM": "eduPersonEntitlement",
            "CONSULT_OIDC_ROLE_GROUPS": "hr=hr-team,hr-office; reviewer=wg",
            "CONSULT_OIDC_CREATE_USERS": "yes",
        }
    )
    assert settings.discovery_url == "https://idp.example.org/realms/uni/.well-known/openid-configuration"
    assert settings.role_groups == {"hr": ("hr-team", "hr-office"), "reviewer": ("wg",)}
    assert settings.create_users and settings.scopes == "openid email profile"


def test_an_issuer_without_a_client_id_is_refused():
    with pytest.raises(SettingsError, match="CLIENT_ID"):
        oidc_settings({"CONSULT_OIDC_ISSUER": "https://idp.example.org"})


def test_a_bad_role_mapping_is_refused():
    with pytest.raises(SettingsError, match="ROLE=GROUP"):
        parse_role_groups("boss=everyone")


def test_the_highest_role_of_the_groups_wins():
    mapping = {"admin": ("it",), "hr": ("hr",), "reviewer": ("wg",)}
    assert role_for_groups(["wg", "hr"], mapping) == "hr"
    assert role_for_groups("it", mapping) == "admin"
    assert role_for_groups(["students"], mapping) is None
    assert role_for_groups(None, mapping) is None
