"""Tests of pipeline/kafka/."""
