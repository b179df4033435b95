"""Kafka security (SASL / SSL) for Faust, from the same settings aiokafka clients use."""

from __future__ import annotations

from typing import Any

import faust

from pipeline.settings import Settings


def faust_credentials(settings: Settings) -> Any:
    """Faust ``broker_credentials`` for the configured security protocol (None for PLAINTEXT)."""
    proto = settings.security_protocol
    if proto == "PLAINTEXT":
        return None
    ctx = settings.kafka_security().get("ssl_context")
    if proto == "SSL":
        return faust.SSLCredentials(ctx)
    return faust.SASLCredentials(
        username=settings.sasl_username,
        password=settings.sasl_password,
        ssl_context=ctx,
        mechanism=settings.sasl_mechanism,
    )
