"""The hub's doors (issue 17, "Security"): every operation of the OpenAPI description refuses a
missing, revoked or expired token (401) and each role not listed for it (403); bodies over
the limits get 413; no path a client names reaches outside the hub's folder; the hub's
database and logs never hold a token in clear; failed sign-ins are limited per address."""

from __future__ import annotations

import hashlib
import json
import logging
import re

import pytest
from helpers import ROOT
from hub_helpers import Hub

from gspace.hub.db import ROLES
from gspace.hub.storage import BadHash, LocalMediaStore

INCIDENT = "熊本豪雨"
SHA = hashlib.sha256(b"photo").hexdigest()
BODIES = {
    ("POST", "/v1/incidents"): {"name": "新しい事案"},
    ("POST", "/v1/tokens"): {"role": "officer", "name": "x", "incident": INCIDENT},
    ("POST", "/v1/incidents/{name}/push"): {"entries": []},
    ("POST", "/v1/incidents/{name}/media/missing"): {"sha256": [SHA]},
    ("POST", "/v1/incidents/{name}/conflicts/{conflict_id}/settle"): {"take": 1},
    ("POST", "/v1/incidents/{name}/reports/{report_id}/status"): {"status": "verified"},
    ("POST", "/v1/incidents/{name}/invites"): {"devices": 3},
    ("POST", "/v1/incidents/{name}/volunteer/reports"): {"id": "abcdefgh", "comment": "冠水"},
}
PARAMS = {
    "name": INCIDENT,
    "sha256": SHA,
    "token_id": "1",
    "conflict_id": "c",
    "report_id": "r",
    "invite_id": "1",
    "invite": "no-such-invite-0123456789",
    "asset": "no-such-file.js",
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("hub"), fail_limit=1_000_000)
    h.state.create(INCIDENT, "test")
    h.state.create("別の事案", "test")
    yield h
    h.close()


def operations():
    spec = json.loads((ROOT / "docs" / "hub-openapi.json").read_text(encoding="utf-8"))
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            yield method.upper(), path, op["x-roles"], op


def call(hub, method, path, token=None, **extra):
    url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
    params = {"offset": 0} if method == "PUT" else {"size": 0} if url.endswith("complete") else {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = BODIES.get((method, path))
    kwargs = {"json": body} if body is not None else {}
    if method == "PUT":
        kwargs = {"content": b"x"}
    return hub.client().request(method, url, params=params, headers=headers, **kwargs, **extra)


OPERATIONS = list(operations())


def test_the_committed_openapi_description_is_the_apps(hub):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import hub_openapi

    committed = (ROOT / "docs" / "hub-openapi.json").read_text(encoding="utf-8")
    assert committed == hub_openapi.description(), "run scripts/hub_openapi.py"
    assert hub.client().get("/openapi.json").json() == json.loads(committed)
    assert len(OPERATIONS) >= 16


@pytest.mark.parametrize(
    "method,path,roles,op", OPERATIONS, ids=[f"{m} {p}" for m, p, *_ in OPERATIONS]
)
def test_every_operation_refuses_a_missing_revoked_or_expired_token_and_other_roles(
    hub, method, path, roles, op
):
    if op.get("x-public"):  # the page's files, and what an invite (the credential) opens
        assert roles == [] and path.startswith(("/v/{invite}", "/v/assets/"))
        r = call(hub, method, path)
        assert r.status_code == 404, r.text  # an unknown invite or file opens nothing
        return
    revoked = hub.token("admin", "元管理者", None)
    [row] = [t for t in hub.state.db.tokens() if t.name == "元管理者"][-1:]
    hub.state.db.revoke(row.id)
    expired = hub.token("admin", "期限切れ", None, days=-1)
    for token in (None, "not-a-token", revoked, expired):
        r = call(hub, method, path, token)
        assert r.status_code == 401, (token, r.status_code, r.text)
    for role in ROLES:
        if role in roles:
            continue
        token = hub.token(
            role, f"{role}さん", INCIDENT if role in ("officer", "volunteer") else None
        )
        r = call(hub, method, path, token)
        assert r.status_code == 403, (role, r.status_code, r.text)
    if "{name}" in path:  # a token tied to another incident
        for role in roles:
            token = hub.token(role, "他の事案の人", "別の事案")
            r = call(hub, method, path, token)
            assert r.status_code == 403, (role, r.status_code, r.text)


@pytest.mark.parametrize(
    "method,path,roles,op", OPERATIONS, ids=[f"{m} {p}" for m, p, *_ in OPERATIONS]
)
def test_every_operation_lets_its_roles_in(hub, method, path, roles, op):
    for role in roles:
        token = hub.token(
            role, f"{role}の人", INCIDENT if role in ("officer", "volunteer") else None
        )
        r = call(hub, method, path, token)
        assert r.status_code not in (401, 403, 429, 500), (role, r.status_code, r.text)


def test_oversized_bodies_get_413(tmp_path):
    hub = Hub(tmp_path / "hub", max_body=10_000, max_chunk=5_000)
    try:
        token = hub.token()
        auth = {"Authorization": f"Bearer {token}"}
        big = {"entries": [{"x": "y" * 20_000}]}
        r = hub.client().post(f"/v1/incidents/{INCIDENT}/push", json=big, headers=auth)
        assert r.status_code == 413

        def stream():  # no Content-Length: counted while it arrives
            for _ in range(20):
                yield b"y" * 1000

        r = hub.client().post(f"/v1/incidents/{INCIDENT}/push", content=stream(), headers=auth)
        assert r.status_code == 413
        url = f"/v1/incidents/{INCIDENT}/uploads/{SHA}"
        r = hub.client().put(url, params={"offset": 0}, content=b"z" * 6_000, headers=auth)
        assert r.status_code == 413
        assert not list((tmp_path / "hub" / "uploads").iterdir())
    finally:
        hub.close()


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "a\x00b", "..", "A" * 64, "../" + SHA]
)
def test_names_cannot_escape_the_hub_folder(tmp_path, name):
    store = LocalMediaStore(tmp_path / "hub")
    with pytest.raises(BadHash):
        store.path(name)
    with pytest.raises(BadHash):
        store.partial(name)


