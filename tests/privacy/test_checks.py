"""The privacy audit's checks, without the app."""

from __future__ import annotations

from consult.privacy.checks import release_steps, small_figures, stored_columns, transaction_groups


def test_releases_must_move_by_zero_or_at_least_k():
    assert release_steps([0, 5, 5, 12], 5).passed
    failed = release_steps([10, 12], 5)
    assert not failed.passed and failed.details == ("a release of 12 responses follows one of 10",)


def test_a_released_count_of_fewer_than_k_is_found():
    results = {
        "campaign": {"responses": 40, "min_group_size": 5},
        "sections": [
            {
                "code": "P01",
                "n": 40,
                "breakdowns": {
                    "school": {
                        "groups": [
                            {"code": "a", "n": 3, "suppressed": False},
                            {"code": "b", "suppressed": True},
                        ]
                    }
                },
            }
        ],
    }
    found = small_figures(results)
    assert not found.passed and found.details == ("section P01, school a: n = 3",)


def test_a_column_that_could_identify_is_found():
    found = stored_columns({"response": {"id", "campaign_id", "answers", "profile", "submitted_at"}})
    assert not found.passed and found.details == ("response has the column submitted_at",)


def test_answers_may_share_a_transaction_only_in_batches_and_never_with_some_invitations():
    assert transaction_groups({"response": [5, 7], "comment": [9]}, [], 5, closed=False).passed
    assert transaction_groups({"response": [5, 2]}, [], 5, closed=True).passed
    assert not transaction_groups({"response": [5, 2]}, [], 5, closed=False).passed
    assert not transaction_groups({"response": [5]}, [1], 5, closed=False).passed
