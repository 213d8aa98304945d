"""Where `gspace sync` keeps a hub's token: never in store.sqlite (an incident folder is copied
to USB sticks and other laptops). The user's keyring when one works on this machine, else a
file only the user can read (0600) in the user's config folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

SERVICE = "gspace-hub"


def _keyring():
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__:
            return None
        return keyring
    except Exception:  # no keyring package, or none usable here
        return None


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "gspace"


def _file() -> Path:
    return config_dir() / "hub-tokens.json"


def save(url: str, token: str) -> str:
    """Keep `token` for the hub at `url`; returns where ("keyring" or the file's path)."""
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(SERVICE, url, token)
            return "keyring"
        except Exception:
            pass
    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True)
    known = _read(path)
    known[url] = token
    partial = path.with_name(path.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(known, f)
    os.chmod(partial, 0o600)
    partial.replace(path)
    return str(path)


def load(url: str) -> str | None:
    ring = _keyring()
    if ring is not None:
        try:
            found = ring.get_password(SERVICE, url)
            if found:
                return found
        except Exception:
            pass
    return _read(_file()).get(url)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
