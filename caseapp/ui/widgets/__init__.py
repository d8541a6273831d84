"""Shared widgets: the table model/view base, inline messages, progress."""
