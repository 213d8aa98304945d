"""The desktop app: the only part of gspace that imports Qt. It calls the same core functions as
the command line."""
