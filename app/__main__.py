"""`python -m app` starts the field app; the UI lives in views/, this is only its door."""

from importlib import import_module

if __name__ == "__main__":
    import_module("views.main").run()
