"""Run settings, from the environment variables of the warehouse contract or from arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.workers import DEFAULT_FILE_SECONDS, DEFAULT_OCR_FILE_SECONDS, DEFAULT_WORKER_MEMORY_BYTES, Limits

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_DB_PATH = "data/warehouse/disclosure.duckdb"
# DuckDB's memory_limit for every connection that writes or reads the warehouse: sorts, joins and
# aggregates past it spill to DuckDB's temp_directory (<warehouse file>.tmp) instead of growing
# (issue #18: every process under 1.5 GB at 100,000 reports). DISCLOSURE_MEMORY_LIMIT overrides it.
DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_BATCH_SIZE = 2000
DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
PROFILES = ("local", "cluster")
# A second run waits this long for the first to release the warehouse (a nightly run takes minutes).
DEFAULT_LOCK_WAIT_SECONDS = 1800.0
DEFAULT_MAX_REMOVED_SHARE = 0.2
# Reviewers' corrections of misread cells (pipelines/warehouse/corrections.py).
DEFAULT_CORRECTIONS_DIR = "data/corrections"
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class RemovalPolicy:
    """How many of the files the warehouse knows a run may find gone before it refuses (like rsync's
    --max-delete): a raw folder pointed at the wrong place, or a share not mounted, would otherwise
    mark every file removed and every report no longer current."""

    max_share: float = 0.2
    allowed: bool = False


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    db_path: Path
    workers: int = 0  # 0: one worker process per core
    batch_size: int = DEFAULT_BATCH_SIZE
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    file_timeout_s: float = DEFAULT_FILE_SECONDS
    ocr_timeout_s: float = DEFAULT_OCR_FILE_SECONDS  # a PDF or an image, which OCR may read
    lock_wait_s: float = DEFAULT_LOCK_WAIT_SECONDS
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_BYTES // 2**20
    profile: str = "local"  # local | cluster (docs/deployment.md)
    # A run that would mark more than this share of the known files removed stops (RemovalsRefused)
    # unless the operator allows it.
    max_removed_share: float = DEFAULT_MAX_REMOVED_SHARE
    allow_removals: bool = False
    # The reviewers' corrections (*.csv), applied after every load. None: no corrections (a warehouse that
    # holds some refuses to drop them: see corrections.require_folder); from_env fills it in.
    corrections_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"DISCLOSURE_PROFILE must be one of {', '.join(PROFILES)}, not {self.profile!r}")

    @classmethod
    def from_env(cls, raw_dir: str | None = None, db_path: str | None = None, **kwargs) -> Settings:
        """Arguments win over DISCLOSURE_RAW_DIR / DISCLOSURE_DB_PATH, which win over the defaults."""
        return cls(
            raw_dir=Path(raw_dir or os.environ.get("DISCLOSURE_RAW_DIR") or DEFAULT_RAW_DIR),
            db_path=Path(db_path or os.environ.get("DISCLOSURE_DB_PATH") or DEFAULT_DB_PATH),
            workers=int(kwargs.pop("workers", None) or os.environ.get("DISCLOSURE_WORKERS") or 0),
            max_file_bytes=int(kwargs.pop("max_file_bytes", None) or os.environ.get("DISCLOSURE_MAX_FILE_BYTES")
                               or DEFAULT_MAX_FILE_BYTES),
            file_timeout_s=float(kwargs.pop("file_timeout_s", None) or os.environ.get("DISCLOSURE_FILE_TIMEOUT_S")
                                 or DEFAULT_FILE_SECONDS),
            ocr_timeout_s=float(kwargs.pop("ocr_timeout_s", None) or os.environ.get("DISCLOSURE_OCR_TIMEOUT_S")
                                or DEFAULT_OCR_FILE_SECONDS),
            lock_wait_s=float(kwargs.pop("lock_wait_s", None) or os.environ.get("DISCLOSURE_LOCK_WAIT_S")
                              or DEFAULT_LOCK_WAIT_SECONDS),
            worker_memory_mb=int(kwargs.pop("worker_memory_mb", None) or os.environ.get("DISCLOSURE_WORKER_MEMORY_MB")
                                 or DEFAULT_WORKER_MEMORY_BYTES // 2**20),
            memory_limit=kwargs.pop("memory_limit", None) or os.environ.get("DISCLOSURE_MEMORY_LIMIT")
            or DEFAULT_MEMORY_LIMIT,
            profile=kwargs.pop("profile", None) or os.environ.get("DISCLOSURE_PROFILE") or "local",
            max_removed_share=float(kwargs.pop("max_removed_share", None)
                                    or os.environ.get("DISCLOSURE_MAX_REMOVED_SHARE") or DEFAULT_MAX_REMOVED_SHARE),
            corrections_dir=Path(kwargs.pop("corrections_dir", None) or os.environ.get("DISCLOSURE_CORRECTIONS_DIR")
                                 or DEFAULT_CORRECTIONS_DIR),
            allow_removals=bool(kwargs.pop("allow_removals", None)
                                or os.environ.get("DISCLOSURE_ALLOW_REMOVALS", "").lower() in _TRUE),
            **kwargs,
        )

    @property
    def staging(self) -> str:
        """Where parsed batches wait for the loader: DISCLOSURE_STAGING_DIR (a folder or any fsspec URL,
        e.g. s3://bucket/staging), else staging/ beside the warehouse."""
        return os.environ.get("DISCLOSURE_STAGING_DIR") or str(self.db_path.parent / "staging")

    @property
    def staging_is_shared(self) -> bool:
        """Whether the staging location was chosen (DISCLOSURE_STAGING_DIR), as workers on other machines need."""
        return bool(os.environ.get("DISCLOSURE_STAGING_DIR"))

    @property
    def published_path(self) -> Path:
        """The read-only copy analysts open while loads run: published/<warehouse file name>."""
        return self.db_path.parent / "published" / self.db_path.name

    def limits(self) -> Limits:
        """What one file may cost a parser worker before it is stopped and the file quarantined."""
        return Limits(seconds_per_file=self.file_timeout_s, memory_bytes=self.worker_memory_mb * 2**20,
                      ocr_seconds_per_file=self.ocr_timeout_s)

    def removals(self) -> RemovalPolicy:
        return RemovalPolicy(self.max_removed_share, self.allow_removals)

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)
