"""Ed25519 envelope signatures: canonical bytes, every covered field, keys and their files."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from interchange.cli import app
from interchange.errors import ConfigError, ModelError
from interchange.kafka.modeltopic import signing
from interchange.kafka.modeltopic.envelope import Envelope
from interchange.kafka.registry import AvroCodec
from interchange.resources import avro_schema

SIGNATURE_JSON = '{"inputs": [{"name": "x", "type": "double"}], "outputs": [{"name": "y", "type": "double"}]}'
VERIFICATION_JSON = '{"inputs": {"x": [1.0]}, "expected": {"y": [2.0]}}'


def _envelope(**changes: object) -> Envelope:
    env = Envelope(
        name="iris",
        version=3,
        format="onnx",
        media_type="application/x-onnx",
        document=b"model-bytes",
        sha256=hashlib.sha256(b"model-bytes").hexdigest(),
        size=11,
        signature=SIGNATURE_JSON,
        input_schema_id=7,
        output_schema_id=8,
        verification=VERIFICATION_JSON,
        lineage="{}",
        created_at=1_700_000_000_000,
        publisher="alice",
        chunks=0,
    )
    return replace(env, **changes)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_canonical_bytes_are_the_documented_sorted_json_and_verify_independently(key) -> None:
    env = _envelope()
    env.sign(key)
    expected_json = (
        '{"chunks":0,"format":"onnx","input_schema_id":7,"media_type":"application/x-onnx","name":"iris",'
        f'"output_schema_id":8,"sha256":"{env.sha256}",'
        f'"signature_sha256":"{hashlib.sha256(SIGNATURE_JSON.encode()).hexdigest()}","size":11,'
        f'"verification_sha256":"{hashlib.sha256(VERIFICATION_JSON.encode()).hexdigest()}","version":3}}'
    )
    assert env.signed_fields == expected_json
    scheme, kid, sig = env.publisher_signature.split(":")
    assert scheme == "ed25519-v1"
    raw_public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert kid == hashlib.sha256(raw_public).hexdigest()[:16]
    # verify with cryptography directly over the bytes the module docstring documents
    key.public_key().verify(base64.urlsafe_b64decode(sig), b"interchange-model-envelope\ned25519-v1\n" + expected_json.encode())
    env.check_signature(key.public_key())
    env.check_signature(_pem(key))


COVERED = [
    ("name", "iris2", "name"),
    ("version", 4, "version"),
    ("format", "pmml", "format"),
    ("media_type", "application/xml", "media_type"),
    ("sha256", "0" * 64, "sha256"),
    ("size", 12, "size"),
    ("chunks", 2, "chunks"),
    ("input_schema_id", 70, "input_schema_id"),
    ("output_schema_id", 80, "output_schema_id"),
    ("signature", SIGNATURE_JSON.replace("double", "float"), "signature_sha256"),
    ("verification", VERIFICATION_JSON.replace("2.0", "2.5"), "verification_sha256"),
]


@pytest.mark.parametrize(("field", "value", "named"), COVERED, ids=[c[0] for c in COVERED])
def test_each_covered_field_changed_after_signing_is_refused_and_named(key, field, value, named) -> None:
    env = _envelope()
    env.sign(key)
    tampered = replace(env, **{field: value})
    with pytest.raises(ModelError, match=f"changed after signing: {named} differ") as info:
        tampered.check_signature(key.public_key())
    assert info.value.reason == "tampered"
    # a forger who also rewrites signed_fields breaks the signature itself
    forged = replace(tampered, signed_fields=signing.fields_json(tampered.covered_fields()))
    with pytest.raises(ModelError, match="wrong signature") as info:
        forged.check_signature(key.public_key())
    assert info.value.reason == "bad-signature"
    # and without signed_fields at all the recomputed bytes do not verify either
    with pytest.raises(ModelError, match="wrong signature"):
        replace(tampered, signed_fields=None).check_signature(key.public_key())


def test_informational_fields_are_not_covered(key) -> None:
    env = _envelope()
    env.sign(key)
    replace(env, lineage='{"x": 1}', metrics={"auc": 0.9}, publisher="mallory", created_at=1).check_signature(key.public_key())


def test_unsigned_other_key_forged_key_id_and_old_hmac_are_refused_with_the_reason(key) -> None:
    other = Ed25519PrivateKey.generate()
    env = _envelope()
    with pytest.raises(ModelError, match="is unsigned") as info:
        env.check_signature(key.public_key())
    assert info.value.reason == "unsigned"
    env.check_signature(None)  # no key configured: every version is accepted
    env.check_signature("")

    env.sign(other)
    with pytest.raises(ModelError, match="signed with a different key") as info:
        env.check_signature(key.public_key())
    assert info.value.reason == "other-key"

    # signed by another key but claiming the trusted key's id
    _, _, sig = env.publisher_signature.split(":")
    claimed = replace(env, publisher_signature=f"ed25519-v1:{signing.key_id(key)}:{sig}")
    with pytest.raises(ModelError, match="wrong signature"):
        claimed.check_signature(key.public_key())

    legacy = replace(env, publisher_signature=hashlib.sha256(b"k1").hexdigest())
    with pytest.raises(ModelError, match="old shared-secret HMAC") as info:
        legacy.check_signature(key.public_key())
    assert info.value.reason == "scheme"
    future = replace(env, publisher_signature="ed25519-v9:abc:AAAA")
    with pytest.raises(ModelError, match="scheme 'ed25519-v9'"):
        future.check_signature(key.public_key())
    garbage = replace(env, publisher_signature="ed25519-v1:only-two")
    with pytest.raises(ModelError, match="malformed"):
        garbage.check_signature(key.public_key())


def test_signed_envelope_survives_the_avro_round_trip(key) -> None:
    schema = avro_schema("model_envelope")
    codec = AvroCodec(schema, 1, lambda _: schema)
    env = _envelope()
    env.sign(key)
    back = Envelope.from_record(codec.decode(codec.encode(env.to_record())))
    assert back.signed_fields == env.signed_fields
    back.check_signature(key.public_key())


def test_the_new_fields_have_defaults_so_old_envelopes_still_decode() -> None:
    schema = avro_schema("model_envelope")
    old = {**schema, "fields": [f for f in schema["fields"] if f["name"] != "signed_fields"]}
    old_codec = AvroCodec(old, 1, lambda _: old)
    record = {k: v for k, v in _envelope().to_record().items() if k != "signed_fields"}
    new_codec = AvroCodec(schema, 2, lambda _: old)
    back = Envelope.from_record(new_codec.decode(old_codec.encode(record)))
    assert back.signed_fields is None and back.name == "iris"


def test_keypair_files_load_and_bad_files_raise_config_error(tmp_path: Path) -> None:
    private, public = signing.write_keypair(tmp_path / "keys")
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in private.read_bytes() and b"BEGIN PUBLIC KEY" in public.read_bytes()
    env = _envelope()
    env.sign(private)  # a path works for signing
    env.check_signature(str(public))  # and for verifying
    env.check_signature(signing.load_verify_key(public.read_bytes()))
    with pytest.raises(ConfigError, match="already exists"):
        signing.write_keypair(tmp_path / "keys")

    with pytest.raises(ConfigError, match="does not exist"):
        signing.load_verify_key(tmp_path / "nope.pub")
    (tmp_path / "junk.pub").write_text("not a key")
    with pytest.raises(ConfigError, match="junk.pub is not a PEM public key"):
        signing.load_verify_key(tmp_path / "junk.pub")
    with pytest.raises(ConfigError, match="holds a private key"):
        signing.load_verify_key(private)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.pub").write_bytes(
        ec_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ConfigError, match="not an Ed25519 public key"):
        signing.load_verify_key(tmp_path / "ec.pub")
    with pytest.raises(ConfigError, match="does not exist"):
        env.check_signature(str(tmp_path / "missing.pub"))  # a bad scorer setting is not the model's fault

    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(ConfigError, match="encrypted"):
        signing.load_signing_key(encrypted)
    with pytest.raises(ConfigError, match="not a PEM private key"):
        signing.load_signing_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_keys_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    private, public = signing.write_keypair(tmp_path)
    monkeypatch.delenv("INTERCHANGE_VERIFY_KEY", raising=False)
    monkeypatch.delenv("INTERCHANGE_SIGNING_KEY", raising=False)
    assert signing.verify_key_from_env() is None and signing.signing_key_from_env() is None
    monkeypatch.setenv("INTERCHANGE_VERIFY_KEY", str(public))
    monkeypatch.setenv("INTERCHANGE_SIGNING_KEY", str(private))
    assert signing.key_id(signing.verify_key_from_env()) == signing.key_id(signing.signing_key_from_env())
    monkeypatch.setenv("INTERCHANGE_VERIFY_KEY", str(tmp_path / "gone.pub"))
    with pytest.raises(ConfigError) as info:
        signing.verify_key_from_env()
    assert info.value.key == "INTERCHANGE_VERIFY_KEY"


def test_keygen_command(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["keygen", "--out", str(tmp_path / "k")])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    assert out["key_id"] == signing.key_id(signing.load_verify_key(out["public_key"]))
    assert stat.S_IMODE(os.stat(out["private_key"]).st_mode) == 0o600
    again = runner.invoke(app, ["keygen", "--out", str(tmp_path / "k")])
    assert again.exit_code == 1 and "already exists" in again.output
