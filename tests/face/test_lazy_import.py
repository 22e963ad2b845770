"""`import ember` loads no compiler layer (the import-time budget of issue 7): checked by
what a fresh interpreter has imported, never by a clock."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HEAVY = ("llvmlite", "numpy", "ember.frontend", "ember.typeinfer", "ember.ir.passes",
         "ember.backend", "ember.autodiff", "ember.compiler", "ember.derivatives")


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "script.py"  # a file: the frontend reads a function's source
        path.write_text(script)
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                             check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _loaded(mods: set[str], prefix: str) -> bool:
    return any(m == prefix or m.startswith(prefix + ".") for m in mods)


def test_import_ember_loads_no_compiler_layer() -> None:
    mods = _modules_after("import ember")
    assert not [h for h in HEAVY if _loaded(mods, h)]


def test_decorating_compiles_nothing_and_the_first_call_loads_the_layers() -> None:
    mods = _modules_after("import ember\n@ember.jit\ndef f(x):\n    return x + 1\n")
    assert not [h for h in HEAVY if _loaded(mods, h)]
    mods = _modules_after("import ember\n@ember.jit\ndef f(x):\n    return x + 1\n"
                          "assert f(1.0) == 2.0")
    assert _loaded(mods, "llvmlite") and _loaded(mods, "ember.backend")


def test_lazy_public_names_resolve() -> None:
    mods = _modules_after("import ember\nassert ember.grad is ember.derivatives.grad\n"
                          "from ember import value_and_grad, Derivative\n"
                          "assert callable(ember.compiler.compile_specialization)\n"
                          "assert 'grad' in dir(ember)")
    assert _loaded(mods, "ember.derivatives")
