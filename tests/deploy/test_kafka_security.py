"""Kafka security settings: the aiokafka keyword arguments and the Faust credentials they yield.

Pure: no broker. Certificates are made with the ``openssl`` command in a temporary directory.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import faust
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from faust.types.auth import AuthProtocol, SASLMechanism

from pipeline.app import create_app
from pipeline.kafka import clients
from pipeline.kafka.security import faust_credentials
from pipeline.settings import Settings
from tests.deploy import _support as sup


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throw-away CA and a client certificate signed by it (PEM files)."""
    assert shutil.which("openssl"), "the openssl command is needed to make test certificates"
    d = tmp_path_factory.mktemp("pki")
    ca_key, ca = d / "ca.key", d / "ca.pem"
    key, csr, cert = d / "client.key", d / "client.csr", d / "client.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key),
             "-out", str(ca), "-days", "2", "-subj", "/CN=edi-mesh test CA")  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
             "-subj", "/CN=edi-mesh")  # fmt: skip
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-out", str(cert), "-days", "2")  # fmt: skip
    return {"ca": ca, "cert": cert, "key": key, "ca_key": ca_key}


def _ca_names(ctx: ssl.SSLContext) -> set[str]:
    return {
        value for cert in ctx.get_ca_certs() for rdn in cert["subject"] for key, value in rdn
        if key == "commonName"
    }  # fmt: skip


def _sasl_ssl(pki: dict[str, Path], **extra: Any) -> Settings:
    return Settings(
        broker="b-1.kafka.test:9096,b-2.kafka.test:9096",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="edi-mesh",
        sasl_password="s3cret",
        ssl_cafile=pki["ca"],
        **extra,
    )


def test_sasl_ssl_aiokafka_kwargs(pki: dict[str, Path]) -> None:
    """SASL_SSL + SCRAM-SHA-512 gives the SASL fields and a verifying TLS context with our CA."""
    sec = _sasl_ssl(pki).kafka_security()
    assert set(sec) == {
        "security_protocol",
        "sasl_mechanism",
        "sasl_plain_username",
        "sasl_plain_password",
        "ssl_context",
    }
    assert sec["security_protocol"] == "SASL_SSL"
    assert sec["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (sec["sasl_plain_username"], sec["sasl_plain_password"]) == ("edi-mesh", "s3cret")
    ctx = sec["ssl_context"]
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert "edi-mesh test CA" in _ca_names(ctx)


@pytest.mark.parametrize(
    ("protocol", "keys"),
    [
        ("PLAINTEXT", {"security_protocol"}),
        ("SASL_PLAINTEXT", {"security_protocol", "sasl_mechanism", "sasl_plain_username",
                            "sasl_plain_password"}),
        ("SSL", {"security_protocol", "ssl_context"}),
    ],
)  # fmt: skip
def test_other_protocols_only_add_what_they_need(protocol: str, keys: set[str]) -> None:
    """No TLS context without TLS, no SASL fields without SASL."""
    sec = Settings(security_protocol=protocol).kafka_security()  # type: ignore[arg-type]
    assert set(sec) == keys and sec["security_protocol"] == protocol


def test_mutual_tls_loads_the_client_certificate(pki: dict[str, Path]) -> None:
    """SSL with a client certificate builds; a key that does not match the certificate fails."""
    good = Settings(security_protocol="SSL", ssl_cafile=pki["ca"], ssl_certfile=pki["cert"],
                    ssl_keyfile=pki["key"])  # fmt: skip
    assert isinstance(good.kafka_security()["ssl_context"], ssl.SSLContext)
    creds = faust_credentials(good)
    assert isinstance(creds, faust.SSLCredentials) and creds.protocol is AuthProtocol.SSL
    bad = good.model_copy(update={"ssl_keyfile": pki["ca_key"]})
    with pytest.raises(ssl.SSLError):
        bad.kafka_security()


def test_sasl_ssl_faust_credentials(pki: dict[str, Path]) -> None:
    """Faust gets SASL credentials over TLS, and its aiokafka driver derives the same kwargs."""
    settings = _sasl_ssl(pki)
    creds = faust_credentials(settings)
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.protocol is AuthProtocol.SASL_SSL
    assert creds.mechanism is SASLMechanism.SCRAM_SHA_512
    assert (creds.username, creds.password) == ("edi-mesh", "s3cret")
    assert creds.ssl_context is not None and "edi-mesh test CA" in _ca_names(creds.ssl_context)

    # what Faust's transport hands aiokafka equals what our own clients get
    faust_kwargs = dict(credentials_to_aiokafka_auth(creds))
    ours = settings.kafka_security()
    assert set(faust_kwargs) == set(ours)
    assert {k: v for k, v in faust_kwargs.items() if k != "ssl_context"} == {
        k: v for k, v in ours.items() if k != "ssl_context"
    }
    assert _ca_names(faust_kwargs["ssl_context"]) == _ca_names(ours["ssl_context"])

    app = create_app(settings)
    assert isinstance(app.conf.broker_credentials, faust.SASLCredentials)
    assert app.conf.broker_credentials.mechanism is SASLMechanism.SCRAM_SHA_512
    assert [str(u) for u in app.conf.broker] == [
        "kafka://b-1.kafka.test:9096",
        "kafka://b-2.kafka.test:9096",
    ]


def test_plaintext_has_no_faust_credentials() -> None:
    """PLAINTEXT (Tansu, the compose network) passes no credentials to Faust."""
    settings = Settings()
    assert faust_credentials(settings) is None
    assert create_app(settings).conf.broker_credentials is None


async def test_aiokafka_clients_carry_the_security_settings(pki: dict[str, Path]) -> None:
    """The producer and consumer factories pass SASL_SSL through to the aiokafka client."""
    settings = _sasl_ssl(pki)
    producer = clients.producer(settings)
    consumer = clients.consumer(settings, "edi.inbound")
    try:
        for c in (producer.client, consumer._client):  # never started: no connection is made
            assert c._security_protocol == "SASL_SSL"
            assert c._sasl_mechanism == "SCRAM-SHA-512"
            assert (c._sasl_plain_username, c._sasl_plain_password) == ("edi-mesh", "s3cret")
            assert "edi-mesh test CA" in _ca_names(c._ssl_context)
            assert c._bootstrap_servers == ["b-1.kafka.test:9096", "b-2.kafka.test:9096"]
    finally:
        await consumer.stop()
        await producer.stop()


def test_documented_sasl_environment(pki: dict[str, Path], dockerfile_env: dict[str, str]) -> None:
    """The env block of docker-compose.sasl.yml, as a worker reads it, yields SASL_SSL clients."""
    worker = sup.load_compose(sup.SASL)["services"]["worker"]
    env = {**dockerfile_env, **{k: str(v) for k, v in worker["environment"].items()}}
    assert env["EDI_MESH_SSL_CAFILE"] == "/run/secrets/kafka_ca"
    env["EDI_MESH_SSL_CAFILE"] = str(pki["ca"])  # where the compose secret would be mounted
    settings = sup.edi_settings(env)
    sec = settings.kafka_security()
    assert (sec["security_protocol"], sec["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert sec["sasl_plain_password"] == sup.TEST_VARIABLES["EDI_MESH_SASL_PASSWORD"]
    assert isinstance(faust_credentials(settings), faust.SASLCredentials)


@pytest.fixture()
def dockerfile_env() -> dict[str, str]:
    """The image's ENV."""
    return sup.parse_dockerfile().env()
