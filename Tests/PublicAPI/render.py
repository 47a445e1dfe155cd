#!/usr/bin/env python3
"""Prints the public API of Letterbox's library modules, one declaration per line, sorted.

Reads the symbol graphs `swift package dump-symbol-graph` writes (the folder is the argument).
A line is `Module[@ExtendedModule]  path  declaration`; doc comments and source locations are left
out, so only a change to what users can call changes the list.
"""
import json
import pathlib
import sys

# The executables, the test support and the C shims are not API.
NOT_API = {"CSystemShims", "TestSupport", "letterbox", "letterbox_bench"}


def main(folder: str) -> None:
    lines = set()
    for path in sorted(pathlib.Path(folder).glob("*.symbols.json")):
        module = path.name.removesuffix(".symbols.json")
        if module.split("@")[0] in NOT_API or "Tests" in module:
            continue
        graph = json.loads(path.read_text())
        for symbol in graph["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            declaration = "".join(f["spelling"] for f in symbol.get("declarationFragments", []))
            path_name = ".".join(symbol["pathComponents"])
            lines.add(f"{module}  {path_name}  {' '.join(declaration.split())}")
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
