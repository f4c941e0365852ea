"""Tables, JSON and charts as strings; no textual, no I/O."""
