"""Write the command-line reference into README.md from the commands' own help.

python scripts/cli_reference.py          # rewrite the block between the markers
(tests/unit/test_layout.py fails when the README's block is stale)
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from gspace.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def commands(group: click.Group, prefix: str = "gspace"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    parts = []
    for name, command in commands(cli):
        ctx = click.Context(command, info_name=name)
        usage = command.collect_usage_pieces(ctx)
        parts.append(f"### `{name}`\n\n```\n{name} {' '.join(usage)}\n```\n")
        text, _, example = inspect.cleandoc(command.help or "").partition("Example: ")
        parts.append(text.strip() + "\n")
        if example:
            parts.append(f"Example: `{example.strip()}`\n")
        options = [
            p.get_help_record(ctx) for p in command.get_params(ctx) if isinstance(p, click.Option)
        ]
        rows = [
            f"| `{cell(opt)}` | {cell(text)} |"
            for opt, text in filter(None, options)
            if opt != "--help"
        ]
        if rows:
            parts.append("| option | meaning |\n|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def updated(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{reference()}{END}{tail}"


if __name__ == "__main__":
    current = README.read_text(encoding="utf-8")
    if START not in current:
        sys.exit(f"{README} has no {START} marker")
    README.write_text(updated(current), encoding="utf-8")
