"""Every command is documented in README.md, and the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from classifier.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def command_names() -> set[str]:
    root = get_command(app)
    names = set()
    for name, command in root.commands.items():
        subcommands = getattr(command, "commands", None)
        names |= {f"{name} {sub}" for sub in subcommands} if subcommands else {name}
    return names


def test_every_command_is_in_the_readme():
    for name in command_names():
        assert f"wiretag {name}" in README, f"`wiretag {name}` is not documented in README.md"


def test_every_option_the_readme_shows_exists():
    root = get_command(app)
    for name in command_names():
        parts = name.split()
        command = root.commands[parts[0]] if len(parts) == 1 else root.commands[parts[0]].commands[parts[1]]
        known = {opt for param in command.params for opt in param.opts}
        usage = re.findall(rf"^wiretag {re.escape(name)} (.*(?:\n {{4,}}.*)*)", README, re.M)
        for line in usage:
            for option in re.findall(r"(--[a-z-]+)", line):
                assert option in known or option.replace("--no-", "--") in known or option == "--help", (name, option)


def test_ci_runs_exactly_the_readme_test_command():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m pip install -e '.[dev]' && python3 -m pytest"
    assert command in README and command in ci
