"""A hub as a real process: `gspace hub serve` under uvicorn on 127.0.0.1 (the fault, process
and PostgreSQL tests start it; killing it is as a power cut)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
from helpers import ROOT

from gspace.hub.db import HubDB
from gspace.store.incident import Incident

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": ""}
INCIDENT = "熊本豪雨"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubProcess:
    """`gspace hub serve --data DIR [extra options]` on a free port of 127.0.0.1 (extra: e.g.
    `--db URL`, `--workers 2`); `client` talks to it over HTTP."""

    def __init__(self, data: Path, *extra: str):
        self.data, self.extra, self.port = data, extra, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data.parent / f"hub-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=60)
        return self._client

    def start(self, token: str, env: dict | None = None) -> HubProcess:
        command = [sys.executable, "-m", "gspace.cli", "hub", "serve", "--data", str(self.data)]
        command += ["--port", str(self.port), *self.extra]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env={**ENV, **(env or {})}
            )
        deadline = time.time() + 60
        while time.time() < deadline and self.proc.poll() is None:
            try:
                r = httpx.get(f"{self.url}/v1/whoami", headers={"Authorization": f"Bearer {token}"})
                if r.status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()  # a hub that never answered is not left running after the test
        raise AssertionError(self.log.read_text())

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


def tokens(data: Path) -> tuple[str, str]:
    db = HubDB(data)
    try:
        return db.create_token("officer", "田中", INCIDENT), db.create_token("admin", "管理", None)
    finally:
        db.close()


def hub_incident(data: Path) -> Incident:
    [folder] = (
        sqlite3.connect(data / "hub.sqlite")
        .execute("SELECT folder FROM incidents WHERE name = ?", (INCIDENT,))
        .fetchone()
    )
    return Incident.open(data / "incidents" / folder)
