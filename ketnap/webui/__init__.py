"""The thin Flask layer: app factory, CLI commands (and, from [2/7], the web UI)."""
