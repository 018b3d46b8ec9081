"""Benchmarks (`make bench`): absolute figures and the ratio against the naive way, same run."""
