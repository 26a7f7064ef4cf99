"""The phone app's contract beyond the REST calls: incremental sync and the app configuration."""
