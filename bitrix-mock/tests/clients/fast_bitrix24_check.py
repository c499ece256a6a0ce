"""Calls a fast_bitrix24 user makes, against the bitrix-mock binary.

Reads the mock's `--json` line from the file BITRIX_MOCK_JSON (the mock started with
--seed crm.item=120), runs each call, checks the answer as a real portal would give it, prints
`N of M calls answered as a portal would` and exits non-zero if any call was not.
"""

import json
import os
import re
import sys
import traceback
import urllib.parse
import urllib.request
import warnings

from fast_bitrix24 import Bitrix

# A warning from the library (a `total` that does not match the items, say) means the mock
# answered unlike a portal: it fails the check that raised it.
warnings.simplefilter("error")

SEEDED = 120
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def post(url, body=None, bearer=None):
    request = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if bearer:
        request.add_header("Authorization", f"Bearer {bearer}")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def main() -> int:
    with open(os.environ["BITRIX_MOCK_JSON"], encoding="utf-8") as line:
        creds = json.load(line)
    b = Bitrix(creds["webhook_url"], verbose=False)
    checks = []
    refreshes = []

    async def refresh_token():
        """What an application does when its token is refused: a refresh at the token endpoint."""
        query = urllib.parse.urlencode(
            {
                "grant_type": "refresh_token",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": refreshes[-1] if refreshes else creds["refresh_token"],
            }
        )
        with urllib.request.urlopen(f"{creds['token_endpoint']}?{query}") as response:
            answer = json.load(response)
        refreshes.append(answer["refresh_token"])
        return answer["access_token"]

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

    @check("OAuth client: an expired token is refreshed and the call goes through")
    def _():
        app = Bitrix(creds["rest_url"], token_func=refresh_token, verbose=False)
        first = app.call("profile", raw=True)
        assert first["result"]["ID"] == "1", first
        post(creds["control_url"] + "expire-tokens", bearer=creds["control_token"])
        again = app.call("app.info", raw=True)
        assert again["result"]["STATUS"] == "L" and again["result"]["INSTALLED"] is True, again
        # One refresh for the first token, one after the expiry.
        assert len(refreshes) == 2, refreshes

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
