"""Torch references, one module per topic. Hidden from the worker; float64 unless a test says so."""
