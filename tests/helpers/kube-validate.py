#!/usr/bin/python3
"""Validates Kubernetes YAML offline against the API schemas of Debian's python3-kubernetes.

The client's models are generated from the Kubernetes OpenAPI specification: each model class
lists its fields (attribute_map: JSON name) and their types (openapi_types), and its setters
refuse a missing required field. This walks every document strictly: an unknown field, a value
of the wrong type or a missing required field is an error. Exit 0: all valid; 1: errors (printed).
"""
import datetime
import json
import re
import sys

import yaml
from kubernetes import client
from kubernetes.client import models

KINDS = {
    ("v1", "Pod"): "V1Pod",
    ("v1", "Service"): "V1Service",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Secret"): "V1Secret",
    ("v1", "PersistentVolumeClaim"): "V1PersistentVolumeClaim",
    ("apps/v1", "Deployment"): "V1Deployment",
}

errors = []


def check(value, typ, path):
    if value is None:
        return
    m = re.fullmatch(r"list\[(.+)\]", typ)
    if m:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, v in enumerate(value):
            check(v, m.group(1), f"{path}[{i}]")
        return
    m = re.fullmatch(r"dict\(str, (.+)\)", typ)
    if m:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping")
            return
        for k, v in value.items():
            check(v, m.group(1), f"{path}.{k}")
        return
    simple = {"str": str, "int": int, "bool": bool, "float": (int, float), "datetime": (str, datetime.datetime),
              "date": (str, datetime.date)}
    if typ in simple:
        ok = isinstance(value, simple[typ]) and not (typ == "int" and isinstance(value, bool))
        if not ok:
            errors.append(f"{path}: expected {typ}, got {type(value).__name__} {value!r}")
        return
    if typ == "object":  # IntOrString, quantities, free-form
        return
    cls = getattr(models, typ)
    if not isinstance(value, dict):
        errors.append(f"{path}: expected a {typ} mapping")
        return
    by_json = {j: (py, cls.openapi_types[py]) for py, j in cls.attribute_map.items()}
    for k, v in value.items():
        if k not in by_json:
            errors.append(f"{path}: unknown field {k!r} in {typ}")
            continue
        check(v, by_json[k][1], f"{path}.{k}")


def required(doc, typ, path):
    """The models' own checks (required fields), through the client's deserializer."""
    try:
        client.ApiClient().deserialize(type("R", (), {"data": json.dumps(doc, default=str)})(), typ)
    except ValueError as e:
        errors.append(f"{path}: {e}")


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 and sys.argv[1] != "-" else sys.stdin.read()
    n = 0
    for doc in yaml.safe_load_all(text):
        if doc is None:
            continue
        n += 1
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key not in KINDS:
            errors.append(f"document {n}: unknown apiVersion/kind {key}")
            continue
        check(doc, KINDS[key], f"{key[1]}")
        required(doc, KINDS[key], f"{key[1]}")
    for e in errors:
        print(e)
    if n == 0:
        print("no documents")
        return 1
    print(f"{n} document(s): " + ("valid" if not errors else f"{len(errors)} error(s)"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
