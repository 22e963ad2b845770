"""The environment of the SSA builder: Python variable name -> current SSA value.

Besides user variables it holds the control flags that lower `break`, `continue` and
`return` (the IR has no jumps). Their keys start with '@' so they can never clash with a
Python name; `FLAG_HINTS` gives the name printed for them.
"""
from __future__ import annotations

from ember.ir.core import Value

from .assigned import BREAK, CONTINUE, RETURN

BROKE = "@broke"        # the innermost loop has executed `break`
CONTINUED = "@cont"     # the current loop iteration has executed `continue`
RETURNED = "@returned"  # the function has executed `return`
RETVAL = "@retval"      # the value of that `return`
COUNTER = "@counter"    # the hidden induction variable of a for-range turned scf.while

FLAG_HINTS = {BROKE: "broke", CONTINUED: "continued", RETURNED: "returned", RETVAL: "retval",
              COUNTER: "counter"}
EXIT_FLAG = {BREAK: BROKE, CONTINUE: CONTINUED, RETURN: RETURNED}

Env = dict[str, Value]


def hint(name: str) -> str:
    """The printed name hint for an environment key."""
    return FLAG_HINTS.get(name, name)
