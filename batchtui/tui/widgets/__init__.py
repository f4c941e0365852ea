"""Widgets of the batchtui TUI."""
