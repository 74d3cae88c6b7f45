#!/usr/bin/env python3
"""A rolling deploy over Redis Streams, with real processes: three build N consumers are replaced
by build N+1 while a producer writes 20,000 send-email messages and flips from v1 to v2 early. One
N consumer is killed with SIGKILL mid-flight. At the end every valid message was sent exactly once,
every malformed one is in the dead-letter stream with its reason, and nothing is pending.

Uses the Redis at --port (or $SKEW_REDIS_PORT) if given, else starts a private one (redis-server on a
free loopback port, no persistence) and stops it afterwards. Exit 0: passed, 1: failed, 77: skipped
(no Redis available). Only the standard library: it speaks RESP itself.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DEADLINE_S = 110  # the whole test, below ctest's timeout: fail with counts rather than hang
EXPECTED_REASON = {  # producer's malformed kinds -> the reason skew must report
    "truncated": "malformed",
    "wrong-type": "invalid_payload",
    "no-type": "invalid_envelope",
    "not-an-envelope": "invalid_envelope",
}


class RedisError(Exception):
    pass


class Redis:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = self.sock.makefile("rb")

    def __call__(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))
        return self._read()

    def _read(self):
        line = self.reader.readline()
        if not line:
            raise RedisError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.reader.read(n + 2)[:-2].decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RedisError("unexpected reply %r" % line)


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_redis_server():
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)


def print_last_lines(logs):
    """Each process's last log lines, after a failure."""
    for name in sorted(os.listdir(logs)):
        with open(os.path.join(logs, name)) as f:
            print("---- %s (last lines)\n%s" % (name, "".join(f.readlines()[-15:])))


def wait_for(what, condition, deadline, poll=0.05):
    while not condition():
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(poll)


