"""A local certificate authority for the hub (`gspace hub cert`, issue 18).

Phones give a page its service worker (opening with no connection) and the geolocation only
in a secure context: HTTPS with a certificate the phone trusts. A hub on a LAN at a disaster
site has no public name, so no public CA can certify it; instead the hub makes its own CA once
(kept in DIR/tls/, reused by every later run so phones that trusted it keep working) and a
server certificate for the names and addresses phones use. A volunteer installs the CA on the
phone once (the page at /v/assets/gspace-hub-ca.crt, linked by a QR code).

The server certificate lasts 825 days, the most iOS accepts from a private CA; the CA ten
years. Keys are EC P-256, readable only by their owner.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from gspace.errors import GspaceError

TLS = "tls"
CA_CERT, CA_KEY = "ca.pem", "ca.key"
HUB_CERT, HUB_KEY = "hub.pem", "hub.key"
SERVER_DAYS = 825
CA_DAYS = 3650


@dataclass
class Made:
    folder: Path
    ca_created: bool
    names: list[str]

    @property
    def ca(self) -> Path:
        return self.folder / CA_CERT

    @property
    def cert(self) -> Path:
        return self.folder / HUB_CERT

    @property
    def key(self) -> Path:
        return self.folder / HUB_KEY


def make_certificates(data: Path, hosts: list[str]) -> Made:
    """The hub's CA (made once) and a new server certificate for `hosts` (names or IP
    addresses; localhost and 127.0.0.1 are always included) in DATA/tls/."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names = list(dict.fromkeys([*hosts, "localhost", "127.0.0.1"]))
    alt = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            if not name or any(c in name for c in " /:@\x00") or len(name) > 253:
                raise GspaceError(f"not a host name or IP address: {name!r}") from None
            alt.append(x509.DNSName(name))
    folder = data / TLS
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_created = not (folder / CA_CERT).exists()
    if ca_created:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gspace hub"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"gspace hub local CA {now:%Y-%m-%d}"),
            ]
        )
        ca = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write(folder / CA_KEY, _key_pem(ca_key, serialization), private=True)
        _write(folder / CA_CERT, ca.public_bytes(serialization.Encoding.PEM))
    else:
        try:
            ca = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
            ca_key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), None)
        except (OSError, ValueError) as e:
            raise GspaceError(f"cannot read the hub's CA in {folder}: {e}") from None
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(folder / HUB_KEY, _key_pem(key, serialization), private=True)
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    _write(folder / HUB_CERT, chain)
    return Made(folder, ca_created, names)


def _usage(cert_sign: bool):
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key, serialization) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Written under a temporary name and renamed; a private key is never readable by others,
    not even for a moment."""
    partial = path.with_name(path.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    partial.replace(path)
