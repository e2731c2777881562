"""Check input dicts against the JSON Schema generated from schema.json, and normalise them.

The constraints are checked by the ``jsonschema`` library against ``JSON_SCHEMAS`` (generated with the
property table into ``_schema.py``); this module only prepares the value and words the errors. Every
failure names the property, the bad value and the rule. Before validation:

- values still unknown during a preview (the engine's sentinel) are not judged; they are checked
  again when known;
- ``None`` is an absent value;
- a whole number given for a string property is taken as its digits (YAML programs and config send
  an unquoted ``111122223333`` as a number): the rules judge the digits, and a failure says how the
  value was given.

A schema.json ``pattern`` is a rule for the whole value (``[0-9]{12}`` is twelve digits, not twelve
digits somewhere): the generator writes it anchored into ``JSON_SCHEMAS``, so that plain JSON Schema
judges the whole value, and keeps the rule as written beside it (``WRITTEN_PATTERN``) for the messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from ._schema import JSON_SCHEMAS, SCHEMA


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


def coerce_deep(spec: dict[str, Any], value: Any) -> Any:
    """``value`` with ``coerce`` applied at every depth: the items of a list (``allowedAccountIds``) and
    the properties of an object (``assumeRole.durationSeconds``) arrive from YAML as numbers too."""
    if spec.get("type") == "array" and isinstance(value, list):
        return [coerce_deep(spec.get("items", {}), item) for item in value]
    if spec.get("type") == "object" and isinstance(value, dict):
        properties = spec.get("properties", {})
        return {key: coerce_deep(properties[key], v) if key in properties else v for key, v in value.items()}
    return coerce(spec, value)[0] if "type" in spec else value


#: The annotation beside a generated (anchored) ``pattern`` that holds the rule as schema.json writes it.
WRITTEN_PATTERN = "x-pattern"


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def _validator(token: str | None) -> Draft202012Validator:
    """The validator of a resource's inputs (its type token), or of the provider config (None)."""
    return Draft202012Validator(JSON_SCHEMAS["config"] if token is None else JSON_SCHEMAS["resources"][token])


#: Config settings whose value a message never repeats: the secret ones (keys), those that may have been
#: set as a secret, an endpoint URL that may carry a user and password, and a role's external ID.
UNSHOWN_CONFIG = ("endpointUrl", "profile", "assumeRole", *(k for k, v in SCHEMA["config"].items() if v.get("secret")))


def _shown(value: Any, show: bool = True) -> str:
    if not show:
        return "the value given"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


Numbers = dict[tuple[str, ...], tuple[str, bool]]


def _prepared(schema: dict[str, Any], value: Any, path: tuple[str, ...], numbers: Numbers) -> Any:
    """``value`` as the validator sees it: ``None`` left out, whole numbers for strings as their digits
    (recorded in ``numbers`` by path, with whether leading zeros would make them valid)."""
    if schema.get("type") == "object" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return {
            key: _prepared(properties[key], inner, (*path, key), numbers) if key in properties else inner
            for key, inner in value.items()
            if inner is not None
        }
    if schema.get("type") == "array" and isinstance(value, list):
        items = schema.get("items", {})
        return [_prepared(items, inner, (*path, str(i)), numbers) for i, inner in enumerate(value)]
    value, was_number = coerce(schema, value)
    if was_number:
        numbers[path] = (value, _zeros_would_fit(schema, value))
    return value


def _zeros_would_fit(schema: dict[str, Any], digits: str) -> bool:
    """Whether ``digits`` with some leading zeros would be valid: a number may have lost them (a
    13-digit number has lost none, and a number for a URL was never an account ID)."""
    if Draft202012Validator(schema).is_valid(digits):
        return False
    return any(Draft202012Validator(schema).is_valid("0" * k + digits) for k in range(1, 33))


def _extras(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The keys of ``instance`` its schema does not name."""
    patterns = [_pattern(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in schema.get("properties", {}) and not any(p.search(k) for p in patterns)]


def _reasons(error: ValidationError, show: bool) -> Iterator[tuple[tuple[str, ...], str]]:
    """(property path, reason) for each failure one jsonschema error stands for."""
    path = tuple(str(p) for p in error.absolute_path)
    # jsonschema types these as possibly unset; an error from iter_errors always has all three.
    value: Any = error.instance
    rule: Any = error.validator_value
    schema: Any = error.schema
    shown = _shown(value, show)
    if error.validator == "required":
        for key in rule:
            if key not in value:
                yield (*path, key), "missing required property"
    elif error.validator == "additionalProperties":
        expected = ", ".join(sorted(schema.get("properties", {})))
        for key in _extras(value, schema):
            yield (*path, key), f"unknown property; expected one of {expected}"
    elif error.validator == "type":
        article = "an" if rule[0] in "aeiou" else "a"
        yield path, f"{shown} is not a valid value: expected {article} {rule}, got {type(value).__name__}"
    elif error.validator == "enum":
        yield path, f"{shown} is not a valid value: must be one of {', '.join(rule)}"
    elif error.validator == "minLength":
        yield path, f"{shown} is too short: must be at least {rule} characters"
    elif error.validator == "maxLength":
        yield path, f"{shown} is too long: {len(value)} characters, at most {rule} allowed"
    elif error.validator == "pattern":
        yield path, f"{shown} does not match the pattern {schema.get(WRITTEN_PATTERN, rule)}"
    elif error.validator in ("minimum", "maximum"):
        yield path, f"{shown} is out of range: must be from {schema.get('minimum')} to {schema.get('maximum')}"
    else:  # a keyword the generator does not emit today: jsonschema's own words
        yield path, error.message


def _failures(
    token: str | None, instance: dict[str, Any], show: Callable[[str], bool] = lambda key: True
) -> list[tuple[str, str]]:
    """Failures of ``instance`` against the schema of ``token`` (None: the config), as (property path,
    reason) pairs; ``show(key)`` says whether reasons about top-level ``key`` may repeat the value."""
    numbers: Numbers = {}
    schema = JSON_SCHEMAS["config"] if token is None else JSON_SCHEMAS["resources"][token]
    prepared = _prepared(schema, instance, (), numbers)
    errors = [e for e in _validator(token).iter_errors(prepared) if not is_unknown(e.instance)]
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    found: list[tuple[tuple[tuple[int, str], ...], str, str]] = []
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in mistyped:
            continue  # a value of the wrong type: that is the one thing to say about it
        visible = show(str(error.absolute_path[0])) if error.absolute_path else True
        for path, reason in _reasons(error, visible):
            if path in numbers:
                digits, lost_zeros = numbers[path]
                given = f"the number {digits}" if visible else "a number"
                hint = "; quote it as a string to keep leading zeros" if lost_zeros else ""
                reason += f" (it was given as {given}{hint})"
            # In each object: its unknown properties first, then its properties by name.
            extra = error.validator == "additionalProperties"
            order = tuple((0, "") if extra and i == len(path) - 1 else (1, key) for i, key in enumerate(path))
            if (order, ".".join(path), reason) not in found:
                found.append((order, ".".join(path), reason))
    return [(path, reason) for _, path, reason in sorted(found, key=lambda item: item[0])]


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
    failures = _failures(token, inputs)
    clean = {k: v for k, v in inputs.items() if k in properties}
    return normalise(properties, clean), failures


def check_config(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Failures of the provider's config values (keys without the ``macie:`` namespace)."""
    known = {k: v for k, v in values.items() if k in SCHEMA["config"]}
    return [(f"macie:{path}", reason) for path, reason in _failures(None, known, lambda k: k not in UNSHOWN_CONFIG)]
