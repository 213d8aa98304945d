"""The HQ hub (issue 17): laptops push and pull change-log entries over HTTP, photos move by
hash in resumable chunks, and every request is checked against a token and its role.

The hub keeps each incident as an ordinary incident folder and merges with the sync engine
unchanged (gspace.sync.merge.apply_entries); what only the hub needs (tokens, the incidents it
holds, rate-limit state, restamped entries, upload counters) lives in `hub.sqlite` beside them.
With `--db postgresql://…` all of that and each incident's change log live in PostgreSQL
instead, and several hub processes share them (pg_state.py).
Nothing here imports Qt or gspace.gui.
"""
