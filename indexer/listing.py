"""The files under the folders named on the command line, in a stable order, and what is left out
of them (links that lead elsewhere, loops, unreadable folders) with a reason."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from indexer.raw import Rejected


def display(path: Path | str) -> str:
    """A path as text that can be stored and shown: bytes that are not UTF-8 in a file name (0xFF)
    become \\xff escapes instead of surrogates that Elasticsearch refuses."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def iter_files(paths: list[Path], follow_links: bool = False) -> Iterator[tuple[Path, str] | Rejected]:
    """(file, its key) for every file under the given paths, in a stable order; hidden files are
    skipped. The key is the path from the folder that was named ("bbc/business/001.txt").

    Symbolic links are read only when they point inside the folders named (follow_links: anywhere);
    a link that leads outside, a broken one, a loop and a linked folder are Rejected with that reason,
    so nothing outside the archive becomes searchable by accident."""
    roots = [p.resolve() for p in paths]
    seen_dirs: set[Path] = set()
    named: dict[str, Path] = {}  # keys of the files named one by one

    def allowed(target: Path) -> bool:
        return follow_links or any(target == root or root in target.parents for root in roots)

    def link_problem(path: Path) -> str | None:
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop"
        except OSError:
            return "broken symbolic link (its target does not exist)"
        if not allowed(target):
            return f"symbolic link to {display(target)}, outside the folders being indexed (not followed)"
        return None

    def walk(folder: Path, top: Path) -> Iterator[tuple[Path, str] | Rejected]:
        real = folder.resolve()
        if real in seen_dirs:
            yield Rejected(display(folder), "symbolic link loop: this folder was already read")
            return
        seen_dirs.add(real)
        try:
            children = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            yield Rejected(display(folder), f"unreadable folder: {exc.strerror or exc}")
            return
        for child in children:
            if child.name.startswith("."):
                continue
            if child.is_symlink():
                problem = link_problem(child)
                if problem:
                    yield Rejected(display(child), problem)
                    continue
            if child.is_dir():
                if child.is_symlink() and not follow_links:
                    yield Rejected(display(child), "symbolic link to a folder (not followed; --follow-links reads it)")
                    continue
                yield from walk(child, top)
            elif child.is_file():
                yield child, display(child.relative_to(top.parent))
            elif child.exists():
                yield Rejected(display(child), "not a regular file (device, pipe or socket)")

    for path in paths:
        if path.is_symlink() and (problem := link_problem(path)) and "outside" not in problem:
            yield Rejected(display(path), problem)  # named on the command line: followed unless broken
            continue
        if path.is_dir():
            yield from walk(path.absolute(), path.absolute())
        else:
            yield path.absolute(), named_key(path.absolute(), named)


def named_key(path: Path, named: dict[str, Path]) -> str:
    """The key of a file named on the command line: its folder and name, as if the folder had been
    named ("business/001.txt"), so `morgue index bbc/business/001.txt bbc/sport/001.txt` is two
    articles; a key another named file already has in this run falls back to the whole path."""
    key = display(path.relative_to(path.parent.parent)) if path.parent != path.parent.parent else display(path.name)
    if named.setdefault(key, path) != path:
        key = display(path)
        named[key] = path
    return key
