"""The provider's exceptions.

::

    MacieError
    ├── InputError (ValueError)        an input breaks a rule of the schema; names property, value, rule
    ├── ConfigurationError (ValueError) a provider setting (region, endpoint, profile, retries) is unusable
    ├── NotFoundError (LookupError)     an ID names nothing Macie holds (import, lookup by ID)
    ├── MacieApiError                   Macie answered an error for an action (or gave no answer)
    │   └── FailedItemError             an S3 write action reported the item in failedS3Resources
    ├── UnknownOutcomeError             a create whose answer was lost, and Macie could not be asked since
    └── CancelledError                  the engine cancelled the operation (Ctrl-C) before it was done

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
    ``maybe_done`` is True when an attempt may have been carried out although no success came back: an
    answer was lost (a dropped connection, a timeout, a deadline), Macie failed with a 5xx, or an
    earlier attempt of a retried call went unanswered. Only a refusal of the one attempt made is known
    to have changed nothing.
    """

    def __init__(
        self,
        action: str,
        code: str,
        message: str,
        subject: str = "",
        attempts: int = 1,
        maybe_done: bool | None = None,
    ) -> None:
        self.action = action
        self.code = code
        self.message = message
        self.subject = subject
        self.attempts = attempts
        self.maybe_done = attempts > 1 if maybe_done is None else maybe_done
        where = f" for {subject}" if subject else ""
        super().__init__(f"{action}{where} failed: {code}: {message}")


class FailedItemError(MacieApiError):
    """The action succeeded as a call but listed the item in ``failedS3Resources``."""


class UnknownOutcomeError(MacieError):
    """A create was sent, no answer told whether Macie carried it out, and Macie could not be asked
    since. It carries what the resource would be (``id``, ``outputs``) so that a host can record it as
    partly made (the native plugin does; ``pulumi refresh`` then finds out), and its message says how to
    reconcile."""

    def __init__(self, message: str, id_: str, outputs: dict[str, object], inputs: dict[str, object]) -> None:
        self.id = id_
        self.outputs = outputs
        self.inputs = inputs
        super().__init__(message)


class CancelledError(MacieError):
    """The engine cancelled the run (Ctrl-C) while this operation waited; nothing was changed in Macie
    by the part that was cut short."""
