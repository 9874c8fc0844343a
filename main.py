"""Entry point of the packaged phone app (`flet build apk` / `ipa`): the same app as `python -m app`."""

from views.main import run

if __name__ == "__main__":
    run(["--native"])
