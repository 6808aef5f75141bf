#!/usr/bin/env python3
"""The integration-config schema is a valid JSON Schema (2020-12), and every catalog entry's config in
integrations/ conforms to it, so the schema describes every field the catalog uses (hookd itself refuses
unknown fields when a config is stored; this keeps the published schema honest against the same files)."""
import json
import os
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    # tools/setup installs Debian's python3-jsonschema, for Debian's python3; another python3 may come first
    # on PATH.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "schemas" / "integration-config.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

entries = sorted((root / "integrations").glob("*.json"))
if not entries:
    sys.exit("no catalog entries in integrations/")
failed = 0
for path in entries:
    entry = json.loads(path.read_text())
    for field in ("name", "description", "docs", "account_context", "covers", "config"):
        if field not in entry:
            print(f"{path.name}: missing {field}")
            failed += 1
    for error in validator.iter_errors(entry.get("config", {})):
        where = "/".join(str(p) for p in error.absolute_path)
        print(f"{path.name}: config/{where}: {error.message[:300]}")
        failed += 1
print(f"{len(entries)} catalog entries checked, {failed} problems")
sys.exit(1 if failed else 0)
