"""Check a request's parameters against the shapes of the service model.

botocore's own validator checks required members and types but not maximum lengths, patterns or
enums; the real service checked all of them. ``check`` walks the input shape of an operation and
returns the first broken rule, with the path of the field, so the endpoint can answer it. The model is
the one the provider's client ships (``pulumi_macie_provider.client.DATA_PATH``), read, not copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import botocore.loaders
from botocore.model import ListShape, ServiceModel, Shape, StructureShape

from pulumi_macie_provider.client import DATA_PATH

#: Smallest ``maxResults`` the endpoint accepts: the model states only the maximum (250).
MIN_MAX_RESULTS = 1


@dataclass(frozen=True)
class Violation:
    """``field`` (a path such as ``s3Resources[0].bucketName``) breaks ``rule``.

    ``code`` is a short error code (at most 10 characters, as the model's ErrorCode allows):
    ``Required``, ``Type``, ``Length``, ``Pattern``, ``Enum``, ``Range`` or ``Empty``.
    """

    field: str
    code: str
    rule: str

    @property
    def is_type_error(self) -> bool:
        return self.code == "Type"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The Macie Classic service model shipped in this package."""
    loader = botocore.loaders.Loader(extra_search_paths=[DATA_PATH], include_default_search_paths=False)
    return ServiceModel(loader.load_service_model("macie", "service-2"), "macie")


def check(operation: str, params: Any) -> Violation | None:
    """The first rule ``params`` breaks for ``operation`` (an operation name), or None."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return None if params in ({}, None) else Violation("", "Type", "this action takes no input")
    return _check(shape, params, "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check(shape: Shape, value: Any, path: str) -> Violation | None:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return Violation(path, "Type", "must be a JSON object")
        for name in shape.required_members:
            if value.get(name) is None:
                return Violation(_join(path, name), "Required", "is required")
        members = shape.members
        for name, member_value in value.items():
            if name in members and member_value is not None:
                found = _check(members[name], member_value, _join(path, name))
                if found:
                    return found
        if shape.name == "ClassificationTypeUpdate" and not any(value.get(name) is not None for name in members):
            return Violation(path, "Required", "at least one of oneTime or continuous is required")
        return None
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return Violation(path, "Type", "must be a JSON array")
        if not value and path in ("s3Resources", "associatedS3Resources", "s3ResourcesUpdate"):
            return Violation(path, "Empty", "must contain at least one item")
        for index, item in enumerate(value):
            found = _check(shape.member, item, f"{path}[{index}]")
            if found:
                return found
        return None
    if kind == "string":
        if not isinstance(value, str):
            return Violation(path, "Type", "must be a string")
        return _check_string(shape, value, path)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return Violation(path, "Type", "must be an integer")
        low = shape.metadata.get("min", MIN_MAX_RESULTS if shape.name == "MaxResults" else None)
        high = shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return Violation(path, "Range", f"must be between {low} and {high}")
        return None
    return Violation(path, "Type", f"unsupported shape type {kind}")


def _check_string(shape: Shape, value: str, path: str) -> Violation | None:
    meta = shape.metadata
    enum = meta.get("enum")
    if enum and value not in enum:
        return Violation(path, "Enum", f"must be one of {', '.join(enum)}")
    if "max" in meta and len(value) > meta["max"]:
        return Violation(path, "Length", f"must be at most {meta['max']} characters")
    if shape.name == "BucketName" and not value:
        return Violation(path, "Empty", "must not be empty")
    pattern = meta.get("pattern")
    if pattern and not _compiled(pattern).fullmatch(value):
        return Violation(path, "Pattern", f"must match the pattern {pattern}")
    return None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)
