"""Calls a fast_bitrix24 user makes, against the bitrix-mock binary.

Reads the webhook URL from BITRIX_WEBHOOK (the mock started with --seed crm.item=120), runs each
call, checks the answer as a real portal would give it, prints
`N of M calls answered as a portal would` and exits non-zero if any call was not.
"""

import os
import re
import sys
import traceback
import warnings

from fast_bitrix24 import Bitrix

# A warning from the library (a `total` that does not match the items, say) means the mock
# answered unlike a portal: it fails the check that raised it.
warnings.simplefilter("error")

SEEDED = 120
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def main() -> int:
    b = Bitrix(os.environ["BITRIX_WEBHOOK"], verbose=False)
    checks = []

    def check(name):
        def register(fn):
            checks.append((name, fn))
            return fn

        return register

    @check("get_all crm.item.list: every seeded item, across pages")
    def _():
        items = b.get_all("crm.item.list", {"entityTypeId": 2})
        ids = sorted(int(i["id"]) for i in items)
        assert ids == list(range(1, SEEDED + 1)), ids[:5]

    @check("get_all crm.item.list with filter and select")
    def _():
        items = b.get_all(
            "crm.item.list",
            {"entityTypeId": 2, "filter": {">opportunity": 5000}, "select": ["id", "title"]},
        )
        ids = sorted(int(i["id"]) for i in items)
        assert ids == list(range(51, SEEDED + 1)), ids[:5]
        assert all(set(i) == {"id", "title"} for i in items), items[0]

    @check("get_all crm.item.list with a substring filter")
    def _():
        items = b.get_all("crm.item.list", {"entityTypeId": 2, "filter": {"%title": "Item 11"}})
        assert sorted(int(i["id"]) for i in items) == [11] + list(range(110, 120)), items

    @check("call profile")
    def _():
        answer = b.call("profile", raw=True)
        assert answer["result"]["ID"] == "1" and answer["result"]["ADMIN"] is True, answer
        assert answer["time"]["operating"] >= 0, answer

    @check("call server.time")
    def _():
        answer = b.call("server.time", raw=True)
        assert ISO_WITH_OFFSET.match(answer["result"]), answer

    @check("call user.current")
    def _():
        answer = b.call("user.current", raw=True)
        assert answer["result"]["ID"] == "1" and "@" in answer["result"]["EMAIL"], answer

    @check("call scope")
    def _():
        scopes = b.call("scope", raw=True)["result"]
        assert {"crm", "basic", "user"} <= set(scopes), scopes

    @check("call with a list: one batch, answers in order")
    def _():
        answers = b.call(
            "method.get", [{"name": "crm.item.list"}, {"name": "no.such.method"}, {"name": "profile"}]
        )
        assert answers == (
            {"isExisting": True, "isAvailable": True},
            {"isExisting": False, "isAvailable": False},
            {"isExisting": True, "isAvailable": True},
        ), answers

    @check("call crm.item.list with a list of filters")
    def _():
        with warnings.catch_warnings():
            # The library prefers get_all for *.list; calling it by items is still legal.
            warnings.simplefilter("ignore", UserWarning)
            answers = b.call(
                "crm.item.list",
                [{"entityTypeId": 2, "filter": {"id": n}} for n in (7, 8, 9)],
            )
        ids = [int(i["id"]) for i in answers]
        assert ids == [7, 8, 9], answers

    @check("call_batch with named commands")
    def _():
        result = b.call_batch({"halt": 0, "cmd": {"me": "profile", "now": "server.time"}})
        assert result["me"]["ID"] == "1" and ISO_WITH_OFFSET.match(result["now"]), result

    passed = 0
    for name, fn in checks:
        try:
            fn()
        except Exception:  # noqa: BLE001 - every failure is reported, whatever it is
            print(f"FAILED: {name}", file=sys.stderr)
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok: {name}")
    print(f"{passed} of {len(checks)} calls answered as a portal would")
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
