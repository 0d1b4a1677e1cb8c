"""shopagent: settings, CLI and errors shared by every package."""
