#!/usr/bin/env python3
"""Validates every fixture against its family's exported JSON Schema with python3-jsonschema,
and checks that a message missing a required field is rejected.

usage: validate_schemas.py <schema dir> <fixture dir>...; exits 77 (skip) when jsonschema is
absent."""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    print("skipped: python3-jsonschema is not installed")
    sys.exit(77)


def main(schema_dir, *fixture_dirs):
    schema_dir = pathlib.Path(schema_dir)
    failures = checked = 0
    type_dirs = [p for d in fixture_dirs for p in pathlib.Path(d).iterdir() if p.is_dir()]
    for type_dir in sorted(type_dirs):
        schema = json.loads((schema_dir / f"{type_dir.name}.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for fixture in sorted(type_dir.glob("v*/*.json")):
            message = json.loads(fixture.read_text())
            errors = list(validator.iter_errors(message))
            checked += 1
            if errors:
                failures += 1
                print(f"FAIL {fixture}: {errors[0].message}")
            # The same message without a required header or payload field must not validate.
            for key in ("type", "schemaVersion", "templateId", "currency", "ship_to"):
                if key in message:
                    broken = {k: v for k, v in message.items() if k != key}
                    if validator.is_valid(broken):
                        failures += 1
                        print(f"FAIL {fixture} without {key} still validates")
            # Nor without a required member of a nested struct.
            if isinstance(message.get("ship_to"), dict):
                broken = dict(message, ship_to={"street": message["ship_to"].get("street")})
                if validator.is_valid(broken):
                    failures += 1
                    print(f"FAIL {fixture} without ship_to.city still validates")
            # Nor a tagged variant without its tag, or under another alternative's tag.
            if isinstance(message.get("shape"), dict):
                shape = message["shape"]
                untagged = {k: v for k, v in shape.items() if k != "kind"}
                other = "square" if shape.get("kind") == "circle" else "circle"
                for broken_shape, what in ((untagged, "without shape.kind"),
                                           (dict(shape, kind=other), f"with shape.kind {other}")):
                    if validator.is_valid(dict(message, shape=broken_shape)):
                        failures += 1
                        print(f"FAIL {fixture} {what} still validates")
    print(f"{checked} fixtures validated, {failures} failures")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *sys.argv[2:]))
