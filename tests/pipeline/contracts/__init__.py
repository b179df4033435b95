"""Tests of pipeline/contracts/."""
