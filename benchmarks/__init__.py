"""Reproducible performance and quality measurements (``make bench``), not tests.

Each benchmark prints its figure next to a baseline measured in the same run, as a ratio, and
quotes medians of repeated runs because machines here are noisy.
"""
