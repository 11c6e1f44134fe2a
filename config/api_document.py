"""The OpenAPI document states every answer an operation can give: the errors the framework
and config/api_errors.py give any operation are added here to what the operation declares."""

from django.conf import settings

from common.api import ErrorOut

ERROR_REF = "#/components/schemas/ErrorOut"


def _body_limit() -> str:
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KiB"


def _common_errors() -> dict[str, dict[str, str]]:
    """The answers any operation may give, by what it takes; an operation may describe them itself."""
    return {
        "input": {"422": "Invalid input: `detail` names each field refused and says why (also in `errors`)."},
        "path": {"404": "Nothing has this id (or token)."},
        "body": {
            "400": "The body is not valid JSON (or holds a NUL character, which no text here may).",
            "413": f"The body is larger than {_body_limit()} (a body whose fields keep to their documented "
            "lengths is always smaller, even with every character `\\u`-escaped).",
        },
        "auth": {
            "401": "No valid Bearer token or logged-in session.",
            "403": "Authenticated, but without the permission this needs (or a session's write without its CSRF "
            "token).",
        },
    }


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


def _kinds(operation: dict) -> list[str]:
    parameters = operation.get("parameters") or []
    kinds = []
    if parameters or operation.get("requestBody"):
        kinds.append("input")
    if any(parameter.get("in") == "path" for parameter in parameters):
        kinds.append("path")
    if operation.get("requestBody"):
        kinds.append("body")
    if operation.get("security"):
        kinds.append("auth")
    return kinds


def document_common_errors(schema: dict) -> dict:
    """Adds to every operation of an OpenAPI document the errors the framework and the error
    handlers give it, each a JSON {"detail": ...}: 422 where it takes input, 404 where its path
    names something, 400 and 413 where it takes a body, 401 and 403 where it needs
    authentication. Status codes are strings, as JSON keys must be: an int and a str of one
    code would otherwise both be written, and a document with a repeated key is not JSON that
    every reader takes (Swagger UI refuses it)."""
    common = _common_errors()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
            for kind in _kinds(operation):
                for status, description in common[kind].items():
                    responses.setdefault(status, _error_response(description))
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in components:
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}), ErrorOut=error_schema)
    return schema
