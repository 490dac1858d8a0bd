"""The tamper-evident access log: events, hash chain, signed checkpoints, verification, export.

Modules: ``events`` (what an event says), ``schema`` (tables, triggers, authorizer),
``log`` (append and query), ``checkpoints`` (signed checkpoints and where they are kept),
``verify`` (one-pass verification), ``export`` (signed CSV export).
"""
