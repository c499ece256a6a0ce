#!/usr/bin/env python3
"""Averages per method spec of two spec folders: schema nodes (parameters and result, nested
members and items included), objects, enums, errors, examples. Shows how far the synthetic specs
of the compile-time benchmark are from the real ones.

    python3 bench/shapes.py specs /tmp/synthetic-specs

Needs PyYAML (`pip install pyyaml`)."""

import glob
import statistics
import sys

import yaml


def walk(schema, acc):
    if not isinstance(schema, dict):
        return
    acc["nodes"] += 1
    kind = schema.get("type")
    if kind == "object":
        acc["objects"] += 1
    if kind == "enum":
        acc["enums"] += 1
    for member in (schema.get("fields") or {}).values():
        walk(member, acc)
    if isinstance(schema.get("items"), dict):
        walk(schema["items"], acc)


def averages(folder):
    rows = []
    for path in glob.glob(f"{folder}/*/*.yaml"):
        with open(path, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        if not isinstance(spec, dict) or "method" not in spec:
            continue
        acc = {"nodes": 0, "objects": 0, "enums": 0}
        for param in (spec.get("params") or {}).values():
            walk(param, acc)
        walk(spec.get("result") or {}, acc)
        acc["errors"] = len(spec.get("errors") or [])
        acc["examples"] = len(spec.get("examples") or [])
        rows.append(acc)
    if not rows:
        sys.exit(f"no method specs under {folder}/*/")
    return len(rows), {k: statistics.mean(r[k] for r in rows) for k in rows[0]}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    keys = ["nodes", "objects", "enums", "errors", "examples"]
    print(f"{'folder':<28} {'specs':>6} " + " ".join(f"{k:>9}" for k in keys))
    for folder in sys.argv[1:]:
        n, avg = averages(folder)
        print(f"{folder:<28} {n:>6} " + " ".join(f"{avg[k]:>9.2f}" for k in keys))


if __name__ == "__main__":
    main()
