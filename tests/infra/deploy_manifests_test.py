#!/usr/bin/env python3
"""The deploy/ manifests are valid: every compose file against the Compose Specification's JSON schema (vendored in
tests/infra/schemas, see its README), every Kubernetes manifest against Kubernetes' own schemas in strict mode
(kubernetes-validate, which tools/setup installs into a venv in the cache), plus the rules hookd's failover relies
on. No Docker engine or Kubernetes API server is needed (none runs here); what they would add — pulling images,
scheduling pods, forming the Redis Cluster — is not checked."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S_VALIDATE_VERSION = "1.31.0"
failures = []


def fail(message):
    failures.append(message)
    print("FAIL", message)


def compose_files():
    return sorted((ROOT / "deploy").glob("compose*.yaml"))


def k8s_files():
    return sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))


def check_compose():
    schema = json.loads((ROOT / "tests/infra/schemas/compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    for path in compose_files():
        doc = yaml.safe_load(path.read_text())
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:5]:
            fail(f"{path.name}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
        instance_ids = {}
        for name, service in doc.get("services", {}).items():
            env = service.get("environment") or {}
            if not isinstance(env, dict):
                continue
            if "dispatch" in str(env.get("HOOKD_ROLES", "")):
                iid = env.get("HOOKD_KAFKA_GROUP_INSTANCE_ID")
                replicas = (service.get("deploy") or {}).get("replicas", 1)
                if iid and replicas != 1:
                    fail(f"{path.name}: {name}: {replicas} replicas share group.instance.id {iid} (they fence each other)")
                if iid and iid in instance_ids:
                    fail(f"{path.name}: {name} and {instance_ids[iid]} share group.instance.id {iid}")
                instance_ids[iid] = name
        print(f"ok {path.name}: {len(doc.get('services', {}))} services")


def k8s_validate_binary():
    cache = Path(os.environ.get("HOOKD_CACHE", Path.home() / ".cache" / "hookd"))
    return cache / f"k8s-validate-{K8S_VALIDATE_VERSION}" / "bin" / "kubernetes-validate"


def check_k8s():
    binary = k8s_validate_binary()
    if not binary.exists():
        fail(f"{binary} is missing: run tools/setup")
        return
    for path in k8s_files():
        run = subprocess.run([str(binary), "--strict", "-k", "1.31.0", str(path)], capture_output=True, text=True)
        lines = (run.stdout + run.stderr).splitlines()
        passed = [l for l in lines if " passed for resource " in l]
        if run.returncode != 0 or not passed:
            fail(f"{path.name}: kubernetes-validate exited {run.returncode}: " +
                 "; ".join(l for l in lines if not l.startswith("INFO"))[:600])
        else:
            print(f"ok {path.name}: {len(passed)} resources")
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        for d in docs:
            check_k8s_rules(path.name, d)


def check_k8s_rules(file, doc):
    kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
    spec = doc.get("spec", {})
    if kind in ("Deployment", "StatefulSet"):
        pod = spec.get("template", {}).get("spec", {})
        grace = pod.get("terminationGracePeriodSeconds", 30)
        for c in pod.get("containers", []):
            if c.get("image", "").startswith("hookd") and grace <= 20:
                fail(f"{file}: {kind}/{name}: terminationGracePeriodSeconds {grace} is not longer than HOOKD_SHUTDOWN_TIMEOUT (20s)")


def main():
    check_compose()
    check_k8s()
    if failures:
        print(f"{len(failures)} problem(s)")
        return 1
    print("all manifests valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
