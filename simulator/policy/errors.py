"""The policy engine's one error type: a policy document AWS would refuse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Position

# What IAM answers when it has nothing more specific to say.
GENERIC_AWS_MESSAGE = "Syntax errors in policy."


@dataclass(frozen=True, slots=True)
class PolicyError:
    """One problem in a policy document.

    ``message`` explains it for a learner and names the statement and the
    element; ``position`` is where it is in the text (None when the text is
    not involved, such as a size limit); ``statement_index`` counts from 0
    like :attr:`Statement.index`; ``element`` is the policy element at fault
    (``"Effect"``, ``"Principal"``...) or None for a JSON syntax error.
    ``aws_message`` is what the IAM API itself answers for this problem.
    """

    message: str
    position: Position | None
    statement_index: int | None
    element: str | None
    aws_message: str = GENERIC_AWS_MESSAGE


class MalformedPolicyDocument(Exception):
    """AWS's MalformedPolicyDocument, carrying every problem found, not just the first."""

    code = "MalformedPolicyDocument"

    def __init__(self, errors: Iterable[PolicyError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(error.message for error in self.errors))

    @property
    def message(self) -> str:
        """What AWS would print: IAM stops at the first problem and gives no position."""
        return self.errors[0].aws_message if self.errors else GENERIC_AWS_MESSAGE
