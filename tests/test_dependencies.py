"""The dependency files say what the code uses, and the README says what `make test` runs."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".venv", "node_modules", "var", ".git", "static"}
REQUIREMENTS = ["requirements.txt", "requirements-tools.txt", "requirements-dev.txt"]


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> set[str]:
    names = set()
    for file in REQUIREMENTS:
        for line in (ROOT / file).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-r"):
                assert "==" in line, f"{file}: {line} is not pinned"
                names.add(_normalised(re.split(r"[\[=]", line, maxsplit=1)[0]))
    return names


def _imported_top_levels() -> set[str]:
    first_party = {path.name for path in ROOT.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    found = set()
    for path in ROOT.rglob("*.py"):
        if SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - first_party - set(sys.stdlib_module_names)


def test_every_third_party_import_is_pinned_in_a_requirements_file():
    distributions = packages_distributions()
    pinned = _pinned()
    unpinned = {
        module: distributions.get(module, ["not installed"])
        for module in _imported_top_levels()
        if not pinned & {_normalised(name) for name in distributions.get(module, [])}
    }
    assert not unpinned, f"imported but pinned in none of {REQUIREMENTS}: {unpinned}"


def _make_test_commands() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "no test target in the Makefile"
    workers = re.search(r"^PYTEST_WORKERS \?= (\d+)$", makefile, re.MULTILINE)
    assert workers, "no PYTEST_WORKERS in the Makefile"
    commands = []
    for line in recipe.group(1).splitlines():
        command = re.sub(r"^(\s*[A-Z_]+=\S+\s+)+", "", line.strip())  # the environment of the command
        command = command.replace("$(VENV)/bin/", "").replace("$(MANAGE)", "manage.py").removeprefix("./")
        command = command.replace("$(PYTEST_WORKERS)", workers[1]).replace(" $(PYTEST_ARGS)", "")
        commands.append(command)
    return commands


def test_the_readme_lists_what_make_test_runs_in_order():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("`make test` runs, in this order") :]
    section = section[: section.index("\n\n", section.index("\n1. "))]
    listed = re.findall(r"^\d+\. `([^`]+)`", section, re.MULTILINE)
    assert listed == _make_test_commands()
