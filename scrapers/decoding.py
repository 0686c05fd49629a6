"""Content-Encoding decoding that never inflates more than it is asked for.

httpx inflates each network chunk whole: 1,831 bytes of ``gzip, gzip`` become a gigabyte
in one call, before any size cap can look at it. Here each layer gives out at most
``PIECE`` bytes at a time (zlib's ``max_length``) and keeps the rest of its input for
later, so the caller can count decoded bytes as they come and stop at its cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ieiwatch.scrapers.errors import FetchError

PIECE = 64 * 1024
"""Most bytes one layer hands on at a time."""
ACCEPT_ENCODING = "gzip, deflate"
"""The encodings we ask for: the ones decoded here."""
_MAX_LAYERS = 4
"""``gzip, gzip`` is legal; a dozen layers is an attack."""


class BadEncoding(FetchError):
    """The body is not what its Content-Encoding says, or uses one we did not ask for."""


@dataclass
class _Inflater:
    """One gzip or deflate layer, handing out at most ``PIECE`` bytes per step."""

    url: str
    encoding: str
    _z: zlib._Decompress | None = field(default=None, init=False)
    _started: bool = field(default=False, init=False)

    def decode(self, data: bytes) -> Iterator[bytes]:
        while data:
            z = self._z or self._open(data)
            try:
                out = z.decompress(data, PIECE)
            except zlib.error as exc:
                raise BadEncoding(self.url, f"{self.encoding} body is corrupt ({exc})") from None
            if out:
                yield out
            if z.eof:
                # Concatenated gzip members are one body (RFC 1952); anything else after
                # the end is ignored, as browsers do.
                data = z.unused_data if self.encoding == "gzip" else b""
                self._z = None
            else:
                data = z.unconsumed_tail

    def flush(self) -> Iterator[bytes]:
        if self._z is not None:
            # Only what is still buffered (at most one window), not new input.
            out = self._z.flush()
            if out:
                yield out

    def _open(self, data: bytes) -> zlib._Decompress:
        if self.encoding == "gzip":
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif data[:1] and (data[0] & 0x0F) == 8 and int.from_bytes(data[:2], "big") % 31 == 0:
            self._z = zlib.decompressobj(zlib.MAX_WBITS)  # deflate as RFC 9110 says: zlib
        else:
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
        return self._z


@dataclass
class BodyDecoder:
    """All the layers of a Content-Encoding, outermost first in ``layers``."""

    layers: list[_Inflater]

    @classmethod
    def for_header(cls, url: str, header: str | None) -> BodyDecoder:
        names = [n.strip().lower() for n in (header or "").split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > _MAX_LAYERS:
            raise BadEncoding(url, f"{len(names)} content encodings ({header})")
        unknown = [n for n in names if n not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise BadEncoding(url, f"unsupported Content-Encoding {', '.join(unknown)}")
        # The header lists them in the order applied: the last one is undone first.
        return cls([_Inflater(url, "gzip" if n == "x-gzip" else n) for n in reversed(names)])

    def decode(self, raw: bytes) -> Iterator[bytes]:
        """The decoded bytes of ``raw``, lazily, in pieces of at most ``PIECE`` bytes."""
        return self._through(0, [raw])

    def flush(self) -> Iterator[bytes]:
        """What the layers still hold once the body has ended."""
        for i, layer in enumerate(self.layers):
            yield from self._through(i + 1, layer.flush())

    def _through(self, start: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for layer in self.layers[start:]:
            pieces = _chain(layer, pieces)
        return iter(pieces)


def _chain(layer: _Inflater, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from layer.decode(piece)
