"""``aws iam simulate-custom-policy --cli-input-json``, answered by the sandbox's engine."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.simulate import SimulationInputError, simulate_custom_policy

BAD_INPUT = 2


class Command(BaseCommand):
    # The command reads no models: skipping system checks saves most of its start-up.
    requires_system_checks = []
    help = (
        "Simulate identity-based policies (and optionally a permissions boundary and a resource policy) "
        "for a list of actions and resources, like `aws iam simulate-custom-policy`, with every decision explained."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cli-input-json",
            required=True,
            metavar="FILE",
            help="a JSON file in the shape `aws iam simulate-custom-policy --cli-input-json` takes; - reads stdin",
        )

    def handle(self, *args, cli_input_json: str, **options):
        data = self._load(cli_input_json)
        try:
            response = simulate_custom_policy(data)
        except SimulationInputError as error:
            raise CommandError(f"invalid input: {error}", returncode=BAD_INPUT) from None
        except MalformedPolicyDocument as error:
            body = {"Error": {"Code": error.code, "Message": str(error)}}
            self.stdout.write(json.dumps(body, indent=4))
            sys.exit(1)
        self.stdout.write(json.dumps(response, indent=4))

    def _load(self, source: str):
        path = source.removeprefix("file://")
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {source}: {error.strerror}", returncode=BAD_INPUT) from None
        except UnicodeDecodeError:
            raise CommandError(f"{source} is not UTF-8 text", returncode=BAD_INPUT) from None
        try:
            return json.loads(text)
        except RecursionError:
            raise CommandError(f"{source} nests too deeply to be a simulation input", returncode=BAD_INPUT) from None
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{source} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}", returncode=BAD_INPUT
            ) from None
