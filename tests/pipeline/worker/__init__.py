"""Tests of pipeline/worker/."""
