"""Address files with control characters or unreadable CSV: refused whole with the line, never a crash."""

from __future__ import annotations

import pytest

from consult.surveys.invitations import services as invitations


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b"email,school\nann\x00@example.org,north\n",
            "line 2, column email: contains the control character U+0000",
        ),
        (
            b"email,school\nann@example.org,no\x1brth\n",
            "line 2, column school: contains the control character U+001B",
        ),
        (b'email\n"' + b"x" * 200_000 + b'"\n', "line 2: unreadable CSV (field larger than field limit"),
        (bytes(range(256)), "the file is not UTF-8 text"),
    ],
    ids=["nul", "escape", "huge-field", "binary"],
)
def test_a_bad_address_file_is_refused_with_the_line(make_campaign, data, error):
    with pytest.raises(invitations.InvitationFileError) as caught:
        invitations.read_invitation_csv(data, make_campaign())
    assert any(found.startswith(error) for found in caught.value.errors), caught.value.errors
