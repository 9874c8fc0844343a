"""Lianluo's core: domain rules, the local store and services (no UI, no HTTP)."""
