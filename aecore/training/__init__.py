"""Training: the loop with callbacks and no UI (``fit``) and the named recipes every entry point
trains through (``recipes``: the Train page, the CLI, the job queue, the shipped models)."""
