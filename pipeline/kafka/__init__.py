"""Kafka plumbing: clients, admin, security, Faust's transport, batched produce, offsets."""
