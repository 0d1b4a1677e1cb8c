"""The JSON Schema of the conversation format (regenerate: ``python -m shopagent.evals.schema``)."""
