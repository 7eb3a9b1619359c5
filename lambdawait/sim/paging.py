"""Lambda's list operations one page at a time: at most 50 items, `NextMarker`, `MaxItems`.

moto answers every item at once; AWS does not. ListVersionsByFunction and ListFunctions return
at most 50 items a page whatever `MaxItems` says (documented); ListAliases documents no cap, and
the simulator pages it the same way so that clients that read one page are caught there too.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from lambdawait.sim.jsondata import list_at, parse_object
from lambdawait.sim.wire import Reply, invalid_parameter, validation

PAGE_SIZE = 50
MAX_ITEMS = 10000
LISTS = {"ListVersionsByFunction": "Versions", "ListFunctions": "Functions", "ListAliases": "Aliases"}


def paginate(operation: str, query: Mapping[str, str], reply: Reply) -> Reply:
    """The page of a full list reply that `Marker` and `MaxItems` ask for."""
    key = LISTS.get(operation)
    if key is None or reply.status >= 300:
        return reply
    data = reply.json_object()
    items = list_at(data, key)
    start = _start(query.get("Marker"))
    size = min(PAGE_SIZE, _max_items(query.get("MaxItems")))
    data[key] = items[start : start + size]
    data.pop("NextMarker", None)
    if start + size < len(items):
        data["NextMarker"] = _marker(start + size)
    return reply.with_json(data)


def _marker(position: int) -> str:
    # Opaque to clients, like AWS's; it carries the position of the next page's first item.
    return base64.urlsafe_b64encode(json.dumps({"position": position}).encode()).decode()


def _start(marker: str | None) -> int:
    if not marker:
        return 0
    try:
        position = parse_object(base64.urlsafe_b64decode(marker.encode()))["position"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        position = None
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise invalid_parameter(f"Invalid marker: {marker}")
    return position


def _max_items(raw: str | None) -> int:
    if raw is None:
        return PAGE_SIZE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise validation(raw, "maxItems", "Member must have value greater than or equal to 1")
    if value > MAX_ITEMS:
        raise validation(raw, "maxItems", f"Member must have value less than or equal to {MAX_ITEMS}")
    return value
