"""Projection of envelopes into NoETL's PostgreSQL table `noetl.event` and back.

pgtypes (what PostgreSQL does to each value) -> row (envelope <-> row mapping) -> predict (the
`projectable` check, `validate --project`; findings: the native engine's answer it words); db
(psycopg: DDL, batched inserts, selects) -> project_cmd / export_cmd (the `project` and `export`
commands). Only db imports psycopg.

Nothing is imported here: the CLI builds its parser from project_cmd / export_cmd, which must
stay cheap (the generated dataclass may be missing while `gen` runs).
"""
