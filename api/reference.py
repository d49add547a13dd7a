"""The API reference page's content: the OpenAPI schema read into operations a template can list.

Built once per process from the same generator as /api/schema/, so the page and the schema never differ.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from drf_spectacular.generators import SchemaGenerator


@dataclass
class Field:
    name: str
    where: str
    kind: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    body_types: list[str] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"op-{self.operation_id}"


@dataclass
class Group:
    name: str
    operations: list[Operation]


def _kind(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " & ".join(_kind(part, components) for part in schema["allOf"])
    if "oneOf" in schema or "anyOf" in schema:
        return " | ".join(_kind(part, components) for part in schema.get("oneOf", schema.get("anyOf", [])))
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {_kind(schema.get('items', {}), components)}"
    if "enum" in schema:
        return f"{kind}: {', '.join(str(value) for value in schema['enum'] if value not in ('', None))}"
    return kind + (f" ({schema['format']})" if "format" in schema else "")


def _resolved(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


@cache
def reference() -> tuple[dict[str, Any], list[Group]]:
    """(the schema's info, the operations grouped by their first tag)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method, spec in item.items():
            operation = Operation(
                method=method.upper(),
                path=path,
                operation_id=spec.get("operationId", f"{method}-{path}"),
                description=spec.get("description", ""),
            )
            for parameter in spec.get("parameters", []):
                operation.parameters.append(
                    Field(
                        parameter["name"],
                        parameter["in"],
                        _kind(parameter.get("schema", {}), components),
                        parameter.get("required", False),
                        parameter.get("description", ""),
                    )
                )
            content = spec.get("requestBody", {}).get("content", {})
            operation.body_types = list(content)
            if content:
                body = _resolved(next(iter(content.values())).get("schema", {}), components)
                required = set(body.get("required", []))
                for name, prop in body.get("properties", {}).items():
                    if prop.get("readOnly"):
                        continue
                    operation.body.append(
                        Field(name, "body", _kind(prop, components), name in required, prop.get("description", ""))
                    )
            for code, answer in sorted(spec.get("responses", {}).items()):
                operation.answers.append((code, answer.get("description", "")))
            groups.setdefault((spec.get("tags") or ["api"])[0], []).append(operation)
    return schema.get("info", {}), [Group(name, operations) for name, operations in sorted(groups.items())]
