"""Notify: subscriber filters, alert rendering and per-channel delivery through Apprise."""
