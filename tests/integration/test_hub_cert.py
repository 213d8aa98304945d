"""`gspace hub cert`: the hub's own CA and a server certificate that openssl verifies, that a
client trusting only that CA accepts when the hub serves HTTPS under uvicorn, and that a second
run renews without replacing the CA (phones that trusted it keep working)."""

from __future__ import annotations

import shutil
import socket
import ssl
import stat
import subprocess
import threading
import time

import httpx
import pytest
from cryptography import x509
from helpers import run_gspace

from gspace.hub.app import create_app

uvicorn = pytest.importorskip("uvicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_local_ca_certifies_the_hub_for_the_names_phones_use(tmp_path, monkeypatch):
    data = tmp_path / "hub"
    r = run_gspace(
        "hub", "cert", "--data", data, "--host", "hub.lan", "--host", "192.168.1.10", check=True
    )
    assert "gspace hub serve" in r.stdout and "証明書" in r.stdout
    assert "https://hub.lan:8780/v/assets/gspace-hub-ca.crt" in r.stdout
    tls = data / "tls"
    for key in ("ca.key", "hub.key"):
        assert stat.S_IMODE((tls / key).stat().st_mode) == 0o600
    if shutil.which("openssl"):
        verify = subprocess.run(
            ["openssl", "verify", "-CAfile", str(tls / "ca.pem"), str(tls / "hub.pem")],
            capture_output=True,
            text=True,
        )
        assert verify.returncode == 0 and "OK" in verify.stdout, verify.stderr
    [leaf, ca] = x509.load_pem_x509_certificates((tls / "hub.pem").read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"hub.lan", "localhost"}
    assert {str(a) for a in names.get_values_for_type(x509.IPAddress)} == {
        "192.168.1.10",
        "127.0.0.1",
    }
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days <= 826

    asgi, app = create_app(data)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            asgi,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ssl_certfile=str(tls / "hub.pem"),
            ssl_keyfile=str(tls / "hub.key"),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        trusting = ssl.create_default_context(cafile=str(tls / "ca.pem"))
        r = httpx.get(f"https://localhost:{port}/v/assets/gspace-hub-ca.crt", verify=trusting)
        assert r.status_code == 200 and r.content == (tls / "ca.pem").read_bytes()
        assert r.headers["content-type"] == "application/x-x509-ca-cert"
        with pytest.raises(httpx.ConnectError):  # a client that does not trust it refuses
            httpx.get(f"https://localhost:{port}/v/assets/app.js")
        # a laptop's gspace sync (httpx) trusts it through SSL_CERT_FILE, as the README says
        monkeypatch.setenv("SSL_CERT_FILE", str(tls / "ca.pem"))
        assert httpx.get(f"https://localhost:{port}/v/assets/app.js").status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.hub.close()

    ca_before = (tls / "ca.pem").read_bytes()
    leaf_before = (tls / "hub.pem").read_bytes()
    r = run_gspace("hub", "cert", "--data", data, "--host", "hub.lan", check=True)
    assert "kept" in r.stdout
    assert (tls / "ca.pem").read_bytes() == ca_before
    assert (tls / "hub.pem").read_bytes() != leaf_before


def test_a_bad_host_is_one_clear_line(tmp_path):
    r = run_gspace("hub", "cert", "--data", tmp_path / "hub", "--host", "a b/c")
    assert r.returncode != 0 and "not a host name" in r.stderr and "Traceback" not in r.stderr
