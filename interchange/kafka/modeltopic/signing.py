"""Ed25519 publisher signatures for model envelopes: keys, canonical bytes, sign, verify.

Why: a scorer loads and runs whatever the model topic hands it. A shared secret (the old HMAC)
lets every scorer forge a model; with Ed25519 only publishers hold the private key and scorers
hold the public key, so a scorer can check a version but never mint one.

What is signed (scheme ``ed25519-v1``): the *canonical bytes*

    b"interchange-model-envelope\\n" + b"ed25519-v1\\n" + JSON

where JSON is ``json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)``
of exactly these envelope fields, everything the scorer acts on:

    name, version, format, media_type, sha256, size, chunks,
    input_schema_id, output_schema_id,
    signature_sha256     sha256 (hex) of the signature (contract) JSON, UTF-8
    verification_sha256  sha256 (hex) of the verification cases JSON, UTF-8

The document itself is covered through ``sha256`` and ``size`` (``Envelope.to_document`` refuses
bytes that do not match them, chunked or inline). ``lineage``, ``metrics``, ``publisher`` and
``created_at`` are informational and not covered. The envelope carries the signed JSON in
``signed_fields`` (so a refusal can name the field changed after signing) and the signature in
``publisher_signature`` as ``ed25519-v1:<key id>:<base64url signature>``; the key id is the first
16 hex digits of the sha256 of the raw 32-byte public key (``key_id``). A later scheme gets a new
prefix; verifiers refuse schemes they do not know.

Keys are standard PEM files: PKCS#8 private keys (``interchange.key``, mode 0600) and
SubjectPublicKeyInfo public keys (``interchange.pub``), as written by ``interchange keygen``
(``write_keypair``) or ``openssl genpkey -algorithm ed25519``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from interchange.errors import ConfigError

__all__ = [
    "SCHEME",
    "SIGNING_KEY_ENV",
    "VERIFY_KEY_ENV",
    "KeySource",
    "canonical_bytes",
    "covered_fields",
    "key_id",
    "load_signing_key",
    "load_verify_key",
    "sign_fields",
    "signing_key_from_env",
    "verify_key_from_env",
    "write_keypair",
]

SCHEME = "ed25519-v1"
SIGNING_KEY_ENV = "INTERCHANGE_SIGNING_KEY"  # path of a publisher's private key
VERIFY_KEY_ENV = "INTERCHANGE_VERIFY_KEY"  # path of the public key a scorer trusts
_DOMAIN = b"interchange-model-envelope\n"

KeySource = str | os.PathLike[str] | bytes
"""A key given as a file path (str or Path) or as the PEM bytes themselves."""


def covered_fields(
    *,
    name: str,
    version: int,
    format: str,
    media_type: str,
    sha256: str,
    size: int,
    chunks: int,
    input_schema_id: int,
    output_schema_id: int,
    signature: str,
    verification: str,
) -> dict[str, Any]:
    """The ``ed25519-v1`` field set of one envelope (large JSON fields by their sha256)."""
    return {
        "name": name,
        "version": int(version),
        "format": format,
        "media_type": media_type,
        "sha256": sha256,
        "size": int(size),
        "chunks": int(chunks),
        "input_schema_id": int(input_schema_id),
        "output_schema_id": int(output_schema_id),
        "signature_sha256": hashlib.sha256(signature.encode()).hexdigest(),
        "verification_sha256": hashlib.sha256(verification.encode()).hexdigest(),
    }


def fields_json(fields: Mapping[str, Any]) -> str:
    """The canonical JSON text of a field set: sorted keys, no spaces, ASCII only."""
    return json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def canonical_bytes(fields_text: str, scheme: str = SCHEME) -> bytes:
    """The exact bytes an ``ed25519-v1`` signature is made over (see the module docstring)."""
    return _DOMAIN + scheme.encode() + b"\n" + fields_text.encode()


def key_id(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """A short fingerprint of a public key: 16 hex digits of the sha256 of its raw bytes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_fields(key: Ed25519PrivateKey, fields_text: str) -> str:
    """The ``publisher_signature`` value for a canonical field JSON: ``ed25519-v1:<key id>:<sig>``."""
    signature = key.sign(canonical_bytes(fields_text))
    return f"{SCHEME}:{key_id(key)}:{base64.urlsafe_b64encode(signature).decode()}"


