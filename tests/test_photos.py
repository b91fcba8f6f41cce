"""Profile photos: cleaned (EXIF gone, resized, JPEG), refused when not an image, too large or
a decompression bomb, served with the photo's visibility, removed with the profile."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from mentorkit.testing.auth import csrf_token, sign_in_as


def small_png(size: tuple[int, int] = (40, 30)) -> bytes:
    """A small PNG, made here."""
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A JPEG with EXIF: a GPS position, a camera model and orientation 6 (rotate 90°)."""
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera 3000"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 31.0, 12.0), "E", (13.0, 24.0, 36.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client: Any, data: bytes, name: str = "me.jpg", token: str | None = None) -> Any:
    fields = {"_csrf_token": csrf_token(client) if token is None else token}
    headers = {"X-CSRF-Token": ""}
    return client.post("/profile/photo", data=fields, files={"photo": (name, data, "image/jpeg")},
                       headers=headers, follow_redirects=False)


def photo_files(client: Any) -> list[Path]:
    directory = Path(client.app.state.runtime.settings.data_dir) / "photos"
    return sorted(directory.glob("*")) if directory.exists() else []


def test_an_uploaded_photo_loses_its_exif_is_upright_resized_and_served_as_jpeg(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    ada = mentorkit_factory.user("Ada")
    sign_in_as(mentorkit_client, ada)
    assert upload(mentorkit_client, jpeg_with_gps()).status_code == 303
    [stored] = photo_files(mentorkit_client)
    assert stored.suffix == ".jpg" and "me" not in stored.name
    profile = mentorkit_client.get("/api/v1/profile").json()
    response = mentorkit_client.get(profile["photo_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert "private" in response.headers["cache-control"]
    assert response.headers["x-content-type-options"] == "nosniff"
    served = Image.open(io.BytesIO(response.content))
    assert served.format == "JPEG"
    assert served.size == (384, 512)  # 1600 x 1200 turned upright (orientation 6), fitted into 512 x 512
    assert len(served.getexif()) == 0
    assert b"Secret Camera" not in response.content and b"GPS" not in response.content


def test_a_new_photo_replaces_the_old_file_and_removing_deletes_it(mentorkit_client: Any,
                                                                   mentorkit_factory: Any) -> None:
    sign_in_as(mentorkit_client, mentorkit_factory.user("Ada"))
    upload(mentorkit_client, small_png())
    [first] = photo_files(mentorkit_client)
    upload(mentorkit_client, small_png((80, 80)))
    [second] = photo_files(mentorkit_client)
    assert first != second and not first.exists()
    response = mentorkit_client.post("/profile/photo/remove", follow_redirects=False)
    assert response.status_code == 303
    assert photo_files(mentorkit_client) == []
    assert mentorkit_client.get("/api/v1/profile").json()["photo_url"] is None


def test_text_renamed_jpg_oversize_and_huge_dimensions_are_refused_naming_the_photo(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    sign_in_as(client, mentorkit_factory.user("Ada"))
    text = upload(client, b"just some text, honestly\n" * 10, name="photo.jpg")
    assert text.status_code == 400 and "not an image" in text.text
    limit = client.app.state.runtime.settings.photo_max_bytes
    big = upload(client, b"\xff\xd8" + b"0" * (limit + 10))
    assert big.status_code in (400, 413)
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 million pixels, a few kilobytes
    bomb = upload(client, out.getvalue(), name="bomb.png")
    assert bomb.status_code == 400 and "too many pixels" in bomb.text
    assert photo_files(client) == []


def test_an_upload_without_the_forms_token_is_refused(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    sign_in_as(mentorkit_client, mentorkit_factory.user("Ada"))
    response = upload(mentorkit_client, small_png(), token="forged")
    assert response.status_code == 403
    assert photo_files(mentorkit_client) == []


def test_the_photo_is_served_only_to_those_its_visibility_allows(mentorkit_client: Any,
                                                                 mentorkit_factory: Any) -> None:
    client = mentorkit_client
    ada, stranger = mentorkit_factory.user("Ada"), mentorkit_factory.user("Stranger")
    sign_in_as(client, ada)
    upload(client, small_png())
    url = f"/people/{ada.id}/photo"
    sign_in_as(client, stranger)
    assert client.get(url).status_code == 404  # photos are for members of one's programs by default
    program = mentorkit_factory.program()
    mentorkit_factory.enrol(program, ada, "mentee")
    mentorkit_factory.enrol(program, stranger, "mentor")
    assert client.get(url).status_code == 200


def test_erasure_removes_the_photo_file(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    from mentorkit.privacy.core_data import erase_core

    ada = mentorkit_factory.user("Ada")
    sign_in_as(mentorkit_client, ada)
    upload(mentorkit_client, small_png())
    assert len(photo_files(mentorkit_client)) == 1
    mentorkit_client.run(erase_core, ada.id)
    assert photo_files(mentorkit_client) == []
