"""The OpenAPI document as a reader takes it: JSON without a repeated key, every answer an
operation gives documented with the error schema, and every rule the server enforces stated
(formats, choices, bounds), so that any body the document allows fits under the size limit."""

import json

import pytest
from django.conf import settings
from django.utils import timezone

from events.choices import Municipality

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/ErrorOut"
# The operations of this part of the API (the meetings' own are tested in tests/events).
SIGNUP = ("post", "/api/signups")
WALK_IN = ("post", "/api/organiser/events/{event_id}/registrations")
ATTENDANCE = ("post", "/api/organiser/registrations/{registration_id}/attendance")
MESSAGE = ("post", "/api/organiser/events/{event_id}/messages")


def _refusing_repeated_keys(pairs):
    keys = [key for key, _value in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"repeated keys {repeated} in an object with keys {keys}")
    return dict(pairs)


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content.decode(), object_pairs_hook=_refusing_repeated_keys)


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _resolve(document, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _body_schema(document, method, path) -> dict:
    operation = document["paths"][path][method]
    return _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])


def test_the_document_repeats_no_key_anywhere(client):
    text = client.get("/api/openapi.json").content.decode()

    document = json.loads(text, object_pairs_hook=_refusing_repeated_keys)

    assert document["paths"]


def test_every_error_answer_of_every_operation_is_documented_with_the_error_schema(document):
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert all(isinstance(status, str) for status in responses), (method, path)
        for status, answer in responses.items():
            if int(status) < 400:
                continue
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status)
        if operation.get("requestBody"):
            assert {"400", "413", "422"} <= set(responses), (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)


def test_the_error_schema_names_detail_and_the_field_errors(document):
    error = document["components"]["schemas"]["ErrorOut"]

    assert error["required"] == ["detail"]
    assert set(error["properties"]) == {"detail", "errors"}


def test_email_fields_are_documented_as_emails(document):
    signup = _body_schema(document, *SIGNUP)["properties"]["email"]
    walk_in = _body_schema(document, *WALK_IN)["properties"]["email"]

    assert signup["format"] == "email"
    assert signup["maxLength"] == 254
    # A walk-in may leave no address: an e-mail or nothing.
    assert {"format": "email"}.items() <= walk_in["anyOf"][0].items()
    assert walk_in["anyOf"][1] == {"type": "string", "maxLength": 0}


@pytest.mark.parametrize("operation", [SIGNUP, WALK_IN], ids=["signup", "walk-in"])
def test_municipality_is_one_of_the_canonical_names_in_any_case(document, operation):
    municipality = _body_schema(document, *operation)["properties"]["municipality"]

    assert municipality["enum"] == Municipality.values
    assert "any case" in municipality["description"]


@pytest.mark.parametrize(
    "field, codes",
    [
        ("gender", {"woman", "man", "other", "unstated"}),
        ("organisation_type", {"social_enterprise", "public_sector", "other"}),
        ("language", {"sv", "en"}),
    ],
)
def test_person_codes_are_enums(document, field, codes):
    for operation in (SIGNUP, WALK_IN):
        schema = _body_schema(document, *operation)["properties"][field]
        branches = schema.get("anyOf") or schema.get("allOf") or [schema]
        enums = [_resolve(document, branch)["enum"] for branch in branches if "enum" in _resolve(document, branch)]
        assert enums and set(enums[0]) == codes, (operation, field)


def test_a_signup_states_what_it_needs(document):
    signup = _body_schema(document, *SIGNUP)

    assert signup["properties"]["consent"]["const"] is True
    # At least one meeting or one theme.
    assert [branch["required"] for branch in signup["anyOf"]] == [["event_ids"], ["theme_interests"]]
    assert signup["additionalProperties"] is False


def test_strict_bodies_refuse_unknown_fields_in_the_document(document):
    for operation in (SIGNUP, WALK_IN, ATTENDANCE, MESSAGE):
        assert _body_schema(document, *operation)["additionalProperties"] is False, operation


