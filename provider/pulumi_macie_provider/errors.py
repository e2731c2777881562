"""The provider's exceptions.

::

    MacieError
    ├── InputError (ValueError)        an input breaks a rule of the schema; names property, value, rule
    ├── ConfigurationError (ValueError) a provider setting (region, endpoint, profile, retries) is unusable
    ├── NotFoundError (LookupError)     an ID names nothing Macie holds (import, lookup by ID)
    └── MacieApiError                   Macie answered an error for an action
        └── FailedItemError             an S3 write action reported the item in failedS3Resources

Messages never carry credentials: they are built from the action, the resource's identity and what
the service said.
"""

from __future__ import annotations


class MacieError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(MacieError, ValueError):
    """An input value breaks a rule; the message names the property, the value and the rule."""

    def __init__(self, prop: str, value: object, rule: str) -> None:
        self.prop = prop
        self.value = value
        self.rule = rule
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"invalid value for property '{prop}': {shown}: {rule}")


class ConfigurationError(MacieError, ValueError):
    """A provider setting cannot be used to reach Macie."""


class NotFoundError(MacieError, LookupError):
    """An ID names nothing that Macie holds."""


class MacieApiError(MacieError):
    """Macie answered ``code`` to ``action``; ``subject`` says which resource was being worked on.

    ``attempts`` is how many times the call was sent (more than one when botocore retried).
    """

    def __init__(self, action: str, code: str, message: str, subject: str = "", attempts: int = 1) -> None:
        self.action = action
        self.code = code
        self.message = message
        self.subject = subject
        self.attempts = attempts
        where = f" for {subject}" if subject else ""
        super().__init__(f"{action}{where} failed: {code}: {message}")


class FailedItemError(MacieApiError):
    """The action succeeded as a call but listed the item in ``failedS3Resources``."""
