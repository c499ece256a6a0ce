"""The peer of the throughput benchmark: the same workload through fast-bitrix24.

Run by bench/src/bin/throughput.rs, one phase per process. The job comes as JSON on standard
input:

    {"phase": "delete", "webhook": ..., "rate": 2.0, "burst": 50,
     "bot_id": 1, "bot_token": "...", "message_ids": [...]}
    {"phase": "list", "webhook": ..., "rate": 2.0, "burst": 50, "entity_type_id": 2}

and the report goes, as one JSON line, to standard output: the seconds the library call took
and what it returned (the number of results of the deletes, the ids of the listed items).
"""

import json
import sys
import time
import warnings

from fast_bitrix24 import Bitrix


def main() -> None:
    job = json.load(sys.stdin)
    # Same limit as the mock portal enforces; no progress bar on the benchmark's output.
    bitrix = Bitrix(
        job["webhook"],
        requests_per_second=job["rate"],
        request_pool_size=job["burst"],
        verbose=False,
    )
    if job["phase"] == "delete":
        # Under a webhook the bot acts through its own token.
        items = [
            {"botId": job["bot_id"], "botToken": job["bot_token"], "messageId": message}
            for message in job["message_ids"]
        ]
        started = time.monotonic()
        results = bitrix.call("imbot.v2.Chat.Message.delete", items)
        seconds = time.monotonic() - started
        report = {"seconds": seconds, "results": len(results)}
    else:
        started = time.monotonic()
        with warnings.catch_warnings():
            # get_all() warns when the count differs from `total`; the harness checks the ids.
            warnings.simplefilter("ignore")
            items = bitrix.get_all("crm.item.list", params={"entityTypeId": job["entity_type_id"]})
        seconds = time.monotonic() - started
        # get_all() unwraps `result.items` of crm.item.list into one flat list; be safe if a
        # version hands back the pages' `{"items": [...]}` objects instead.
        if isinstance(items, dict) and "items" in items:
            items = items["items"]
        flat = []
        for item in items:
            if isinstance(item, dict) and "items" in item and "id" not in item:
                flat.extend(item["items"])
            else:
                flat.append(item)
        report = {"seconds": seconds, "ids": [int(item["id"]) for item in flat]}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
