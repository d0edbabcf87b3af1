"""The programme catalogue: what a support programme is, and the curated real ones.

This package knows nothing of Flask or the ORM: it reads, validates and writes catalogue files.
"""
