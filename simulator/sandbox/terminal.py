"""A shell on a simulated EC2 instance: the learner types a command line, the instance runs it.

A realistic subset of what one would type on Amazon Linux: the AWS CLI's commands (simulator.sandbox.aws_cli,
each call signed with the credentials the CLI would find on the instance, decided by the engine and logged
with source "instance"), ``curl`` to the instance metadata service, ``cat ~/.aws/credentials``, ``echo``
with a pipe into ``aws s3 cp -``, and shell variables (``TOKEN=$(curl -s -X PUT ...)`` then ``$TOKEN``),
kept per instance by whoever calls :func:`run_command`. Words are split as bash splits them (shlex); an
unknown command answers "command not found" as bash does.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from . import aws_cli, ec2, imds
from .aws_cli import Call, Output
from .models import Instance

HOME = "/home/ec2-user"
METADATA_HOST = "169.254.169.254"
NOT_FOUND = 127
UNMATCHED_QUOTE = "bash: unexpected EOF while looking for matching quote"
HELP = (
    "Commands this instance understands (words are quoted as in bash):",
    "  aws sts get-caller-identity",
    "  aws sts assume-role --role-arn ARN --role-session-name NAME [--duration-seconds N]",
    "  aws s3 ls [s3://BUCKET[/PREFIX]]",
    "  aws s3 cp s3://BUCKET/KEY -            print an object",
    "  echo TEXT | aws s3 cp - s3://BUCKET/KEY  upload TEXT as an object",
    "  aws s3 rm s3://BUCKET/KEY",
    "  aws configure list                     which credentials the AWS CLI picked",
    "  cat ~/.aws/credentials",
    '  curl [-s] [-X PUT] [-H "Header: value"] http://169.254.169.254/latest/...',
    "  TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token \\",
    '    -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")   then -H "X-aws-ec2-metadata-token: $TOKEN"',
    "  export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_SESSION_TOKEN=...   (the CLI uses these first)",
    "  unset NAME, export (lists the variables), echo TEXT, clear, help",
)
_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=(.*)", re.DOTALL)
_SUBSTITUTION = re.compile(r'(?:export\s+)?([A-Za-z_]\w*)="?\$\((.*)\)"?')
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


@dataclass
class CommandResult:
    """What one command line did: what it printed, each AWS call it made, its exit status, and whether it
    clears the screen (``clear``)."""

    command: str
    output: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    status: int = 0
    clear: bool = False


def run_command(instance: Instance, line: str, variables: dict[str, str] | None = None) -> CommandResult:
    """Run ``line`` on ``instance`` as its shell would; ``variables`` (the shell's, changed in place) hold
    what ``NAME=value`` and ``export`` set. A stopped instance runs nothing."""
    variables = {} if variables is None else variables
    result = CommandResult(line)
    instance = ec2.settled(instance)
    if instance.state != Instance.State.RUNNING:
        result.output = [
            f"Connection to {instance.instance_id} closed: the instance is {instance.state}. "
            "Commands run only on a running instance."
        ]
        result.status = 255
        return result
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return result
    substitution = _SUBSTITUTION.fullmatch(stripped)
    if substitution:
        name, inner = substitution.groups()
        captured = _run_line(instance, inner, variables, result)
        variables[name] = "\n".join(captured.lines).strip()
        result.status = captured.status
        return result
    if _assigned(stripped, variables):
        return result
    output = _run_line(instance, stripped, variables, result)
    result.output = output.lines
    result.status = output.status
    result.clear = output.clear
    return result


def _assigned(line: str, variables: dict[str, str]) -> bool:
    """Whether the line only sets variables (``NAME=value ...``, ``export NAME=value ...``), which it then does."""
    try:
        words = _words(_expanded(line, variables))
    except ValueError:
        return False
    if words[:1] == ["export"]:
        words = words[1:]
    found = [_ASSIGNMENT.fullmatch(word) for word in words]
    if not found or not all(found):
        return False
    variables.update(match.groups() for match in found)
    return True


def _run_line(instance: Instance, line: str, variables: dict[str, str], result: CommandResult) -> Output:
    """Run a pipeline (``a | b``): each command's output is the next one's input."""
    try:
        words = _words(_expanded(line, variables), pipes=True)
    except ValueError:
        return Output([UNMATCHED_QUOTE], status=2)
    stdin: str | None = None
    output = Output()
    for command in _split_pipeline(words):
        if not command:
            return Output(["bash: syntax error near unexpected token `|'"], status=2)
        output = _run_words(instance, command, stdin, variables, result)
        stdin = "\n".join(output.lines) + "\n" if output.lines else ""
    return output


def _words(text: str, pipes: bool = False) -> list[str]:
    """Split as bash splits words (quotes and backslashes); ``pipes``: a bare ``|`` is a word of its own."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|" if pipes else False)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def _split_pipeline(words: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for word in words:
        if word == "|":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def _expanded(text: str, variables: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` replaced by their values, except inside single quotes (as bash does); a value
    is quoted so that the word splitting afterwards keeps it whole."""
    pieces: list[str] = []
    quote = ""
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\" and quote != "'" and position + 1 < len(text):
            pieces.append(text[position : position + 2])
            position += 2
            continue
        if char in "'\"" and quote in ("", char):
            quote = "" if quote else char
        elif char == "$" and quote != "'":
            found = _VARIABLE.match(text, position)
            if found:
                value = variables.get(found.group(1) or found.group(2), "")
                pieces.append(_escape_in_double_quotes(value) if quote == '"' else shlex.quote(value) if value else "")
                position = found.end()
                continue
        pieces.append(char)
        position += 1
    return "".join(pieces)


def _escape_in_double_quotes(value: str) -> str:
    return re.sub(r'(["\\$`])', r"\\\1", value)


