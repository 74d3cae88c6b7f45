#!/usr/bin/env python3
"""Runs examples/otlp_spans and checks its lines: each validates against the OTLP JSON schema
(traces_line.schema.json: field names and types of opentelemetry-proto's trace data), and the
spans say what the example dispatched (the hop as parent, the creation context as a link, the
messaging attributes, an error status for the unknown type).

usage: check_spans.py <otlp_spans program> <output file>; exits 77 (skip) without jsonschema."""
import json
import pathlib
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("skipped: python3-jsonschema is not installed")
    sys.exit(77)

HOP_TRACE = "0af7651916cd43dd8448eb211c80319c"
HOP_PARENT = "b7ad6b7169203331"
CREATION_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CREATION_PARENT = "00f067aa0ba902b7"


def attributes(span):
    out = {}
    for kv in span.get("attributes", []):
        value = kv["value"]
        out[kv["key"]] = value.get("stringValue", value.get("intValue"))
    return out


def expect(failures, condition, what):
    if not condition:
        failures.append(what)


def main(program, output):
    output = pathlib.Path(output)
    output.unlink(missing_ok=True)
    subprocess.run([program, str(output)], check=True, stdout=subprocess.DEVNULL)
    schema = json.loads((pathlib.Path(__file__).parent / "traces_line.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    lines = output.read_text().splitlines()
    expect(failures, len(lines) == 3, f"3 lines, got {len(lines)}")
    spans = []
    for number, line in enumerate(lines, 1):
        document = json.loads(line)
        for error in validator.iter_errors(document):
            failures.append(f"line {number}: {error.json_path}: {error.message}")
        resource = document["resourceSpans"][0]
        expect(failures, {"key": "service.name", "value": {"stringValue": "mailer"}}
               in resource["resource"]["attributes"], f"line {number}: service.name")
        scope = resource["scopeSpans"][0]
        expect(failures, scope["scope"]["name"] == "skew", f"line {number}: scope name")
        spans.append(scope["spans"][0])
    if len(spans) == 3:
        traced, untraced, unknown = spans
        expect(failures, traced["traceId"] == HOP_TRACE, "the hop's trace is the span's")
        expect(failures, traced.get("parentSpanId") == HOP_PARENT, "the hop is the parent")
        expect(failures, traced.get("links") == [{"traceId": CREATION_TRACE,
                                                  "spanId": CREATION_PARENT}],
               "the creation context is a link")
        expect(failures, traced["kind"] == 5, "a consumer span")
        expect(failures, int(traced["endTimeUnixNano"]) >= int(traced["startTimeUnixNano"]),
               "ends after it starts")
        a = attributes(traced)
        wanted = {"messaging.system": "kafka", "messaging.destination.name": "mail",
                  "messaging.consumer.group.name": "mailers",
                  "messaging.destination.partition.id": "0", "messaging.kafka.offset": "17",
                  "messaging.operation.name": "process", "messaging.operation.type": "process",
                  "messaging.message.id": "m-1", "skew.message.type": "send-email",
                  "skew.message.schema_version": "1", "skew.outcome": "ack",
                  "skew.upcast_steps": "1"}
        for key, value in wanted.items():
            expect(failures, a.get(key) == value, f"traced span: {key} = {value}, got {a.get(key)}")
        expect(failures, "error.type" not in a, "a handled message has no error.type")
        expect(failures, traced.get("status", {}).get("code", 0) == 0, "handled: status unset")
        expect(failures, "parentSpanId" not in untraced and not untraced.get("links"),
               "no context: a new trace, no parent, no link")
        expect(failures, untraced["traceId"] != traced["traceId"], "a new trace id")
        expect(failures, attributes(untraced).get("skew.upcast_steps") == "0", "no upcast")
        expect(failures, unknown.get("status") == {"code": 2, "message": "unknown_type"},
               "unknown type: an error status")
        expect(failures, attributes(unknown).get("error.type") == "unknown_type",
               "unknown type: error.type")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(lines)} span lines checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