class Deploy:
    def __init__(self, bin_dir, port, logs, count, malformed_every):
        self.bin_dir = bin_dir
        self.port = port
        self.logs = logs
        self.count = count
        self.malformed_every = malformed_every
        self.stream = "send-email-test-%d" % os.getpid()
        self.redis = Redis(port)
        self.processes = {}
        self.deadline = time.monotonic() + DEADLINE_S

    def spawn(self, name, program, *args, stream=None):
        log = open(os.path.join(self.logs, name + ".log"), "w")
        command = [os.path.join(self.bin_dir, program), "--port", str(self.port),
                   "--stream", stream or self.stream] + [str(a) for a in args]
        self.processes[name] = (subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), log)

    def log(self, name):
        with open(os.path.join(self.logs, name + ".log")) as f:
            return f.read()

    def start_consumer(self, name, build, *extra):
        program = "redis_consumer_n" if build == "N" else "redis_consumer_n1"
        self.spawn(name, program, "--name", name, "--retry-delay-ms", 300, "--max-deliveries", 5,
                   *extra)
        wait_for(name + " to be ready", lambda: "ready" in self.log(name), self.deadline)
        print("  started %s (build %s)" % (name, build))

    def stop(self, name, sig):
        process, log = self.processes.pop(name)
        process.send_signal(sig)
        try:
            process.wait(timeout=max(1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Failure(name + " did not stop")
        log.close()
        if sig == signal.SIGTERM and process.returncode != 0:
            raise Failure("%s exited with %d:\n%s" % (name, process.returncode, self.log(name)))
        print("  %s %s" % ("killed" if sig == signal.SIGKILL else "stopped", name))

    def stream_length(self):
        return self.redis("XLEN", self.stream)

    def wait_stream(self, n):
        wait_for("%d entries in the stream" % n, lambda: self.stream_length() >= n, self.deadline)

    def cleanup(self):
        for process, log in self.processes.values():
            process.kill()
            process.wait()
            log.close()
        self.processes.clear()
        keys = self.redis("KEYS", self.stream + "*")  # this run's keys only
        if keys:
            self.redis("DEL", *keys)

    def outcomes(self, build):
        flat = self.redis("HGETALL", "%s:outcomes:%s" % (self.stream, build)) or []
        return {flat[i]: int(flat[i + 1]) for i in range(0, len(flat), 2)}

    def run(self):
        print("rolling deploy over Redis Streams (port %d, stream %s)" % (self.port, self.stream))
        # 1. Three build N consumers in one group, and a producer emitting v1 with malformed ones.
        # n-1 will be killed: it acknowledges a second after its side effects, so that the kill
        # leaves sent but unacknowledged entries, which must be delivered again and not re-sent.
        self.start_consumer("n-1", "N", "--ack-delay-ms", 1000)
        for i in (2, 3):
            self.start_consumer("n-%d" % i, "N")
        self.spawn("producer", "redis_producer", "--count", self.count, "--rate", 2500,
                   "--malformed-every", self.malformed_every, "--version", 1)
        fifth = self.count // 5
        # 2. Mid-stream: one N consumer dies without warning, an N+1 one takes its place...
        self.wait_stream(fifth)
        self.stop("n-1", signal.SIGKILL)
        self.start_consumer("n1-1", "N+1")
        # ... and the others are replaced one by one, gracefully.
        self.wait_stream(2 * fifth)
        self.stop("n-2", signal.SIGTERM)
        self.start_consumer("n1-2", "N+1")
        # 3. The early flip: v2 emission while n-3 (build N) still reads.
        self.wait_stream(int(2.5 * fifth))
        self.redis("SET", self.stream + ":emit-version", 2)
        print("  producer flipped to v2 while n-3 (build N) still runs")
        self.wait_stream(int(3.5 * fifth))
        wait_for("build N to retry a v2 message",
                 lambda: self.outcomes("N").get("unsupported_version.retry", 0) > 0, self.deadline)
        self.stop("n-3", signal.SIGTERM)
        self.start_consumer("n1-3", "N+1")

        producer, log = self.processes.pop("producer")
        producer.wait(timeout=max(1, self.deadline - time.monotonic()))
        log.close()
        if producer.returncode != 0:
            raise Failure("producer failed:\n" + self.log("producer"))
        print("  " + self.log("producer").strip().replace("\n", "\n  "))
        malformed = self.redis("HGETALL", self.stream + ":malformed") or []
        malformed = {malformed[i]: malformed[i + 1] for i in range(0, len(malformed), 2)}

        # 4. Drain: everything sent or dead-lettered, nothing pending.
        def drained():
            return (self.redis("HLEN", self.stream + ":handled") >= self.count
                    and self.redis("XLEN", self.stream + ":dlq") >= len(malformed)
                    and self.redis("XPENDING", self.stream, "mailers")[0] == 0)
        try:
            wait_for("the stream to drain", drained, self.deadline, poll=0.2)
        finally:
            self.report(malformed)
        for name in ("n1-1", "n1-2", "n1-3"):
            self.stop(name, signal.SIGTERM)
        self.check(malformed)
        self.retry_limits()

    def retry_limits(self):
        """Retries end: a handler that keeps failing is dead-lettered after --max-deliveries, a
        type no build knows after --max-skew-deliveries (when set)."""
        stream = self.stream + "-limits"
        self.redis("XADD", stream, "*", "message",
                   '{"type":"send-email","schemaVersion":1,"id":"u-1",'
                   '"to":"someone@unreachable.example","templateId":"welcome"}')
        self.redis("XADD", stream, "*", "message",
                   '{"type":"refund-issued","schemaVersion":1,"id":"r-1","amount":5}')
        self.spawn("limits", "redis_consumer_n1", "--name", "limits", "--retry-delay-ms", 100,
                   "--max-deliveries", 3, "--max-skew-deliveries", 4, stream=stream)
        dlq = stream + ":dlq"
        wait_for("two dead letters after retries", lambda: self.redis("XLEN", dlq) >= 2,
                 self.deadline)
        self.stop("limits", signal.SIGTERM)
        letters = [dict(zip(e[1][::2], e[1][1::2])) for e in self.redis("XRANGE", dlq, "-", "+")]
        reasons = sorted("%s after %s deliveries" % (l["reason"], l["deliveries"]) for l in letters)
        pending = self.redis("XPENDING", stream, "mailers")[0]
        print("  retry limits: dead letters %s, pending %d" % (reasons, pending))
        self.redis("DEL", stream, dlq, stream + ":outcomes:N+1")
        if reasons != ["handler_failed after 3 deliveries", "unknown_type after 4 deliveries"]:
            raise Failure("retry limits: unexpected dead letters %r" % reasons)
        if pending != 0:
            raise Failure("retry limits: %d entries still pending" % pending)

    def report(self, malformed):
        handled = self.redis("HLEN", self.stream + ":handled")
        pending = self.redis("XPENDING", self.stream, "mailers")[0]
        print("counts:")
        print("  valid messages produced       %d" % self.count)
        print("  sent (handled once)           %d" % handled)
        print("  malformed produced            %d" % len(malformed))
        print("  dead-lettered                 %d" % self.redis("XLEN", self.stream + ":dlq"))
        print("  pending                       %d" % pending)
        for build in ("N", "N+1"):
            counts = self.outcomes(build)
            print("  build %-3s %s" % (build, ", ".join(
                "%s=%d" % kv for kv in sorted(counts.items()))))

    def check(self, malformed):
        problems = []
        # Every valid id sent, and the side effect happened once per id.
        handled = set(self.redis("HKEYS", self.stream + ":handled"))
        expected = {"m-%d" % i for i in range(self.count)}
        if handled != expected:
            problems.append("handled ids differ: %d missing, %d unexpected" % (
                len(expected - handled), len(handled - expected)))
        sent = self.redis("LRANGE", self.stream + ":sent", 0, -1)
        if len(sent) != len(set(sent)) or set(sent) != expected:
            problems.append("sent list: %d entries, %d distinct" % (len(sent), len(set(sent))))
        by_version = {}
        for record in self.redis("HVALS", self.stream + ":handled"):
            parts = record.split(" ")  # consumer, build, type, version
            build, version = parts[1], parts[-1]
            by_version[(build, version)] = by_version.get((build, version), 0) + 1
        print("  handled by build and version  " + ", ".join(
            "%s %s: %d" % (b, v, n) for (b, v), n in sorted(by_version.items())))
        if by_version.get(("N", "v2")):
            problems.append("build N handled a v2 message")
        if not by_version.get(("N+1", "v2")):
            problems.append("no v2 message was handled by N+1")
        # Every malformed message dead-lettered once, for the right reason; nothing else.
        dlq = self.redis("XRANGE", self.stream + ":dlq", "-", "+")
        seen = set()
        for _, fields in dlq:
            entry = {fields[i]: fields[i + 1] for i in range(0, len(fields), 2)}
            source = entry["source-id"]
            if source not in malformed:
                problems.append("a valid message was dead-lettered: %r" % entry)
            elif entry["reason"] != EXPECTED_REASON[malformed[source]]:
                problems.append("%s dead-lettered as %s" % (malformed[source], entry["reason"]))
            elif not entry["payload"] or not entry["error"]:
                problems.append("dead letter without payload or error: %r" % entry)
            if source in seen:
                problems.append("dead-lettered twice: " + source)
            seen.add(source)
        if seen != set(malformed):
            problems.append("%d malformed messages not dead-lettered" % len(set(malformed) - seen))
        # Build N retried what it could not read, and never dropped anything.
        n = self.outcomes("N")
        if n.get("unsupported_version.retry", 0) == 0:
            problems.append("build N never retried a v2 message")
        for build in ("N", "N+1"):
            for key, value in self.outcomes(build).items():
                if key.endswith(".drop") or key == "deliveries_exhausted":
                    problems.append("build %s: %s=%d" % (build, key, value))
        if self.redis("XPENDING", self.stream, "mailers")[0] != 0:
            problems.append("entries still pending")
        redelivered = sum(self.outcomes(b).get("duplicate_delivery", 0) for b in ("N", "N+1"))
        print("  deliveries of sent messages   %d (not sent again)" % redelivered)
        if redelivered == 0:
            problems.append("the killed consumer's unacknowledged entries were not redelivered")
        if problems:
            raise Failure("\n".join(problems))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--port", type=int, default=int(os.environ.get("SKEW_REDIS_PORT") or 0))
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--malformed-every", type=int, default=400)
    args = parser.parse_args()

    server = None
    port = args.port
    logs = tempfile.mkdtemp(prefix="skew-redis-")
    if port == 0:
        redis_server = find_redis_server()
        if redis_server is None:
            print("redis-server not found and no --port / SKEW_REDIS_PORT: skipped")
            return 77
        port = free_port()
        server = subprocess.Popen(
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=open(os.path.join(logs, "redis.log"), "w"),
            stderr=subprocess.STDOUT)
    deploy = None
    try:
        started = time.monotonic()
        while True:
            try:
                Redis(port)("PING")
                break
            except OSError:
                if time.monotonic() - started > 10:
                    print("no Redis answers on port %d" % port)
                    return 1
                time.sleep(0.05)
        deploy = Deploy(args.bin_dir, port, logs, args.count, args.malformed_every)
        deploy.run()
        print("passed in %.1f s" % (time.monotonic() - started))
        return 0
    except (Failure, RedisError, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e)
        print_last_lines(logs)
        return 1
    finally:
        if deploy is not None:
            deploy.cleanup()
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