def parse_signature(value: str) -> tuple[str, str, bytes]:
    """Split a ``publisher_signature`` into (scheme, key id, signature bytes); ValueError when malformed."""
    scheme, _, rest = value.partition(":")
    kid, _, encoded = rest.partition(":")
    if not scheme or not kid or not encoded:
        raise ValueError("expected <scheme>:<key id>:<base64 signature>")
    try:
        raw = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"signature is not base64url: {exc}") from exc
    return scheme, kid, raw


def verify_bytes(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is ``key``'s Ed25519 signature of ``data``."""
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


# --- keys -------------------------------------------------------------------------------


def _read_pem(source: KeySource, what: str, env: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "the given PEM bytes"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise ConfigError(f"{what} file {path} does not exist (create a pair with `interchange keygen`)", key=env) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file {path}: {exc.strerror}", key=env) from None


def load_verify_key(source: KeySource | Ed25519PublicKey) -> Ed25519PublicKey:
    """The Ed25519 public key a scorer trusts, from a PEM file path, PEM bytes, or a loaded key.

    ConfigError names the file when it is missing, not PEM, a private key, or not Ed25519.

    Example::

        key = load_verify_key("keys/interchange.pub")
        envelope.check_signature(key)
    """
    if isinstance(source, Ed25519PublicKey):
        return source
    data, where = _read_pem(source, "public key", VERIFY_KEY_ENV)
    if b"PRIVATE KEY" in data:
        raise ConfigError(
            f"{where} holds a private key; a scorer needs only the public key (interchange.pub)", key=VERIFY_KEY_ENV
        )
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where} is not a PEM public key (SubjectPublicKeyInfo): {exc}", key=VERIFY_KEY_ENV) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{where} holds a {type(key).__name__}, not an Ed25519 public key", key=VERIFY_KEY_ENV)
    return key


def load_signing_key(source: KeySource | Ed25519PrivateKey) -> Ed25519PrivateKey:
    """A publisher's Ed25519 private key from a PKCS#8 PEM file path, PEM bytes, or a loaded key."""
    if isinstance(source, Ed25519PrivateKey):
        return source
    data, where = _read_pem(source, "private key", SIGNING_KEY_ENV)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ConfigError(f"{where} is an encrypted private key; give an unencrypted PKCS#8 key", key=SIGNING_KEY_ENV) from None
    except ValueError as exc:
        raise ConfigError(f"{where} is not a PEM private key (PKCS#8): {exc}", key=SIGNING_KEY_ENV) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{where} holds a {type(key).__name__}, not an Ed25519 private key", key=SIGNING_KEY_ENV)
    return key


def verify_key_from_env() -> Ed25519PublicKey | None:
    """The public key named by ``INTERCHANGE_VERIFY_KEY``, or None when it is unset or empty."""
    path = os.environ.get(VERIFY_KEY_ENV)
    return load_verify_key(path) if path else None


def signing_key_from_env() -> Ed25519PrivateKey | None:
    """The private key named by ``INTERCHANGE_SIGNING_KEY``, or None when it is unset or empty."""
    path = os.environ.get(SIGNING_KEY_ENV)
    return load_signing_key(path) if path else None


def write_keypair(out: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write a new ``interchange.key`` (PKCS#8, mode 0600) and ``interchange.pub`` into ``out``.

    Refuses to overwrite an existing key file (ConfigError): losing a publisher key means every
    scorer must be given a new public key.
    """
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / "interchange.key", directory / "interchange.pub"
    for path in (private_path, public_path):
        if path.exists():
            raise ConfigError(f"{path} already exists; choose another --out directory or remove it first", key="out")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    os.chmod(private_path, 0o600)  # the umask may have narrowed it further, never widened it; make it exact
    public_path.write_bytes(public_pem)
    return private_path, public_path
