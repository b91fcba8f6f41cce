"""The "Download my data" route: the signed-in person's own export, as a JSON attachment."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get

from mentorkit.privacy.services import export_user


@get("/account/export.json", opt={"policy": "signed_in"}, include_in_schema=False)
async def export_my_data(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Everything stored about the signed-in person (their own data only), to download."""
    user_id = request.user.id
    body = json.dumps(await export_user(user_id), indent=2, ensure_ascii=False).encode()
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="mentorkit-data-{user_id}.json"',
        "Cache-Control": "no-store",
    })


def privacy_routes() -> list[Any]:
    """Every data-rights route."""
    return [export_my_data]
