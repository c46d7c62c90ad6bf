"""The ``interlocal`` console script."""

import argparse
import sys
from collections.abc import Sequence

from app.config import get_settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.limiting import StorageUnusable, check_storage
    from app.operations.connections import connection_options
    from app.operations.serving import metrics_folder, server_options

    settings = get_settings()
    try:
        check_storage()
    except StorageUnusable as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    workers = args.workers or settings.workers
    with metrics_folder(workers):
        uvicorn.run(
            "app.main:app",
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=workers,
            proxy_headers=True,
            **server_options(settings),
            **connection_options(),  # deadlines and limits on request heads
        )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from app.migrations import upgrade

    upgrade()
    print("database is at the latest schema")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.db import analyze, get_engine
    from app.loaders.seed.reading import SeedError
    from app.loaders.seed.writer import load_seed

    settings = get_settings()
    try:
        with Session(get_engine()) as session:
            report = load_seed(session, args.path or settings.seed_dir)
    except SeedError as exc:
        print("seed files are inconsistent; nothing was loaded:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    analyze(get_engine())
    if report.total == 0:
        print("seed: nothing new to load")
    else:
        print("seed: " + ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items())))
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.accounts.users import create_user
    from app.db import get_engine
    from app.errors import AccountError

    password = sys.stdin.readline().rstrip("\n")
    try:
        with Session(get_engine()) as session:
            user = create_user(session, args.email, password, args.role, args.organisation)
    except AccountError as exc:
        print(f"create-user: {exc.message}", file=sys.stderr)
        return 2
    print(f"created {user.role} {user.email}")
    return 0


