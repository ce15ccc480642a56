"""Benchmark of the hall at peak hour (``make bench``) and the load clients it shares with the crash tests."""
