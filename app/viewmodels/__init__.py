"""View-models: plain classes the Flet views render and forward events to. No Flet here."""
