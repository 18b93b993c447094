"""Backups that restore: one archive with the database, the uploaded files and the dispatch
model files, and a manifest of checksums and the schema version.

- The database: PostgreSQL through `pg_dump` in its custom format; SQLite through its online
  backup API (a consistent copy while jiceng keeps running).
- `restore()` checks every checksum before it touches anything, refuses an archive from a newer
  jiceng, and refuses a target that already holds data unless forced.
- The SM4 data keys are not in the archive (a stolen backup must not open the phones). The
  manifest names the keys its data needs, and `restore()` refuses when the keyring lacks one.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from jiceng.core import crypto

FORMAT = 1
PREFIX = "jiceng-backup-"
SUFFIX = ".tar.gz"


class BackupError(Exception):
    """Why a backup or a restore cannot go on (Chinese, for the operator)."""


@dataclass
class Result:
    path: Path
    manifest: dict
    seconds: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[-500:]}")


def _outside_transactions() -> None:
    # SQLite's backup API waits for ever on a connection that holds a write transaction
    if connection.in_atomic_block:
        raise BackupError("不能在数据库事务中备份或恢复")


def volatile_tables() -> list[str]:
    """Tables whose rows a backup never holds: live sign-ins (sessions: a stolen archive would
    sign its reader in as whoever was signed in), the cache (rate-limit counters, kept pages)
    and the sign-in lock-out rows. Their structure is kept; a restored site starts with none."""
    names = {"django_session", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"}
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith(("DatabaseCache", "AtomicDatabaseCache")):
            names.add(cache["LOCATION"])
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _dump_database(folder: Path) -> str:
    _outside_transactions()
    volatile = volatile_tables()
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        with sqlite3.connect(target) as copy:
            for table in volatile:
                copy.execute(f'DELETE FROM "{table}"')
        # and no deleted row is left in the file's free pages
        copy.isolation_level = None
        copy.execute("VACUUM")
        copy.close()
        return target.name
    if connection.vendor == "postgresql":
        target = folder / "database.pgdump"
        args, env = _pg_env()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *[f"--exclude-table-data={table}" for table in volatile],
                *args,
                "--file",
                str(target),
            ],
            env,
        )
        return target.name
    raise BackupError(f"不支持的数据库：{connection.vendor}")


def _applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _key_ids_in_use() -> list[str]:
    from django.apps import apps

    from jiceng.core.fields import EncryptedField

    used: set[str] = set()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedField):
                    continue
                table = connection.ops.quote_name(model._meta.db_table)
                column = connection.ops.quote_name(field.column)
                cursor.execute(
                    f"SELECT DISTINCT SUBSTR({column}, 5, 8) FROM {table} WHERE {column} LIKE %s",
                    [crypto.PREFIX + "%"],
                )
                used.update(row[0] for row in cursor.fetchall())
    return sorted(used)


def _counts() -> dict[str, int]:
    from jiceng.evaluation.models import AssessmentPeriod, Diagnosis
    from jiceng.orgs.models import User
    from jiceng.tickets.models import Ticket, TicketEvent, TicketPhoto

    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "photos": TicketPhoto.objects.count(),
        "periods": AssessmentPeriod.objects.count(),
        "diagnoses": Diagnosis.objects.count(),
        "users": User.objects.count(),
    }


def _files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def create(to: Path | str | None = None, *, keep: int | None = None) -> Result:
    """Write one archive into `to` (BACKUP_DIR by default) and keep the `keep` newest."""
    started = timezone.now()
    folder = Path(to or settings.BACKUP_DIR)
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    stamp = timezone.localtime(started).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{PREFIX}{stamp}{SUFFIX}"
    if target.exists():
        raise BackupError(f"{target} 已存在：请稍后再试")
    members: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="jiceng-backup-") as work:
        work_dir = Path(work)
        name = _dump_database(work_dir)
        members[name] = work_dir / name
        for label, root in (
            ("media", settings.MEDIA_ROOT),
            ("models", settings.DISPATCH_MODEL_DIR),
        ):
            for path in _files(Path(root)):
                members[f"{label}/{path.relative_to(root).as_posix()}"] = path
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "database": {"vendor": connection.vendor, "file": name},
            "migrations": _applied_migrations(),
            "data_keys": _key_ids_in_use(),
            "counts": _counts(),
            "files": {
                arc: {"sha256": _sha256(p), "size": p.stat().st_size} for arc, p in members.items()
            },
        }
        partial = target.with_name(target.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(data), int(started.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            for arc, path in members.items():
                archive.add(path, arcname=arc, recursive=False)
        os.replace(partial, target)
    prune(folder, keep if keep is not None else settings.BACKUP_KEEP)
    seconds = (timezone.now() - started).total_seconds()
    return Result(target, manifest, seconds)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives in `folder` (names sort by time)."""
    archives = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))
    gone = archives[: max(len(archives) - max(keep, 1), 0)]
    for path in gone:
        path.unlink()
    return gone


