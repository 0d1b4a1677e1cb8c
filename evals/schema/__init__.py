"""The JSON Schema of the conversation format (regenerate: ``python -m evals.schema``)."""
