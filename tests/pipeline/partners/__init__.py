"""Tests of pipeline/partners/."""
