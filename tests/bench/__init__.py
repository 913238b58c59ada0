"""The benchmark (``make bench``) and the generated data it shares with the load tests."""
