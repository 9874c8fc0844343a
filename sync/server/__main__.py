"""Run and administer the central store.

    python -m sync.server serve --host 127.0.0.1 --port 8700 --data-dir DIR [--demo]
    python -m sync.server migrate
    python -m sync.server create-user USERNAME --name NAME --role ROLE [--station CODE] [--department CODE] [--password P]
    python -m sync.server load-demo
    python -m sync.server reset-password USERNAME [--password P] [--revoke-devices]
    python -m sync.server revoke-device TOKEN_ID|USERNAME

Settings come from `.env` and the environment (LIANLUO_SECRET_KEY, DATABASE_URL, …);
`--data-dir` overrides LIANLUO_DATA_DIR. `serve` refuses a missing or placeholder
LIANLUO_SECRET_KEY, except with `--demo`: a development run that makes a random secret,
keeps it in `<data dir>/secret_key` (so tokens survive a restart) and loads the demo
township, whose logins all use the password `lianluo2026`.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from sqlalchemy.engine import Engine

from app.ids import is_uuid
from app.settings import Settings, SettingsError, load_settings, require_secret
from app.actors import Role

SECRET_FILE = "secret_key"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.env_file)
        if args.data_dir:
            settings = settings.with_overrides(data_dir=Path(args.data_dir))
        return args.run(args, settings)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from sync.server.auth import AccountError

        if isinstance(exc, AccountError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync.server", description="The Lianluo central store.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="where the store keeps its files (default: LIANLUO_DATA_DIR or ./data)")
    common.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="serve the sync API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--demo", action="store_true",
                       help="development run: make and keep a random secret if none is set; load the demo township")
    serve.set_defaults(run=_serve)

    sub.add_parser("migrate", parents=[common], help="bring the store's schema up to date").set_defaults(run=_migrate)

    create = sub.add_parser("create-user", parents=[common], help="create a login")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="the person's name as shown, e.g. 王建华")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--station", help="station code (deputy, station_staff), e.g. juyuan")
    create.add_argument("--department", help="department code (department), e.g. water")
    create.add_argument("--password", help="the password (asked for when left out)")
    create.set_defaults(run=_create_user)

    demo = sub.add_parser("load-demo", parents=[common], help="load the demo township and a login for each person")
    demo.add_argument("--no-issues", action="store_true", help="people and reference data only")
    demo.set_defaults(run=_load_demo)

    reset = sub.add_parser("reset-password", parents=[common], help="give a user a new password")
    reset.add_argument("username")
    reset.add_argument("--password", help="the new password (asked for when left out)")
    reset.add_argument("--revoke-devices", action="store_true", help="also sign out every device of this user")
    reset.set_defaults(run=_reset_password)

    publish = sub.add_parser("publish-template", parents=[common],
                             help="publish a new version of an inspection checklist from a JSON file (validated)")
    publish.add_argument("file", help="the template file, e.g. assets/templates/school-safety.json with a new version")
    publish.set_defaults(run=_publish_template)

    move = sub.add_parser("move-user", parents=[common],
                          help="move a user to another station or department (what they did before is kept as it was)")
    move.add_argument("username")
    move.add_argument("--station", help="the new station code, e.g. qixing ('' for none)")
    move.add_argument("--department", help="the new department code, e.g. agri ('' for none)")
    move.set_defaults(run=_move_user)

    revoke = sub.add_parser("revoke-device", parents=[common],
                            help="revoke one device token (by its id) or every device of a user (by username)")
    revoke.add_argument("target", metavar="TOKEN_ID|USERNAME")
    revoke.set_defaults(run=_revoke)

    clean = sub.add_parser("clean-uploads", parents=[common],
                           help="forget photo uploads that were begun and never finished")
    clean.add_argument("--older-than-days", type=float, default=7.0,
                       help="only uploads begun longer ago than this (default 7): a phone may still resume")
    clean.set_defaults(run=_clean_uploads)
    return parser


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    """Open the store the settings name, migrated and with the reference data; close it afterwards."""
    from sync.server.app import ensure_reference
    from sync.server.db import open_database
    from sync.server.migrations import migrate

    engine = open_database(settings)
    try:
        migrate(engine)
        ensure_reference(engine)
        yield engine
    finally:
        engine.dispose()


def _serve(args, settings: Settings) -> int:
    import uvicorn

    from sync.server.app import create_app

    if args.demo:
        settings = _dev_secret(settings)
    require_secret(settings)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.demo:
        from sync.server.demo import DEMO_PASSWORD, load_demo

        with _engine(settings) as engine:
            accounts = load_demo(engine, year=True)
        print(f"demo township loaded; every login's password is {DEMO_PASSWORD}: "
              + ", ".join(a.username for a in accounts))
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=settings.log_level.lower())
    return 0


def _dev_secret(settings: Settings) -> Settings:
    """Return settings with a usable secret: the configured one, else one kept in the data dir."""
    try:
        require_secret(settings)
        return settings
    except SettingsError:
        pass
    path = Path(settings.data_dir) / SECRET_FILE
    if path.is_file():
        secret = path.read_text(encoding="utf-8").strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
        print(f"development run: made a random secret and kept it in {path}", file=sys.stderr)
    return settings.with_overrides(secret_key=secret)


def _migrate(_args, settings: Settings) -> int:
    from sync.server.migrations import LATEST

    with _engine(settings):
        print(f"central store at schema {LATEST}")
    return 0


def _password(given: str | None, prompt: str) -> str:
    if given:
        return given
    first = getpass.getpass(prompt)
    if getpass.getpass("again: ") != first:
        from sync.server.auth import AccountError

        raise AccountError("the two passwords differ")
    return first


def _create_user(args, settings: Settings) -> int:
    from sync.server.auth import create_user

    password = _password(args.password, f"password for {args.username}: ")
    with _engine(settings) as engine:
        create_user(engine, username=args.username, name=args.name, role=args.role, password=password,
                    station=args.station, department=args.department)
    print(f"created {args.username} ({args.role})")
    return 0


def _load_demo(args, settings: Settings) -> int:
    from sync.server.demo import DEMO_PASSWORD, load_demo

    with _engine(settings) as engine:
        accounts = load_demo(engine, issues=not args.no_issues, year=not args.no_issues)
    rows = [("username", "name", "role", "station", "department")]
    rows += [(a.username, a.name, a.role, a.station, a.department) for a in accounts]
    widths = [max(_width(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
    print(f"\nevery demo login's password: {DEMO_PASSWORD}")
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _reset_password(args, settings: Settings) -> int:
    from sync.server.auth import revoke_user_tokens, set_password

    password = _password(args.password, f"new password for {args.username}: ")
    with _engine(settings) as engine:
        user_id = set_password(engine, args.username, password)
        print(f"password of {args.username} changed")
        if args.revoke_devices:
            print(f"{revoke_user_tokens(engine, user_id)} device(s) signed out")
    return 0


def _publish_template(args, settings: Settings) -> int:
    from sqlmodel import Session

    from app.errors import DomainError
    from app.inspections import TemplateError, parse_template, publish_template
    from sync.server.changes import sync_reference
    from sync.server.db import write_session

    try:
        template = parse_template(Path(args.file).read_bytes())
    except (OSError, TemplateError) as error:
        print(f"publish-template: {args.file}: {error}", file=sys.stderr)
        return 2
    with _engine(settings) as engine, write_session(engine) as session:
        try:
            publish_template(session, template)
        except DomainError as error:
            print(f"publish-template: {error.code.value}: {error.params}", file=sys.stderr)
            return 2
        sync_reference(session)
        session.commit()
    print(f"published {template.key}: {template.title} ({len(template.items)} items)")
    return 0


def _move_user(args, settings: Settings) -> int:
    from sync.server.auth import AccountError, move_user

    if args.station is None and args.department is None:
        raise AccountError("say where to: --station and/or --department")
    with _engine(settings) as engine:
        move_user(engine, args.username, station=args.station, department=args.department)
        print(f"{args.username} moved")
    return 0


def _revoke(args, settings: Settings) -> int:
    from sync.server.auth import AccountError, revoke_token, revoke_user_tokens, user_id_of

    with _engine(settings) as engine:
        if is_uuid(args.target) and revoke_token(engine, args.target):
            print(f"device token {args.target} revoked")
            return 0
        user_id = user_id_of(engine, args.target)
        if user_id is None:
            raise AccountError(f"no device token or user {args.target!r}")
        print(f"{revoke_user_tokens(engine, user_id)} device(s) of {args.target} signed out")
    return 0


def _clean_uploads(args, settings: Settings) -> int:
    from datetime import timedelta

    from sync.server.blobs import discard_abandoned

    if args.older_than_days < 0:
        raise SystemExit("--older-than-days: expected 0 or more")
    with _engine(settings) as engine:
        gone = discard_abandoned(engine, Path(settings.data_dir), older_than=timedelta(days=args.older_than_days))
    print(f"{len(gone)} unfinished upload(s) forgotten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
