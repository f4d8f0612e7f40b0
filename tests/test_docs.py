"""The README stays true: every command option, environment variable and kind of rejection is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from sitrep.cli import build_parser
from sitrep.model import Problem

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_docs_every_option_of_every_command_is_in_the_readme(command):
    assert f"sitrep {command}" in README
    for action in _subcommands()[command]._actions:
        options = [o for o in action.option_strings if o not in ("-h", "--help")]
        assert not options or any(re.search(rf"{o}\b", README) for o in options), f"sitrep {command} {options}"


def test_docs_every_environment_variable_is_in_the_readme():
    names = {name for path in (ROOT / "src" / "sitrep").glob("*.py")
             for name in re.findall(r"\b(SITREP_[A-Z_]+)\b", path.read_text("utf-8"))}
    assert len(names) >= 5
    assert sorted(n for n in names if f"${n}" not in README and f"`{n}`" not in README) == []


def test_docs_every_kind_of_rejection_is_in_the_readme():
    section = README.split("## Robustness", 1)[1].split("\n## ", 1)[0]
    assert [kind.value for kind in Problem if f"`{kind.value}`" not in section] == []
