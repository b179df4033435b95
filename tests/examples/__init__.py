"""Tests of the examples/ agents."""
