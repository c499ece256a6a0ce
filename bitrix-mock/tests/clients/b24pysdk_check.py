"""Calls a b24pysdk user makes first, against the bitrix-mock binary.

b24pysdk is the official Python SDK. It talks HTTPS only (`https://<domain>/rest/...`), so the
mock runs with --tls and REQUESTS_CA_BUNDLE names its certificate. Reads the mock's `--json` line
from the file BITRIX_MOCK_JSON (the mock started with --seed crm.contact=120), configures the
library with the webhook and with the OAuth tokens the way its README shows, runs each call,
checks the answer as a real portal would give it, prints `N of M calls answered as a portal
would` and exits non-zero if any call was not.
"""

import json
import os
import ssl
import sys
import traceback
import urllib.parse
import urllib.request

from b24pysdk import BitrixApp, BitrixToken, BitrixWebhook, Client
from b24pysdk.api.requesters import bitrix_oauth_requester
from b24pysdk.errors import BitrixAPIError

SEEDED = 120


def control(creds, action, body=None):
    """An action of the mock's control endpoint (plain urllib: it is no part of the library)."""
    request = urllib.request.Request(
        creds["control_url"] + action, data=json.dumps(body or {}).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {creds['control_token']}")
    trusted = ssl.create_default_context(cafile=creds["certificate_path"])
    with urllib.request.urlopen(request, context=trusted) as response:
        return json.load(response)


def main() -> int:
    with open(os.environ["BITRIX_MOCK_JSON"], encoding="utf-8") as line:
        creds = json.load(line)
    base = urllib.parse.urlsplit(creds["base_url"])
    domain = base.netloc
    # The webhook URL is https://<domain>/rest/<user>/<code>/; the library takes the domain and
    # `<user>/<code>` apart.
    hook_path = urllib.parse.urlsplit(creds["webhook_url"]).path
    webhook_token = hook_path.removeprefix("/rest/").strip("/")
    hook = BitrixWebhook(domain=domain, webhook_token=webhook_token)
    client = Client(hook)

    # The authorization server (oauth.bitrix24.tech on the real service) is the mock's own, as
    # for any test setup: the requester's class attributes name it.
    requester = bitrix_oauth_requester.BitrixOAuthRequester
    requester._OAUTH_TOKEN_URL = creds["token_endpoint"]
    requester._APP_INFO_URL = creds["app_info_endpoint"]
    app = BitrixApp(client_id=creds["client_id"], client_secret=creds["client_secret"])
    token = BitrixToken(
        domain=domain,
        auth_token=creds["access_token"],
        refresh_token=creds["refresh_token"],
        bitrix_app=app,
    )
    app_client = Client(token)

    checks = []

    def check(name):
        def register(fn):
            checks.append((name, fn))
            return fn

        return register

    @check("profile (webhook)")
    def _():
        result = client.profile().result
        assert result["ID"] == "1" and result["ADMIN"] is True, result

    @check("server.time (webhook)")
    def _():
        result = client.server.time().result
        assert isinstance(result, str) and result[:2] == "20", result

    @check("user.current (OAuth)")
    def _():
        result = app_client.user.current().result
        assert result["ID"] == "1", result

    @check("app.info from the authorization server (OAuth)")
    def _():
        result = token.get_app_info().result
        assert result.install.installed is True and result.install.status == "L", result

    @check("app.info through the portal (OAuth)")
    def _():
        result = app_client.app.info().result
        assert result["INSTALLED"] is True and result["STATUS"] == "L", result

    deal = {}

    @check("crm.deal.add then crm.deal.get")
    def _():
        new_id = client.crm.deal.add(fields={"TITLE": "Mock deal", "OPPORTUNITY": 500}).result
        assert isinstance(new_id, int) and new_id > 0, new_id
        got = client.crm.deal.get(bitrix_id=new_id).result
        assert got["TITLE"] == "Mock deal" and int(got["ID"]) == new_id, got
        deal["id"] = new_id

    @check("crm.deal.list with a filter")
    def _():
        client.crm.deal.add(fields={"TITLE": "Other deal", "OPPORTUNITY": 50}).result
        request = client.crm.deal.list(filter={">OPPORTUNITY": 100}, select=["ID", "TITLE"])
        result = request.result
        assert [int(d["ID"]) for d in result] == [deal["id"]], result
        assert request.response.total == 1, request.response

    @check("batch of crm.deal.get and crm.contact.get")
    def _():
        batch = client.call_batch(
            {
                "deal": client.crm.deal.get(bitrix_id=deal["id"]),
                "contact": client.crm.contact.get(bitrix_id=7),
            }
        ).result
        assert batch.result["deal"]["TITLE"] == "Mock deal", batch.result
        assert int(batch.result["contact"]["ID"]) == 7, batch.result
        assert not batch.result_error, batch.result_error

    @check("crm.contact.list over all pages (as_list)")
    def _():
        contacts = client.crm.contact.list(select=["ID", "NAME"]).as_list().result
        ids = [int(c["ID"]) for c in contacts]
        assert ids == list(range(1, SEEDED + 1)), ids[:5]

    @check("crm.contact.list by ids (as_list_fast)")
    def _():
        contacts = client.crm.contact.list(select=["ID", "NAME"]).as_list_fast().result
        ids = sorted(int(c["ID"]) for c in contacts)
        assert ids == list(range(1, SEEDED + 1)), ids[:5]

    @check("crm.deal.get of a missing deal raises the portal's error")
    def _():
        try:
            client.crm.deal.get(bitrix_id=999999).result
        except BitrixAPIError as error:
            assert error.status_code == 400, error.status_code
            assert error.error == "" and error.error_description == "Not found", (
                error.error,
                error.error_description,
            )
        else:
            raise AssertionError("no error for a missing deal")

    @check("an expired OAuth token is refreshed at the token endpoint and the call retried")
    def _():
        before = token.auth_token
        control(creds, "expire-tokens")
        result = app_client.user.current().result
        assert result["ID"] == "1", result
        assert token.auth_token != before and token.refresh_token != creds["refresh_token"]

    @check("a method that does not exist raises ERROR_METHOD_NOT_FOUND")
    def _():
        try:
            hook.call_method("crm.nothing.get", {"id": 1})
        except BitrixAPIError as error:
            assert error.error == "ERROR_METHOD_NOT_FOUND", error.error
        else:
            raise AssertionError("no error for an unknown method")

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
