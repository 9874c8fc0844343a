"""The Flet UI: screens render view-models and forward events to them; nothing else."""
