"""Writing reports and features out: text formats now, maps later."""
