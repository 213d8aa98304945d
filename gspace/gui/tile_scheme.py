"""The `gstile:` URL scheme: the map page asks for `gstile:<source>/<z>/<x>/<y>` and gets the
tile from the local tile store (`gspace.tiles`).

A kept tile is answered at once. A missing one is fetched by a small thread pool while the page
goes on; the answer (or "not found", which leaves the outline map showing) comes back to the
main thread, where the cache is written. The scheme must be registered before the application
exists, so this module does it when it is imported.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QObject, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from gspace.errors import GspaceError
from gspace.tiles import DEFAULT_CACHE_MB, TileCache, TileStore, mbtiles_source

SCHEME = b"gstile"
DEFAULT_BASE_MAP = "gsi_pale"
TYPES = {"png": b"image/png", "jpg": b"image/jpeg", "webp": b"image/webp"}


def register_scheme() -> None:
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    # a local scheme: the map page is a local file, and Chromium lets a local page load only
    # from local schemes
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.LocalScheme)
    QWebEngineUrlScheme.registerScheme(scheme)


if QCoreApplication.instance() is None:
    register_scheme()


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers the page's tile requests from `store`."""

    _fetched = Signal(object, str, int, int, int, object)  # job, source, z, x, y, data

    def __init__(self, store: TileStore, parent=None):
        super().__init__(parent)
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gspace-tiles")
        self._fetched.connect(self._answer_fetched)
        self.served = {"cache": 0, "network": 0, "missing": 0}

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt name)
        try:
            source, z, x, y = job.requestUrl().path().split("/")
            z, x, y = int(z), int(x), int(y.split(".")[0])
        except ValueError:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        data = self.store.cached(source, z, x, y)
        if data is not None:
            self.served["cache"] += 1
            self._reply(job, source, data)
        elif self.store.fetchable(source):
            self.pool.submit(self._fetch, job, source, z, x, y)
        else:
            self.served["missing"] += 1
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _fetch(self, job, source: str, z: int, x: int, y: int) -> None:
        self._fetched.emit(job, source, z, x, y, self.store.download(source, z, x, y))

    def _answer_fetched(self, job, source: str, z: int, x: int, y: int, data) -> None:
        if data is not None:
            self.store.cache.put(source, z, x, y, data)
            self.served["network"] += 1
        else:
            self.served["missing"] += 1
        try:
            if data is None:
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            else:
                self._reply(job, source, data)
        except RuntimeError:
            pass  # the page no longer wants the tile (it scrolled away): the cache keeps it

    def _reply(self, job: QWebEngineUrlRequestJob, source: str, data: bytes) -> None:
        buffer = QBuffer(job)  # lives as long as the request
        buffer.setData(QByteArray(data))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        kind = self.store.sources[source].format
        job.reply(TYPES.get(kind, b"image/png"), buffer)


class TileService(QObject):
    """The application's one tile store and scheme handler."""

    changed = Signal()

    def __init__(self, cache_mb: int = DEFAULT_CACHE_MB, mbtiles: list[str] | None = None):
        super().__init__()
        self.store = TileStore(TileCache(cap_bytes=cache_mb * 2**20))
        self.errors: list[str] = []
        for path in mbtiles or []:
            self.add_mbtiles(path)
        self.handler = TileSchemeHandler(self.store, self)
        # tiles still being fetched must not hold the application open at exit
        QCoreApplication.instance().aboutToQuit.connect(
            lambda: self.handler.pool.shutdown(wait=False, cancel_futures=True)
        )
        QWebEngineProfile.defaultProfile().installUrlSchemeHandler(SCHEME, self.handler)

    def add_mbtiles(self, path: str) -> str | None:
        """Add an MBTiles file as a base map; returns its id (None, with the reason kept in
        `errors`, when it cannot be read)."""
        try:
            source = mbtiles_source(path)
        except GspaceError as e:
            self.errors.append(str(e))
            return None
        self.store.add(source)
        self.changed.emit()
        return source.id

    def set_cache_mb(self, megabytes: int) -> None:
        self.store.cache.cap_bytes = megabytes * 2**20
        self.store.cache.evict()


_service: list[TileService] = []


def tile_service(settings) -> TileService:
    """The tile service, made on first use from the remembered settings."""
    if not _service:
        mbtiles = settings.value("basemap/mbtiles", []) or []
        if isinstance(mbtiles, str):
            mbtiles = [mbtiles]
        cache_mb = int(settings.value("tiles/cache_mb", DEFAULT_CACHE_MB))
        _service.append(TileService(cache_mb, mbtiles))
    return _service[0]


def url_template(source_id: str) -> str:
    return f"{SCHEME.decode()}:{source_id}/{{z}}/{{x}}/{{y}}"


def chosen_base_map(settings) -> str:
    """The base map to show: the one last chosen, else the default from Settings.
    GSPACE_BASEMAP overrides both (tests use "none": no traffic but to loopback)."""
    forced = os.environ.get("GSPACE_BASEMAP")
    if forced:
        return forced
    return str(
        settings.value("basemap/current") or settings.value("basemap/default", DEFAULT_BASE_MAP)
    )
