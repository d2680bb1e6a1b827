"""Errors in AWS's own terms, so every front door (pages, API) can show the same code and message."""

from __future__ import annotations

from simulator.policy import explain
from simulator.policy.decision import Decision


class AwsError(Exception):
    """An AWS error response: its code, its message and the HTTP status AWS answers with."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status


class AccessDenied(AwsError):
    """The acting identity may not do this; ``decision`` says why, in its own sentence unless told otherwise."""

    def __init__(self, decision: Decision, sentence: str | None = None) -> None:
        super().__init__("AccessDenied", sentence or explain.sentence(decision), 403)
        self.decision = decision

    @property
    def record_id(self) -> int | None:
        """The decision log's entry for this denial, when the decision came from ``authorize()`` (which logs it)."""
        return getattr(self.decision, "record_id", None)


def entity_already_exists(kind: str, name: str) -> AwsError:
    return AwsError("EntityAlreadyExists", f"{kind} with name {name} already exists.", 409)


def no_such_entity(kind: str, name: str) -> AwsError:
    return AwsError("NoSuchEntity", f"The {kind.lower()} with name {name} cannot be found.", 404)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message)


def constraint(value: object, where: str, rule: str) -> str:
    """One of the "validation error detected" lines AWS answers a malformed parameter with."""
    return f"Value '{value}' at '{where}' failed to satisfy constraint: {rule}"


def validation_failed(problems: list[str]) -> AwsError:
    """AWS's ValidationError for every :func:`constraint` a request broke, counted as AWS counts them."""
    count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected"
    return validation_error(f"{count}: {'; '.join(problems)}")
