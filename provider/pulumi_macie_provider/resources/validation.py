"""Check input dicts against the property table generated from schema.json, and normalise them.

Every failure names the property, the bad value and the rule. Values still unknown during a preview
(the engine's sentinel) are not judged; they are checked again when known.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from ._schema import SCHEMA

TYPE_NAMES = {"string": str, "integer": int, "object": dict}


def is_unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (preview): the wire sentinel or its object."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def contains_unknown(value: Any) -> bool:
    """True for an unknown value, or an object with one inside."""
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return is_unknown(value)


def _whole_number(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def coerce(spec: dict[str, Any], value: Any) -> tuple[Any, bool]:
    """A whole number given for a string property, as its decimal digits, and whether it was one.

    YAML programs and config send an unquoted ``111122223333`` as a number (over gRPC, a double);
    its digits are the string meant. A number loses leading zeros, so the usual rules still judge it.
    """
    if spec["type"] == "string" and _whole_number(value):
        return str(int(value)), True
    if spec["type"] == "integer" and isinstance(value, float) and value.is_integer():
        return int(value), False
    return value, False


@lru_cache(maxsize=None)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


#: Config settings whose value a message never repeats: it may have been set as a secret, and an
#: endpoint URL may carry a user and password.
UNSHOWN_CONFIG = ("endpointUrl", "profile")


def _shown(value: Any, show: bool = True) -> str:
    if not show:
        return "the value given"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_value(path: str, spec: dict[str, Any], value: Any, show: bool = True) -> list[tuple[str, str]]:
    """Failures of one value against its property spec, as (property path, reason) pairs; with
    ``show`` False the reasons do not repeat the value."""
    if is_unknown(value):
        return []
    value, was_number = coerce(spec, value)
    if was_number:
        given = f"the number {value}" if show else "a number"
        return [
            (path, f"{reason} (it was given as {given}; quote it as a string to keep leading zeros)")
            for path, reason in check_value(path, spec, value, show)
        ]
    kind = spec["type"]
    expected = TYPE_NAMES[kind]
    if not isinstance(value, expected) or (kind == "integer" and isinstance(value, bool)):
        article = "an" if kind[0] in "aeiou" else "a"
        return [
            (path, f"{_shown(value, show)} is not a valid value: expected {article} {kind}, got {type(value).__name__}")
        ]
    failures: list[tuple[str, str]] = []
    if kind == "object":
        properties = spec["properties"]
        for key in value:
            if key not in properties:
                failures.append((f"{path}.{key}", f"unknown property; expected one of {', '.join(sorted(properties))}"))
        for key, inner in properties.items():
            if value.get(key) is not None:
                failures += check_value(f"{path}.{key}", inner, value[key], show)
        return failures
    if kind == "string":
        if "enum" in spec and value not in spec["enum"]:
            failures.append(
                (path, f"{_shown(value, show)} is not a valid value: must be one of {', '.join(spec['enum'])}")
            )
        if "minLength" in spec and len(value) < spec["minLength"]:
            failures.append(
                (path, f"{_shown(value, show)} is too short: must be at least {spec['minLength']} characters")
            )
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            failures.append(
                (
                    path,
                    f"{_shown(value, show)} is too long: {len(value)} characters, at most {spec['maxLength']} allowed",
                )
            )
        if "pattern" in spec and not _pattern(spec["pattern"]).fullmatch(value):
            failures.append((path, f"{_shown(value, show)} does not match the pattern {spec['pattern']}"))
    if kind == "integer":
        if "minimum" in spec and value < spec["minimum"] or "maximum" in spec and value > spec["maximum"]:
            failures.append(
                (
                    path,
                    f"{_shown(value, show)} is out of range: must be from {spec.get('minimum')} to "
                    f"{spec.get('maximum')}",
                )
            )
    return failures


def normalise(props: dict[str, Any], value: Any) -> Any:
    """Fill schema defaults into an object value (recursively); absent optional values stay absent."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for key, spec in props.items():
        if key in out:
            out[key] = coerce(spec, out[key])[0]
        if out.get(key) is None and "default" in spec:
            out[key] = spec["default"]
        if spec["type"] == "object" and isinstance(out.get(key), dict):
            out[key] = normalise(spec["properties"], out[key])
    return {k: v for k, v in out.items() if v is not None}


def check_inputs(token: str, inputs: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate a resource's inputs (wire names); answer the normalised inputs and the failures."""
    properties = SCHEMA["resources"][token]
    failures: list[tuple[str, str]] = []
    for key in inputs:
        if key not in properties and not key.startswith("__"):
            failures.append((key, f"unknown property; expected one of {', '.join(sorted(properties))}"))
    for key, spec in properties.items():
        value = inputs.get(key)
        if value is None:
            if spec["required"]:
                failures.append((key, "missing required property"))
            continue
        failures += check_value(key, spec, value)
    clean = {k: v for k, v in inputs.items() if k in properties}
    return normalise(properties, clean), failures


def check_config(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Failures of the provider's config values (keys without the ``macie:`` namespace)."""
    failures: list[tuple[str, str]] = []
    for key, spec in SCHEMA["config"].items():
        if values.get(key) is not None:
            failures += [
                (f"macie:{path}", reason)
                for path, reason in check_value(key, spec, values[key], key not in UNSHOWN_CONFIG)
            ]
    return failures
