"""cli: the Typer app and shared options, the Typer-free fast path for `wait`, and the one boundary
that turns every exception into an outcome, an exit code and a document."""
