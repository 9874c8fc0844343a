"""Sync between a phone's local replica and the central store."""
