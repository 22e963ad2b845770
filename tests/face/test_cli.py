"""`python -m ember dump FILE:FUNC --args ... --stage ...` prints the same as inspect_ir."""
import subprocess
import sys
import textwrap

import pytest

import ember
from ember.ir.parser import parse_module
from ember.ir.verifier import verify_module

SOURCE = textwrap.dedent('''
    import math
    import ember

    @ember.jit
    def hyp(x, n):
        s = 0.0
        for i in range(n):
            s += math.hypot(x, i)
        return s

    def plain(a, b):
        return a // b

    def bad(x):
        return lambda y: y
''')


@pytest.fixture()
def module_file(tmp_path):
    path = tmp_path / "kernels.py"
    path.write_text(SOURCE)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("stage", ["untyped", "typed", "optimized", "llvm", "llvm-optimized", "asm"])
def test_dump_every_stage(module_file, stage):
    out = run("dump", f"{module_file}:hyp", "--args", "float,int", "--stage", stage)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
    if stage in ("typed", "optimized"):
        m = parse_module(out.stdout)
        verify_module(m, typed=True)
        assert "func @hyp(%x: f64, %n: i64) -> f64" in out.stdout
    if stage == "llvm":
        assert "define" in out.stdout


def test_dump_matches_inspect_ir(module_file):
    import importlib.util
    spec = importlib.util.spec_from_file_location("kernels_cli", module_file)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    f = ember.jit(mod.plain)
    text = f.inspect_ir("typed", signature="int,int")
    out = run("dump", f"{module_file}:plain", "--args", "int,int", "--stage", "typed")
    assert out.stdout.strip() == text.strip()
    assert "arith.floordivsi" in text


def test_dump_reports_user_errors(module_file):
    out = run("dump", f"{module_file}:bad", "--args", "float")
    assert out.returncode == 1
    assert "UnsupportedSyntaxError" in out.stderr and "lambda" in out.stderr
    assert "Traceback" not in out.stderr
    assert f"{module_file}" in out.stderr and "^" in out.stderr


def test_dump_bad_target(module_file):
    out = run("dump", f"{module_file}:missing")
    assert out.returncode != 0
    assert "no function 'missing'" in out.stderr