def test_hostile_names_in_requests_stay_inside_the_folder(tmp_path):
    hub = Hub(tmp_path / "hub")
    try:
        for name in ("../../escape", "/tmp/escape", "..\\..\\escape", "evil/../../x", "~"):
            token = hub.token("officer", "田中", name)
            auth = {"Authorization": f"Bearer {token}"}
            from urllib.parse import quote

            r = hub.client().post(
                f"/v1/incidents/{quote(name, safe='')}/push", json={"entries": []}, headers=auth
            )
            assert r.status_code in (200, 404, 422), r.text
        for sha in ("..%2F..%2Fhub.sqlite", "%2Fetc%2Fpasswd", "a%00b", SHA.upper()):
            token = hub.token("admin", "管理者", None)
            r = hub.client().get(
                f"/v1/incidents/x/uploads/{sha}", headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code in (404, 422), (sha, r.status_code)
        hub.state.create("../../escape2", "test")  # a name never becomes a path
        inside = {p.name for p in (tmp_path / "hub" / "incidents").iterdir()}
        assert len(inside) >= 3 and all(re.fullmatch(r"[0-9a-f]{32}", n) for n in inside)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["hub"]
    finally:
        hub.close()


def test_tokens_are_never_kept_or_logged_in_clear(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    hub = Hub(tmp_path / "hub")
    try:
        tokens = [hub.token(role, f"{role}の人", INCIDENT) for role in ROLES]
        for token in tokens:
            hub.client().get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
            hub.client().post(
                f"/v1/incidents/{INCIDENT}/push",
                json={"entries": []},
                headers={"Authorization": f"Bearer {token}"},
            )
        hub.client().post(
            "/v1/tokens",
            json={"role": "officer", "name": "n", "incident": INCIDENT},
            headers={"Authorization": f"Bearer {tokens[0]}"},
        )
        hub.state.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = b"".join(p.read_bytes() for p in (tmp_path / "hub").glob("hub.sqlite*"))
        for token in tokens:
            assert token.encode() not in stored
            assert token not in caplog.text
        assert "push" in caplog.text  # the hub did log these requests
    finally:
        hub.close()


def test_failed_sign_ins_are_limited_per_address(tmp_path):
    hub = Hub(tmp_path / "hub", fail_limit=5)
    try:
        good = hub.token()
        for _ in range(5):
            assert (
                hub.client().get("/v1/whoami", headers={"Authorization": "Bearer nope"}).status_code
                == 401
            )
        r = hub.client().get("/v1/whoami", headers={"Authorization": f"Bearer {good}"})
        assert r.status_code == 429  # even a good token, from this address, for a minute
    finally:
        hub.close()
