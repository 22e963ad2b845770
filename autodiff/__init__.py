"""Source-to-source differentiation of typed IR (forward `jvp`, reverse `vjp`).

Both transforms take a typed, scalarized module (ir.passes.optimize with counted=False:
array expressions already lowered to loops, no reference counts yet), add the derived
function to it and return its symbol. The derived function is ordinary typed IR, so the
transforms compose (a derivative of a derivative) and the passes optimize it.

- `jvp(module, entry, wrt)` adds `@<entry>__jvp(primals..., tangents...)` returning
  `tuple<R, T(R)>`: one tangent argument per index in `wrt` (in that order), typed
  `tangent_type` of that primal; the result's tangent typed `tangent_type(R)`.
  `jvp(module, entry, wrt, channels=K)` (K > 1) adds `@<entry>__jvpK(primals..., K x
  tangents...)` returning `tuple<R, K x T(R)>`: K directions in one pass (Hessians use it;
  `forward.Unbatched` when a custom_jvp rule is inside).
- `vjp(module, entry, wrt)` adds `@<entry>__vjp(primals..., cotangent: T(R))` returning
  `tuple<R, tuple<T(arg) for arg in wrt>>`: the primal result and the gradient with respect
  to each argument in `wrt` (a fresh array for an array argument).

A value with no derivative asked for (`wrt` naming an int, a result that is an int) or an op
with no rule raises DifferentiationError at the user's source location.
"""
from ember.autodiff.forward import jvp
from ember.autodiff.reverse import vjp
from ember.autodiff.tangents import is_differentiable, tangent_type

__all__ = ["jvp", "vjp", "tangent_type", "is_differentiable"]
