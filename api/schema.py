"""The OpenAPI schema's common parts: the problem details every operation may answer with."""

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "Empty for the request as a whole."},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["field", "message", "code"],
            },
        },
        "version": {"type": "integer", "description": "409 only: the ticket's version now."},
    },
    "required": ["type", "title", "status", "detail"],
}
ANSWERS = {
    "400": "The request was refused: `errors` names each field and says why.",
    "401": "No valid session or token (unknown, revoked or expired).",
    "403": "The caller's role or token may not do this (a read-only token writing, say).",
    "404": "No such thing, or one the caller may not see: the two are never told apart.",
    "409": "The ticket changed since the version sent.",
    "429": "Too many requests: wait for Retry-After seconds.",
    "507": "The server could not store the files; nothing was saved.",
}


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook: every operation documents the problems it may answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ANSWERS.items():
                if code == "409" and method == "get":
                    continue
                responses.setdefault(
                    code, {"description": description, "content": {"application/problem+json": {"schema": reference}}}
                )
    return result
