"""Command line: `python -m ember dump path/to/file.py:func --args "float,int" --stage typed`;
`python -m ember cache list [FOLDER]` and `python -m ember cache clear [FOLDER]` (the disk
cache, docs/caching.md)."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from ember.compiler import STAGES
from ember.errors import CompileError
from ember.signature import parse_signature


def load_function(target: str) -> Any:
    """`path/to/file.py:func` -> the Python function (unwrapping an ember dispatcher)."""
    path, sep, name = target.rpartition(":")
    if not sep or not path:
        raise SystemExit(f"ember: expected FILE.py:FUNCTION, got {target!r}")
    file = Path(path).resolve()
    spec = importlib.util.spec_from_file_location(file.stem, file)
    if spec is None or spec.loader is None:
        raise SystemExit(f"ember: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[file.stem] = module
    spec.loader.exec_module(module)
    try:
        obj = getattr(module, name)
    except AttributeError:
        raise SystemExit(f"ember: {path} has no function {name!r}") from None
    return getattr(obj, "__ember_function__", obj)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ember", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump", help="print one stage of the compiler for a function")
    dump.add_argument("target", help="path/to/file.py:function")
    dump.add_argument("--args", default="", help='argument types, e.g. "float,int"')
    dump.add_argument("--stage", default="typed", choices=STAGES)
    cache = sub.add_parser("cache", help="list or clear the disk cache of cache=True functions")
    cache.add_argument("action", choices=("list", "clear"))
    cache.add_argument("folder", nargs="?", default=None,
                       help="a cache folder or source tree (default: EMBER_CACHE_DIR, or the "
                            "user cache folder and the current directory)")
    ns = parser.parse_args(argv)
    if ns.command == "cache":
        from ember import cache_cli

        return cache_cli.list_entries(ns.folder) if ns.action == "list" else cache_cli.clear(ns.folder)

    import ember

    fn = load_function(ns.target)
    try:
        print(ember.jit(fn).inspect_ir(ns.stage, signature=parse_signature(ns.args)))
    except CompileError as err:
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
