"""Profile photos: decode an upload safely, keep only the pixels, store it under the data directory.

An upload is refused unless Pillow recognises it as an image whose dimensions (read from the
header, before any pixel is decoded) stay within ``MAX_PIXELS``: a small file that claims
to be 50,000 x 50,000 pixels (a decompression bomb) never reaches the decoder. The EXIF
orientation is applied, then the image is resized to fit ``SIZE`` and re-encoded as JPEG
without any metadata (no EXIF, so no GPS position, camera or date travels with it).
Files are named at random (``<data_dir>/photos/<random>.jpg``), never after anything the
person typed.
"""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from mentorkit.errors import ValidationFailed
from mentorkit.runtime import current_runtime

SIZE = (512, 512)
# Far above any camera's photo (a 100-megapixel camera makes 100,000,000) and far below what
# would exhaust memory once decoded.
MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
CONTENT_TYPE = "image/jpeg"


def photo_dir() -> Path:
    """Where photos live: ``<data_dir>/photos`` (created on first use)."""
    directory = Path(current_runtime().settings.data_dir) / "photos"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def clean_photo(data: bytes, max_bytes: int) -> bytes:
    """The upload as a clean JPEG that fits ``SIZE``; ``ValidationFailed`` on ``photo`` for
    anything too large, not an image, or with too many pixels."""
    if not data:
        raise ValidationFailed({"photo": "choose an image file"})
    if len(data) > max_bytes:
        raise ValidationFailed({"photo": f"is larger than {max_bytes:,} bytes"})
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit raises) on huge images; the check below
            # decides first, from the header alone.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationFailed({"photo": f"has too many pixels ({width} x {height})"})
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed({"photo": "has too many pixels to be a photo"}) from None
    except UnidentifiedImageError:
        raise ValidationFailed({"photo": "is not an image Mentorkit can read (use JPEG, PNG, WebP or GIF)"}) from None
    except (OSError, ValueError, SyntaxError):
        # A truncated or corrupt file that looked like an image at first.
        raise ValidationFailed({"photo": "is damaged or not an image"}) from None
    upright.thumbnail(SIZE)
    # A fresh image holds the pixels only: no EXIF, ICC, XMP or comments are carried over.
    pixels = Image.new("RGB", upright.size, "white")
    rgba = upright.convert("RGBA")
    pixels.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def store_photo(jpeg: bytes) -> str:
    """Write a cleaned photo under a new random name; returns the file name."""
    name = f"{secrets.token_hex(16)}.jpg"
    path = photo_dir() / name
    path.write_bytes(jpeg)
    return name


def remove_photo_file(name: str) -> None:
    """Delete a stored photo (nothing happens for "" or a file already gone)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return
    (photo_dir() / name).unlink(missing_ok=True)


def read_photo(name: str) -> bytes | None:
    """A stored photo's bytes, or None when the file is gone."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = photo_dir() / name
    return path.read_bytes() if path.is_file() else None
