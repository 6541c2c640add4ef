"""Error pages speak the interface's language and say what to do next."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    InternalServerError,
    NotFound,
    RequestEntityTooLarge,
    TooManyRequests,
)

from consult.web import http_error

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.mark.parametrize(
    ("error", "title", "advice"),
    [
        (BadRequest(), "Requête non comprise", "renvoyez-le"),
        (Forbidden(), "Accès refusé", "demandez l&#39;accès"),
        (NotFound(), "Page introuvable", "page d&#39;accueil"),
        (RequestEntityTooLarge(), "Fichier ou formulaire trop volumineux", "fichier plus petit"),
        (TooManyRequests("5 per 1 minute"), "Trop de tentatives", "Attendez une minute"),
        (InternalServerError(), "Un problème est survenu de notre côté", "Réessayez dans un instant"),
    ],
)
def test_error_pages_in_french_say_what_to_do(app, db, error, title, advice):
    with app.test_request_context("/somewhere", headers=FRENCH):
        page, code = http_error(error)
    assert code == error.code
    assert f"<h1>{title}</h1>" in page and advice in page
    assert error.name not in page and "per 1 minute" not in page


def test_unknown_address_in_french(client):
    response = client.get("/no/such/page", headers=FRENCH)
    assert response.status_code == 404 and "<h1>Page introuvable</h1>" in response.get_data(as_text=True)


def test_a_views_own_description_is_kept_before_the_advice(client, login, make_user):
    login(make_user("hr"))
    page = client.get("/results/no-such-campaign", headers=FRENCH).get_data(as_text=True)
    assert "Page introuvable" in page and "page d&#39;accueil" in page
    assert "No campaign" not in page and "No such campaign" not in page
