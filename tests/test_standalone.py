"""The repository stands alone: nothing in it cites a file outside it.

Scenario files quote the source passage they model and name its id in docs/sources.md; the
catalogue, metric definitions and validation figures are docs of the repository; and every
relative link in the README and docs/ reaches a file that is here.
"""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from conftest import MODELS, ROOT

# Names of what is not in the repository, split so that this file does not match itself.
OUTSIDE = ["DESIGN" + ".md", "STYLE" + " lesson", ".." + "/shared", "shared" + "/seeds"]
SOURCE_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")  # the saved copies' file names
SOURCE_ID = re.compile(r"(?<![0-9A-Za-z_])S\d+(?![0-9A-Za-z_])")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def repository_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in out.splitlines() if (ROOT / name).is_file()]


def text_of(name: str) -> str | None:
    data = (ROOT / name).read_bytes()
    if b"\0" in data:
        return None  # binary
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_no_file_cites_what_is_not_in_the_repository():
    found = []
    for name in repository_files():
        text = text_of(name)
        if text is None:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            hits = [w for w in OUTSIDE if w in line] + SOURCE_FILE.findall(line)
            found += [f"{name}:{i}: {hit}" for hit in hits]
    assert found == []


def defined_sources() -> set[str]:
    """The ids of docs/sources.md's table, one row per source: | S1 | ..."""
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| (S\d+) \|", text, re.M))


def test_sources_defines_its_ids():
    assert defined_sources() >= {"S1", "S2", "S3", "S4", "S5"}


@pytest.mark.parametrize("path", [*MODELS, *sorted((ROOT / "docs" / "calibration").glob("*.toml"))],
                         ids=lambda p: p.stem)
def test_every_scenario_source_names_a_defined_source(path):
    source = tomllib.loads(path.read_text(encoding="utf-8"))["scenario"]["source"]
    cited = set(SOURCE_ID.findall(source))
    assert cited, f"{path.name}: source names no source id of docs/sources.md"
    assert cited <= defined_sources(), f"{path.name}: {sorted(cited - defined_sources())} undefined"


def links(path) -> list[str]:
    """Relative link targets of a Markdown file, outside fenced code."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:|#", t)]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_relative_links_reach_a_file_in_the_repository(path):
    broken = [t for t in links(path) if not (path.parent / t.split("#")[0]).exists()]
    assert broken == []
    assert all((path.parent / t.split("#")[0]).resolve().is_relative_to(ROOT) for t in links(path))