def _synthetic(args: argparse.Namespace) -> int:
    import time

    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

    from app.db import analyze, get_engine
    from app.loaders.synthetic.loader import load_synthetic
    from app.loaders.synthetic.places import SyntheticError

    started = time.perf_counter()
    try:
        with Session(get_engine()) as session:
            report = load_synthetic(
                session, practices=args.practices, places=args.places, seed=args.seed
            )
    except SyntheticError as exc:
        print(f"synthetic: {exc}; nothing was changed", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(
            f"synthetic: the database refused it ({exc.orig}); nothing was changed. "
            "Is it migrated (`interlocal migrate`) and seeded (`interlocal seed`)?",
            file=sys.stderr,
        )
        return 2
    analyze(get_engine())
    print(
        f"synthetic: {report.places} places, {report.practices} practices "
        f"({report.facts} place facts, {report.terms} practice terms; "
        f"replaced {report.deleted_places} places, {report.deleted_practices} practices; "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return 0


def _gazetteer(args: argparse.Namespace) -> int:
    import time

    from sqlmodel import Session, col, select

    from app.db import analyze, get_engine
    from app.loaders.gazetteer.loader import load_gazetteer
    from app.models.places import Place

    settings = get_settings()
    if not settings.gazetteer_load and not args.force:
        print("gazetteer: not loaded (INTERLOCAL_GAZETTEER_LOAD is off)")
        return 0
    with Session(get_engine()) as session:
        if (
            args.if_empty
            and session.exec(select(Place.id).where(col(Place.catalogued).is_(False))).first()
        ):
            print("gazetteer: already loaded")
            return 0
        started = time.perf_counter()
        report = load_gazetteer(session, args.min_population or settings.gazetteer_min_population)
    analyze(get_engine())
    for line in report.lines():
        print(f"gazetteer: {line}")
    print(f"gazetteer: done in {time.perf_counter() - started:.1f} s")
    if args.matches:
        for match in report.matches:
            entry = match.entry
            found = f"{entry.name} (GeoNames {entry.geonames_id})" if entry else "-"
            print(f"{match.slug}\t{match.level}\t{match.outcome}\t{found}\t{match.reason}")
    return 0


def _create_api_key(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.accounts.api_keys import create_api_key
    from app.db import get_engine
    from app.errors import AccountError

    try:
        with Session(get_engine()) as session:
            key, token = create_api_key(session, args.organisation, args.name, args.scope)
    except AccountError as exc:
        print(f"create-api-key: {exc.message}", file=sys.stderr)
        return 2
    print(f"API key {key.prefix}… for {args.organisation} ({key.scopes}); it is shown once:")
    print(token)
    return 0


def _revoke_api_key(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from app.accounts.api_keys import revoke_api_key
    from app.db import get_engine
    from app.models.accounts import ApiKey

    with Session(get_engine()) as session:
        keys = session.exec(select(ApiKey).where(ApiKey.prefix == args.prefix)).all()
        if len(keys) != 1:
            print(f"revoke-api-key: {len(keys)} keys start {args.prefix!r}", file=sys.stderr)
            return 2
        revoke_api_key(session, keys[0])
    print(f"API key {args.prefix}… revoked")
    return 0


def _trust(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.accounts.api_keys import set_trusted
    from app.db import get_engine
    from app.errors import AccountError

    try:
        with Session(get_engine()) as session:
            set_trusted(session, args.organisation, not args.undo)
    except AccountError as exc:
        print(f"trust-organisation: {exc.message}", file=sys.stderr)
        return 2
    if args.undo:
        print(f"{args.organisation} is no longer trusted: its API writes are reviewed")
    else:
        print(f"{args.organisation} is trusted: its API writes are published at once")
    return 0


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from app.backups import BackupError, export_database

    try:
        manifest = export_database(
            get_settings().database_url, Path(args.path), with_secrets=args.with_secrets
        )
    except (BackupError, SQLAlchemyError) as exc:
        problem = exc.message if isinstance(exc, BackupError) else exc
        print(f"export: {problem}\nexport: no archive was written", file=sys.stderr)
        return 2
    rows = sum(t.rows for t in manifest.tables)
    secrets = "with secrets" if manifest.with_secrets else "without secrets"
    print(
        f"export: {len(manifest.tables)} tables, {rows} rows ({secrets}, schema "
        f"{manifest.alembic_revision}) written to {args.path}"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from app.backups import BackupError, import_database

    try:
        manifest, rows = import_database(get_settings().database_url, Path(args.path))
    except (BackupError, SQLAlchemyError) as exc:
        problem = exc.message if isinstance(exc, BackupError) else exc
        print(f"import: {problem}\nimport: nothing was restored", file=sys.stderr)
        return 2
    print(
        f"import: {rows} rows of {len(manifest.tables)} tables restored from {args.path} "
        f"(made {manifest.created_at} by Interlocal {manifest.app_version})"
    )
    if not manifest.with_secrets:
        print(
            "import: the archive held no secrets: every account needs a password reset "
            "and every API key was revoked"
        )
    return 0


def _send_reminders(args: argparse.Namespace) -> int:
    from datetime import date

    from sqlmodel import Session

    from app.db import get_engine
    from app.practices.reminders import send_reminders

    settings = get_settings()
    site = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    today = date.fromisoformat(args.today) if args.today else None
    with Session(get_engine()) as session:
        sent = send_reminders(session, site, today)
    print(f"send-reminders: {sent} sent")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interlocal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web application")
    serve.add_argument("--host", default=None, help="default 127.0.0.1 (INTERLOCAL_HOST)")
    serve.add_argument("--port", type=int, default=None, help="default 8000 (INTERLOCAL_PORT)")
    serve.add_argument("--workers", type=int, default=None, help="default 1 (INTERLOCAL_WORKERS)")
    serve.set_defaults(func=_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema to the latest version")
    migrate.set_defaults(func=_migrate)

    seed = commands.add_parser("seed", help="load the seed data (idempotent)")
    seed.add_argument("--path", default=None, help="folder of seed files (default: seed/)")
    seed.set_defaults(func=_seed)

    synthetic = commands.add_parser(
        "synthetic",
        help="replace the synthetic places and practices (slugs synthetic-…) with new ones, "
        "for load tests; needs a migrated and seeded database",
    )
    synthetic.add_argument("--practices", type=int, required=True, help="how many practices")
    synthetic.add_argument("--places", type=int, required=True, help="how many places")
    synthetic.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    synthetic.set_defaults(func=_synthetic)

    gazetteer = commands.add_parser(
        "gazetteer",
        help="load Europe's populated places from GeoNames and link the places the reports "
        "name (idempotent)",
    )
    gazetteer.add_argument(
        "--min-population",
        type=int,
        default=None,
        help="smallest place to load (default 5000, INTERLOCAL_GAZETTEER_MIN_POPULATION)",
    )
    gazetteer.add_argument(
        "--if-empty", action="store_true", help="do nothing if the gazetteer is already loaded"
    )
    gazetteer.add_argument(
        "--force", action="store_true", help="load even if INTERLOCAL_GAZETTEER_LOAD is off"
    )
    gazetteer.add_argument(
        "--matches", action="store_true", help="list each named place and its GeoNames entry"
    )
    gazetteer.set_defaults(func=_gazetteer)

    user = commands.add_parser(
        "create-user", help="create an account; the password is read from standard input"
    )
    user.add_argument("email")
    user.add_argument("--role", choices=("admin", "moderator", "member"), default="member")
    user.add_argument("--organisation", default=None, help="slug of the user's organisation")
    user.set_defaults(func=_create_user)

    api_key = commands.add_parser(
        "create-api-key", help="issue an API key for an organisation (printed once)"
    )
    api_key.add_argument("--organisation", required=True, help="slug of the organisation")
    api_key.add_argument(
        "--name", default="API key", help="what the key is for, e.g. the partner's system"
    )
    api_key.add_argument(
        "--scope",
        action="append",
        choices=("read", "write"),
        required=True,
        help="read or write; repeat for both",
    )
    api_key.set_defaults(func=_create_api_key)

    revoke = commands.add_parser("revoke-api-key", help="stop an API key working")
    revoke.add_argument("prefix", help="the key's first characters, as listed (il_…)")
    revoke.set_defaults(func=_revoke_api_key)

    trust = commands.add_parser(
        "trust-organisation",
        help="publish an organisation's API writes without review (--undo to stop)",
    )
    trust.add_argument("--organisation", required=True, help="slug of the organisation")
    trust.add_argument("--undo", action="store_true", help="review its writes again")
    trust.set_defaults(func=_trust)

    reminders = commands.add_parser(
        "send-reminders",
        help="e-mail each member the practices of their organisation that need an update "
        "(at most once a month each; run it daily or monthly)",
    )
    reminders.add_argument("--today", default=None, help="the date to run as (YYYY-MM-DD)")
    reminders.set_defaults(func=_send_reminders)

    export = commands.add_parser(
        "export", help="write every table to a backup archive (.tar.gz); see the README"
    )
    export.add_argument("path", help="the archive to write")
    export.add_argument(
        "--with-secrets",
        action="store_true",
        help="include password hashes, session and password-link tokens and API key hashes",
    )
    export.set_defaults(func=_export)

    restore = commands.add_parser(
        "import", help="restore a backup archive into an empty database (all or nothing)"
    )
    restore.add_argument("path", help="the archive to read")
    restore.set_defaults(func=_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