# --- restore ------------------------------------------------------------------------------


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        name = member.name
        if (
            not (member.isfile() or member.isdir())
            or name.startswith("/")
            or ".." in name.split("/")
        ):
            raise BackupError(f"备份文件含有不安全的条目：{name}")
    return members


def read(path: Path | str, into: Path) -> dict:
    """Unpack an archive into `into` and check it whole: manifest, every checksum, no extra."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            _safe_members(archive)
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"备份文件已损坏，无法读取：{exc}") from None
    try:
        manifest = json.loads((into / "manifest.json").read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError):
        raise BackupError("备份文件缺少有效的 manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 {manifest.get('format')}")
    for arc, meta in files.items():
        member = into / arc
        if not member.is_file():
            raise BackupError(f"备份不完整：缺少 {arc}")
        if _sha256(member) != meta["sha256"]:
            raise BackupError(f"校验失败：{arc} 与清单中的校验和不符，备份可能已损坏或被改动")
    extra = {p.relative_to(into).as_posix() for p in _files(into)} - set(files) - {"manifest.json"}
    if extra:
        raise BackupError(f"备份含有清单之外的文件：{sorted(extra)[0]}")
    return manifest


def _target_problems() -> list[str]:
    problems = []
    tables = set(connection.introspection.table_names())
    if "tickets_ticket" in tables:
        counts = _counts()
        held = {k: v for k, v in counts.items() if v}
        if held:
            problems.append(
                "目标数据库已有数据（" + "，".join(f"{k} {v}" for k, v in held.items()) + "）"
            )
    for root in (settings.MEDIA_ROOT, settings.DISPATCH_MODEL_DIR):
        if _files(Path(root)):
            problems.append(f"目标目录 {root} 不是空的")
    return problems


def _check_schema(manifest: dict) -> None:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    newer = sorted(set(manifest["migrations"]) - known)
    if newer:
        raise BackupError(
            f"这份备份来自更新版本的 jiceng（含未知的数据库迁移 {newer[0]}）：请先升级"
        )


def _check_keys(manifest: dict) -> None:
    have = {crypto.key_id(k) for k in crypto.keyring()}
    missing = sorted(set(manifest.get("data_keys", [])) - have)
    if missing:
        raise BackupError(
            f"当前密钥环缺少备份数据所用的数据密钥 {', '.join(missing)}：请先配置 DATA_KEYS 或 "
            "var/data_keys，否则恢复后的手机号无法解密"
        )


def _load_database(folder: Path, manifest: dict) -> None:
    _outside_transactions()
    vendor, name = manifest["database"]["vendor"], manifest["database"]["file"]
    if vendor != connection.vendor:
        raise BackupError(f"备份来自 {vendor} 数据库，不能恢复到 {connection.vendor}")
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(folder / name) as source:
            source.backup(connection.connection)
        source.close()
        return
    args, env = _pg_env()
    connection.close()  # pg_restore replaces tables this connection may hold open
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(folder / name),
        ],
        env,
    )


def _replace_folder(source: Path, target: Path) -> None:
    target = Path(target)
    if target.exists():
        for child in target.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    target.mkdir(mode=0o750, parents=True, exist_ok=True)
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)


def restore(path: Path | str, *, force: bool = False) -> Result:
    """Load an archive into an empty database and empty media and model folders."""
    started = datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix="jiceng-restore-") as work:
        folder = Path(work)
        manifest = read(path, folder)
        _check_schema(manifest)
        _check_keys(manifest)
        problems = _target_problems()
        if problems and not force:
            raise BackupError("；".join(problems) + "。确认要覆盖时请加 --force")
        _load_database(folder, manifest)
        _replace_folder(folder / "media", settings.MEDIA_ROOT)
        _replace_folder(folder / "models", settings.DISPATCH_MODEL_DIR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # an older archive catches up
    from jiceng.dispatch import cache, services

    cache.clear()
    services._loaded.clear()
    seconds = (datetime.now().astimezone() - started).total_seconds()
    return Result(Path(path), manifest, seconds)