def _run_words(
    instance: Instance, words: list[str], stdin: str | None, variables: dict[str, str], result: CommandResult
) -> Output:
    name, arguments = words[0], words[1:]
    if name == "aws":
        output = aws_cli.run(instance, arguments, stdin, variables)
        result.calls.extend(output.calls)
        return output
    if name == "help":
        return Output(list(HELP))
    if name == "clear":
        return Output(clear=True)
    if name == "echo":
        newline_free = arguments[1:] if arguments[:1] == ["-n"] else arguments
        return Output([" ".join(newline_free)])
    if name == "cat":
        return _cat(instance, arguments, stdin)
    if name == "export" and not arguments:
        return Output([f'declare -x {key}="{value}"' for key, value in sorted(variables.items())])
    if name == "unset":
        for key in arguments:
            variables.pop(key, None)
        return Output()
    if name == "curl":
        return _curl(instance, arguments)
    return Output([f"bash: {name}: command not found"], status=NOT_FOUND)


def _cat(instance: Instance, paths: list[str], stdin: str | None) -> Output:
    """Only one file on this disk matters: the credentials file the anti-pattern writes."""
    if not paths:
        return Output((stdin or "").splitlines())
    lines: list[str] = []
    status = 0
    for path in paths:
        full = HOME + path[1:] if path.startswith("~/") else path
        if full == f"{HOME}/.aws/credentials" and instance.stored_access_key_id:
            lines += aws_cli.credentials_file(instance)
        else:
            lines.append(f"cat: {path}: No such file or directory")
            status = 1
    return Output(lines, status=status)


def _curl(instance: Instance, arguments: list[str]) -> Output:
    """curl, as far as the metadata service needs it: -s, -X METHOD, -H "Name: value", one URL."""
    method, headers, urls = "GET", {}, []
    remaining = list(arguments)
    while remaining:
        argument = remaining.pop(0)
        if argument in ("-s", "--silent", "-f", "--fail", "-L"):
            continue
        if argument in ("-X", "--request", "-H", "--header"):
            if not remaining:
                return Output([f"curl: option {argument}: requires parameter"], status=2)
            value = remaining.pop(0)
            if argument in ("-X", "--request"):
                method = value.upper()
            else:
                header, _, header_value = value.partition(":")
                headers[header.strip()] = header_value.strip()
        elif argument.startswith("-"):
            return Output([f"curl: option {argument}: is unknown"], status=2)
        else:
            urls.append(argument)
    if not urls:
        return Output(["curl: no URL specified!"], status=2)
    host, path = _host_and_path(urls[0])
    if host != METADATA_HOST:
        return Output([f"curl: (6) Could not resolve host: {host}"], status=6)
    answer = imds.read(instance, method, path, headers)
    return Output(answer.body.splitlines(), status=0)


def _host_and_path(url: str) -> tuple[str, str]:
    without_scheme = url.split("://", 1)[1] if "://" in url else url
    host, _, path = without_scheme.partition("/")
    return host.split(":")[0], "/" + path
