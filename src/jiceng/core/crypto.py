"""Personal data at rest: SM4 (国密, GB/T 32907) in GCM mode, and keyed blind indexes.

A stored value is `sm4:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`. The key id is the first
8 hex digits of the key's SHA-256, so a value names the key that opens it and a keyring can
hold an old key while `jiceng rotate-data-key` re-encrypts under the new one.

Equality search (a caller's phone) goes through `blind()`: HMAC-SHA256 under a separate index
key, never through the plaintext. A database dump therefore holds neither.

Keys come from the environment (`DATA_KEYS`: hex keys, comma-separated, the first encrypts;
`DATA_INDEX_KEY`: hex) or, on a machine that sets none, from files created 0600 under the var
folder on first use (`data_keys`, one key a line, and `data_index_key`).
"""

import base64
import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "sm4:"
KEY_BYTES = 16  # SM4's block and key size
NONCE_BYTES = 12

_lock = threading.Lock()
_cache: dict[str, object] = {}


class DecryptError(ValueError):
    """A stored value no key of the keyring opens."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _parse(hexkey: str, what: str, size: int) -> bytes:
    try:
        key = bytes.fromhex(hexkey.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{what}: not a hex string") from None
    if len(key) != size:
        raise ImproperlyConfigured(f"{what}: {size * 2} hex digits expected, got {len(key) * 2}")
    return key


def _file(name: str, size: int) -> Path:
    """A key file under the var folder, created with one fresh key (0600) if missing."""
    path = Path(settings.VAR_DIR) / name
    if not path.exists():
        path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path  # another process made it first
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(size) + "\n")
    return path


def _load_keys() -> list[bytes]:
    given = os.environ.get("DATA_KEYS", "").strip()
    if given:
        lines = [k for k in given.split(",") if k.strip()]
    else:
        lines = [k for k in _file("data_keys", KEY_BYTES).read_text().split() if k.strip()]
    if not lines:
        raise ImproperlyConfigured("DATA_KEYS: no key")
    return [_parse(k, "DATA_KEYS", KEY_BYTES) for k in lines]


def keyring() -> list[bytes]:
    """The data keys, the current one first."""
    with _lock:
        if "keys" not in _cache:
            _cache["keys"] = _load_keys()
        return _cache["keys"]  # type: ignore[return-value]


def index_key() -> bytes:
    with _lock:
        if "index" not in _cache:
            given = os.environ.get("DATA_INDEX_KEY", "").strip()
            if not given:
                given = _file("data_index_key", 32).read_text().strip()
            _cache["index"] = _parse(given, "DATA_INDEX_KEY", 32)
        return _cache["index"]  # type: ignore[return-value]


def reload() -> None:
    """Forget the keys read so far (a rotation changed them, or a test did)."""
    with _lock:
        _cache.clear()


def encrypt(text: str) -> str:
    """`text` under the current key; '' stays '' (nothing to hide, and `= ''` still works)."""
    if not text:
        return text
    key = keyring()[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    sealed = encryptor.update(text.encode()) + encryptor.finalize() + encryptor.tag
    return f"{PREFIX}{key_id(key)}:{base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def stored_key_id(stored: str) -> str | None:
    return stored[len(PREFIX) : len(PREFIX) + 8] if is_encrypted(stored) else None


def decrypt(stored: str | None) -> str | None:
    """The plaintext of a stored value. A value not yet encrypted (written before the
    migration) is returned as it is."""
    if not is_encrypted(stored):
        return stored
    kid, _, body = stored[len(PREFIX) :].partition(":")
    keys = {key_id(k): k for k in keyring()}
    if kid not in keys:
        reload()  # a rotation may have added a key since this process read them
        keys = {key_id(k): k for k in keyring()}
    if kid not in keys:
        raise DecryptError(f"no data key {kid} in the keyring")
    try:
        raw = base64.b64decode(body, validate=True)
        nonce, sealed, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-16], raw[-16:]
        decryptor = Cipher(algorithms.SM4(keys[kid]), modes.GCM(nonce, tag)).decryptor()
        return (decryptor.update(sealed) + decryptor.finalize()).decode()
    except (ValueError, InvalidTag) as exc:
        raise DecryptError(f"value under key {kid} does not open") from exc


def normalize_phone(phone: str) -> str:
    return "".join(ch for ch in (phone or "") if ch.isdigit())


def blind(phone: str) -> str:
    """The keyed blind index of a phone number ('' for none): equal numbers, equal indexes;
    without the index key, nothing about the number."""
    digits = normalize_phone(phone)
    if not digits:
        return ""
    return hmac.new(index_key(), digits.encode(), hashlib.sha256).hexdigest()[:32]


def keyed_digest(data: bytes) -> str:
    """A digest of a request that may hold personal data (idempotency fingerprints)."""
    return hmac.new(index_key(), data, hashlib.sha256).hexdigest()


def add_file_key() -> str:
    """Put a new key first in the file keyring (older keys stay, to open what they sealed).
    Refused when the keys come from the environment: the operator changes DATA_KEYS."""
    if os.environ.get("DATA_KEYS", "").strip():
        raise ImproperlyConfigured("DATA_KEYS is set: put the new key first in it and restart")
    path = _file("data_keys", KEY_BYTES)
    new = secrets.token_hex(KEY_BYTES)
    old = [k for k in path.read_text().split() if k.strip()]
    temporary = path.with_suffix(".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join([new, *old]) + "\n")
    os.replace(temporary, path)
    reload()
    return key_id(bytes.fromhex(new))


def drop_file_keys(unused: set[str]) -> list[str]:
    """Remove keys no stored value uses any more from the file keyring (never the current)."""
    if os.environ.get("DATA_KEYS", "").strip():
        return []
    path = _file("data_keys", KEY_BYTES)
    lines = [k for k in path.read_text().split() if k.strip()]
    kept = lines[:1] + [k for k in lines[1:] if key_id(bytes.fromhex(k)) not in unused]
    dropped = [key_id(bytes.fromhex(k)) for k in lines[1:] if key_id(bytes.fromhex(k)) in unused]
    if dropped:
        temporary = path.with_suffix(".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(kept) + "\n")
        os.replace(temporary, path)
        reload()
    return dropped
