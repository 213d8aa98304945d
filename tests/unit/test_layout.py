"""Rules of the code base that a reviewer would otherwise have to remember."""

import ast
import re
import xml.etree.ElementTree as ET

import pytest
from helpers import ROOT

from gspace.catalog import load_catalog
from gspace.cli import cli

QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_gspace_gui_imports_qt():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "gspace").rglob("*.py")
        if "gui" not in p.relative_to(ROOT / "gspace").parts
        and any(m.split(".")[0] in QT_MODULES for m in imported_modules(p))
    ]
    assert offenders == []


@pytest.mark.parametrize("form", sorted((ROOT / "ui").glob("*.ui")), ids=lambda p: p.name)
def test_every_form_has_a_real_window_title(form):
    top = ET.parse(form).getroot().find("widget")
    titles = [
        p.findtext("string") for p in top.findall("property") if p.get("name") == "windowTitle"
    ]
    assert titles and titles[0].strip() and titles[0] != "Form"


def command_names(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from command_names(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_readme_documents_every_command_and_layer_kind():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in command_names(cli) if not re.search(rf"gspace {c}\b", readme)]
    missing += [f"layer kind {k}" for k in load_catalog() if f"`{k}`" not in readme]
    assert missing == []


def test_every_cli_command_has_an_example():
    for name in command_names(cli):
        command = cli
        for part in name.split():
            command = command.commands[part]
        assert "Example:" in (command.help or ""), name


def test_translations_are_complete_and_compiled():
    ts = ROOT / "resources" / "i18n" / "gspace_ja.ts"
    root = ET.parse(ts).getroot()
    unfinished = [
        m.findtext("source")
        for m in root.iter("message")
        if m.find("translation").get("type") == "unfinished"
        or not "".join(m.find("translation").itertext()).strip()
    ]
    assert unfinished == []
    assert ts.with_suffix(".qm").stat().st_size > 1000


def test_the_import_contract_covers_every_module_outside_the_gui():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if "PySide6" in c["forbidden_modules"]
    ]
    package = ROOT / "gspace"
    modules = {f"gspace.{p.stem}" for p in package.glob("*.py") if not p.stem.startswith("_")}
    modules |= {
        f"gspace.{p.name}"
        for p in package.iterdir()
        if (p / "__init__.py").exists() and p.name != "gui"
    }
    assert modules == set(contract["source_modules"])


def test_the_readme_command_reference_is_current():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import cli_reference

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == cli_reference.updated(readme), "run scripts/cli_reference.py"
