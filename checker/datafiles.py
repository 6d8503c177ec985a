"""Data files in parts: a main YAML file and the parts of its ``<stem>.d/`` folder (one per category of items)."""
from __future__ import annotations

from pathlib import Path

import yaml

YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where available, else pure Python


def part_files(main: Path) -> list[Path]:
    """A data file and its parts: ``vocabulary.yaml`` and then every ``vocabulary.d/*.yaml`` by name. A category of
    items (drugs, injections, equipment...) keeps its facts, patterns and reason codes in its own part."""
    folder = main.parent / (main.stem + ".d")
    return [main] + (sorted(folder.glob("*.yaml")) if folder.is_dir() else [])


def merged_section(main: Path, section: str) -> dict:
    """``section`` of a data file merged with its parts; a name given twice is an error naming both files."""
    out: dict = {}
    where: dict = {}
    for f in part_files(main):
        with open(f, encoding="utf-8") as fh:
            data = (yaml.load(fh, Loader=YamlLoader) or {}).get(section) or {}
        for k, v in data.items():
            if k in out:
                raise ValueError(f"{f}: {section} {k!r} is already declared in {where[k]}")
            out[k], where[k] = v, f
    return out
