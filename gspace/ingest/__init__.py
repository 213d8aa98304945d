"""Bringing files in: photos (and, later, SNS posts and reference layers)."""
