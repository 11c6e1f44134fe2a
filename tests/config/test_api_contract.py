"""The API as outside systems see it: documented paths, the docs page, JSON errors."""

import pytest

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = {
    "/api/themes": {"get"},
    "/api/events": {"get"},
    "/api/events/{event_id}": {"get"},
    "/api/events/{event_id}/calendar.ics": {"get"},
    "/api/signups": {"post"},
    "/api/registrations/{token}": {"get"},
    "/api/registrations/{token}/cancel": {"post"},
    "/api/organiser/events": {"get", "post"},
    "/api/organiser/events/{event_id}": {"get", "patch"},
    "/api/organiser/events/{event_id}/cancel": {"post"},
    "/api/organiser/events/{event_id}/registrations": {"get", "post"},
    "/api/organiser/registrations/{registration_id}/attendance": {"post"},
    "/api/organiser/registrations/{registration_id}/cancel": {"post"},
}


def test_openapi_lists_every_contract_path(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in CONTRACT_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path


def test_openapi_marks_organiser_paths_as_authenticated(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    for path, methods in CONTRACT_PATHS.items():
        for method in methods:
            secured = bool(paths[path][method].get("security"))
            assert secured == path.startswith("/api/organiser/"), (method, path)


def test_api_docs_page_answers(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/events/987654"),
        ("get", "/api/events/not-a-number"),
        ("get", "/api/registrations/nonsense"),
        ("post", "/api/signups"),
        ("get", "/api/organiser/events"),
    ],
)
def test_errors_are_json_with_a_detail(client, method, path):
    response = getattr(client, method)(path)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