def test_conflicts_are_documented(document):
    # A message nobody would receive conflicts with the meeting's registrations as they are.
    assert "409" in document["paths"][MESSAGE[1]]["post"]["responses"]
    # A theme slug that is taken.
    assert "409" in document["paths"]["/api/organiser/themes"]["post"]["responses"]
    # A meeting that does not exist, or takes no sign-ups.
    assert {"404", "409"} <= set(document["paths"][SIGNUP[1]]["post"]["responses"])


def test_report_and_export_dates_are_documented_as_the_dates_taken(document):
    for path in ("/api/reports/progress", "/api/organiser/exports/registrations.csv"):
        parameters = {
            parameter["name"]: parameter["schema"] for parameter in document["paths"][path]["get"]["parameters"]
        }
        for name in ("from", "to"):
            assert parameters[name]["format"] == "date", (path, name)
            assert parameters[name]["pattern"] == "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$", (path, name)


# ---- The size limit against the document ----

# The most bytes one character can take in JSON: an astral character written as two \u escapes.
ESCAPED_CHARACTER = 12


def _largest(document, schema: dict, where: str) -> int:
    """The most bytes a JSON value allowed by `schema` can take (without padding whitespace)."""
    schema = _resolve(document, schema)
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    if "enum" in schema:
        return max(len(json.dumps(value)) for value in schema["enum"])
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in schema and "properties" not in schema:
            return max(_largest(document, branch, where) for branch in schema[keyword])
    kind = schema.get("type")
    if kind == "string" and schema.get("format") in ("date", "date-time") and "pattern" in schema:
        return 2 + 64  # an anchored pattern of fixed parts: a few dozen characters at most
    if kind == "string":
        assert "maxLength" in schema, f"{where}: a string without maxLength makes the body unbounded"
        return 2 + ESCAPED_CHARACTER * schema["maxLength"]
    if kind == "array":
        assert "maxItems" in schema, f"{where}: a list without maxItems makes the body unbounded"
        return 2 + schema["maxItems"] * (1 + _largest(document, schema["items"], f"{where}[]"))
    if kind == "object" or "properties" in schema:
        assert schema.get("additionalProperties") is False, f"{where}: an object open to any field is unbounded"
        return 2 + sum(
            len(json.dumps(name)) + 2 + _largest(document, value, f"{where}.{name}")
            for name, value in schema["properties"].items()
        )
    if kind in ("integer", "number"):
        return 24  # 64-bit integers and doubles
    return len("false")  # boolean, null


def test_every_body_the_document_allows_fits_under_the_size_limit(document):
    largest = {}
    for method, path, operation in _operations(document):
        if operation.get("requestBody"):
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            largest[(method, path)] = _largest(document, schema, f"{method.upper()} {path}")

    assert max(largest.values()) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE, largest


@pytest.mark.parametrize("character", ["😀", "å"], ids=["emoji", "accent"])
def test_a_description_of_the_documented_length_is_taken_even_with_every_character_escaped(auth_client, character):
    document = json.loads(auth_client.get("/api/openapi.json").content)
    description = _resolve(document, document["components"]["schemas"]["EventCreateIn"])["properties"]["description"]
    [longest] = [branch["maxLength"] for branch in description.get("anyOf", [description]) if "maxLength" in branch]
    year = timezone.now().year + 1
    event = {
        "title": "Tematräff",
        "kind": "theme_meeting",
        "starts_at": f"{year}-03-05T17:00:00+01:00",
        "ends_at": f"{year}-03-05T19:00:00+01:00",
        "location": "Stadshuset",
        "municipality": "Flen",
        "description": character * longest,
    }
    body = json.dumps(event)  # ASCII: each emoji is 12 bytes, each "å" 6

    response = auth_client.post("/api/organiser/events", body, content_type="application/json")

    assert len(body.encode()) > 64 * 1024
    assert response.status_code == 201, response.content[:300]
