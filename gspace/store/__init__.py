"""The incident store: an incident folder and its SQLite file (`incident`), the schema and its
migrations (`schema`), the writers that keep every row, index entry and change-log entry
together (`records`) and the read-side queries the window, the CLI and the exports share
(`query`). The sync engine (`gspace.sync`) and the hub build on these; nothing here imports Qt.
"""
