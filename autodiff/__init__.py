"""Source-to-source differentiation of typed IR (forward `jvp`, reverse `vjp`).

Empty until the autodiff issue lands: the layer exists so that its place in the pipeline
(typed IR in, typed IR out, between typeinfer and the backend) is fixed from the start.
"""
