"""Credentials and a certificate for the stack's secured listeners, made once per state directory.

Kafka's SASL_PLAINTEXT listener uses the PLAIN mechanism with the users ``admin`` and
``alice``; their passwords are generated on first use and kept in ``secrets/users.json``
(mode 0600) in the state directory. The registry's HTTPS port serves a certificate for
``127.0.0.1`` / ``localhost`` signed by a throw-away CA, both made with the JDK's
``keytool``; clients trust it through ``schema.registry.ssl.ca.location`` = ``tls/ca.pem``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from interchange.errors import StackError
from interchange.kafka.stack.artifacts import require
from interchange.kafka.stack.config import StackConfig

__all__ = ["USERS", "CLIENT_USER", "Tls", "users", "jaas_config", "tls", "client_settings", "write_client_properties"]

USERS = ("admin", "alice")
CLIENT_USER = "alice"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def users(config: StackConfig) -> dict[str, str]:
    """User name -> password for the SASL listener (generated the first time)."""
    path = config.state_dir / "secrets" / "users.json"
    if path.exists():
        stored = json.loads(path.read_text())
        if all(name in stored for name in USERS):
            return {name: str(stored[name]) for name in USERS}
    made = {name: secrets.token_urlsafe(18) for name in USERS}
    _write_private(path, json.dumps(made, indent=2) + "\n")
    return made


def jaas_config(config: StackConfig) -> str:
    """The broker's JAAS line for PLAIN: one ``user_<name>="<password>"`` per user."""
    known = users(config)
    entries = " ".join(f'user_{name}="{password}"' for name, password in known.items())
    login = f'username="admin" password="{known["admin"]}"'
    return f"org.apache.kafka.common.security.plain.PlainLoginModule required {login} {entries};"


@dataclass(frozen=True)
class Tls:
    keystore: Path  # PKCS12 with the server key under alias "server"
    password: str
    ca_pem: Path  # what clients trust


def tls(config: StackConfig) -> Tls:
    """The registry's key store and the CA certificate clients trust (made with keytool once)."""
    home = config.state_dir / "tls"
    keystore, ca_pem, done, csr, cert = (home / n for n in ("server.p12", "ca.pem", ".complete", "server.csr", "server.pem"))
    password_file = config.state_dir / "secrets" / "keystore-password"
    if done.exists() and password_file.exists():
        return Tls(keystore, password_file.read_text().strip(), ca_pem)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)  # the CA's key store is in here too
    for stale in home.iterdir():
        stale.unlink()
    password = secrets.token_urlsafe(18)
    _write_private(password_file, password + "\n")
    keytool = require("keytool")
    ca_store = home / "ca.p12"
    common = ["-storetype", "PKCS12", "-storepass", password, "-keypass", password]
    key = ["-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650"]
    steps = [
        ["-genkeypair", "-alias", "ca", *key, "-dname", "CN=interchange local stack CA", "-ext", "bc:c",
         "-ext", "KeyUsage=keyCertSign,cRLSign", "-keystore", str(ca_store), *common],
        ["-exportcert", "-rfc", "-alias", "ca", "-keystore", str(ca_store), "-storepass", password, "-file", str(ca_pem)],
        ["-genkeypair", "-alias", "server", *key, "-dname", "CN=127.0.0.1", "-keystore", str(keystore), *common],
        ["-certreq", "-alias", "server", "-keystore", str(keystore), "-storepass", password, "-file", str(csr)],
        ["-gencert", "-rfc", "-alias", "ca", "-keystore", str(ca_store), "-storepass", password, "-validity", "3650",
         "-infile", str(csr), "-outfile", str(cert),
         "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "KeyUsage=digitalSignature", "-ext", "ExtendedKeyUsage=serverAuth"],
        ["-importcert", "-noprompt", "-alias", "ca", "-keystore", str(keystore), "-storepass", password, "-file", str(ca_pem)],
        ["-importcert", "-alias", "server", "-keystore", str(keystore), "-storepass", password, "-file", str(cert)],
    ]  # fmt: skip
    for step in steps:
        done_step = subprocess.run([keytool, *step], capture_output=True, text=True)
        if done_step.returncode != 0:
            raise StackError(f"keytool {step[0]} failed making the registry's certificate: {done_step.stdout}{done_step.stderr}")
    done.touch()
    return Tls(keystore, password, ca_pem)


def client_settings(config: StackConfig, user: str = CLIENT_USER) -> dict[str, str]:
    """Standard client settings that reach the secured listeners as ``user``."""
    return {
        "bootstrap.servers": config.sasl_bootstrap_servers,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "PLAIN",
        "sasl.username": user,
        "sasl.password": users(config)[user],
        "schema.registry.url": config.registry_tls_url,
        "schema.registry.ssl.ca.location": str(tls(config).ca_pem),
    }


def write_client_properties(config: StackConfig) -> Path:
    """``sasl-client.properties`` in the state directory, usable as ``--config`` (mode 0600)."""
    path = config.state_dir / "sasl-client.properties"
    lines = ["# Reach the local stack's SASL_PLAINTEXT listener and HTTPS registry (made by `interchange stack up --sasl`)."]
    lines += [f"{key}={value}" for key, value in client_settings(config).items()]
    _write_private(path, "\n".join(lines) + "\n")
    return path
