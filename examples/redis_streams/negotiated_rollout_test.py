#!/usr/bin/env python3
"""The two-phase rollout with no manual step, over Redis Streams with real processes.

Consumers publish their manifests as heartbeats; the producer's emitter follows the fleet
(skew::redis::emission_negotiator) instead of a flag. The test plays:
  1. three build N consumers replaced one by one by N+1 (one of them SIGKILLed): emission stays v1
     while any N instance is live (a killed one until its TTL expires), turns v2 within TTL + two
     polls after the last N leaves, and no message is retried for version skew;
  2. a Redis restart: emission holds its version and negotiation resumes;
  3. a rollback (an N consumer joins again): emission falls to v1 at once, v2 messages it gets are
     retried, not lost; it rises again once that consumer leaves;
  4. a declared group with no live instance pins the version until it is retired;
  5. the floor raised to v2: an N consumer refuses to start, and can-deploy says no to N.
Every valid message is handled exactly once. The emission timeline is printed.

Starts its own Redis (with an append-only file, so that the restart keeps the stream). Exit 0:
passed, 1: failed, 77: skipped (no redis-server).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rolling_deploy_test import (Deploy, Failure, Redis, RedisError, find_redis_server,  # noqa: E402
                                 free_port, print_last_lines, wait_for)

DEADLINE_S = 120
TTL_MS = 1500   # consumer heartbeat TTL (refreshed every TTL / 3)
POLL_MS = 200   # the producer's negotiation interval
RISE_AFTER = 2  # reads in a row that must agree before emission rises
SLACK_MS = 1500  # scheduling noise allowed on a loaded machine


def now_ms():
    return int(time.time() * 1000)


class Rollout(Deploy):
    """The rolling deploy's process handling (spawn, log), with its own Redis and scenario."""

    def __init__(self, bin_dir, logs, redis_server, count, rate, skew):
        self.bin_dir = bin_dir
        self.skew = skew
        self.logs = logs
        self.redis_server = redis_server
        self.count = count
        self.rate = rate
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="skew-redis-data-")
        self.stream = "send-email-rollout"
        self.processes = {}
        self.server = None
        self.deadline = time.monotonic() + DEADLINE_S
        self.start_redis()

    # -- Redis ---------------------------------------------------------------------------------
    def start_redis(self):
        self.server = subprocess.Popen(
            [self.redis_server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", self.data],
            stdout=open(os.path.join(self.logs, "redis.log"), "a"), stderr=subprocess.STDOUT)

        def answers():
            try:
                self.redis = Redis(self.port)
                self.redis("PING")
                return True
            except (OSError, RedisError):
                return False
        wait_for("Redis to answer", answers, self.deadline)

    def restart_redis(self):
        try:
            self.redis("SHUTDOWN")
        except (OSError, RedisError):
            pass  # the server closes the connection as it exits
        self.server.wait(timeout=10)
        time.sleep(0.5)  # everyone sees it gone
        self.start_redis()

    # -- processes -----------------------------------------------------------------------------
    def consumer(self, name, build, *extra):
        program = "redis_consumer_n" if build == "N" else "redis_consumer_n1"
        self.spawn(name, program, "--name", name, "--retry-delay-ms", 300, "--max-deliveries", 5,
                   "--heartbeat-ttl-ms", TTL_MS, "--reconnect", 1, *extra)
        wait_for(name + " to be ready", lambda: "ready" in self.log(name), self.deadline)
        print("  %7d ms  started %s (build %s)" % (self.elapsed(), name, build))
        return now_ms()

    def stop(self, name, sig):
        process, log = self.processes.pop(name)
        process.send_signal(sig)
        process.wait(timeout=max(1, self.deadline - time.monotonic()))
        log.close()
        if sig == signal.SIGTERM and process.returncode != 0:
            raise Failure("%s exited with %d:\n%s" % (name, process.returncode, self.log(name)))
        print("  %7d ms  %s %s" % (self.elapsed(), "killed" if sig == signal.SIGKILL else "stopped",
                                   name))
        return now_ms()

    def fleet(self, *args):
        result = subprocess.run([self.skew, args[0], "--redis", "127.0.0.1:%d" % self.port,
                                 "--stream", self.stream] + [str(a) for a in args[1:]],
                                capture_output=True, text=True, timeout=30)
        return result.returncode, result.stdout + result.stderr

    def cleanup(self):
        for process, log in self.processes.values():
            process.kill()
            process.wait()
            log.close()
        self.processes.clear()
        if self.server is not None:
            self.server.terminate()
            self.server.wait()
        shutil.rmtree(self.data, ignore_errors=True)

    # -- what the producer did -----------------------------------------------------------------
    def elapsed(self):
        return now_ms() - self.started

    def emissions(self):
        """(unix ms, from, to, why) for every change the producer logged."""
        out = []
        for line in self.log("producer").splitlines():
            if line.startswith("emission "):
                head, why = line.split(": ", 1)
                _, t, frm, _, to = head.split(" ")
                out.append((int(t), int(frm[1:]), int(to[1:]), why))
        return out

    def version(self):
        e = self.emissions()
        return e[-1][2] if e else 1

    def wait_version(self, v, what):
        wait_for(what, lambda: self.version() == v, self.deadline, poll=0.02)
        return self.emissions()[-1][0]

    def skew_retries(self):
        return sum(n for b in ("N", "N+1") for k, n in self.outcomes(b).items()
                   if k.startswith(("unknown_type", "unsupported_version")))

    def run(self):
        self.started = now_ms()
        problems = []
        print("negotiated rollout over Redis Streams (port %d): TTL %d ms, poll %d ms, rise after "
              "%d reads" % (self.port, TTL_MS, POLL_MS, RISE_AFTER))
        for i in (1, 2, 3):
            self.consumer("n-%d" % i, "N")
        self.spawn("producer", "redis_producer", "--count", self.count, "--rate", self.rate,
                   "--version", 1, "--follow-fleet", 1, "--poll-ms", POLL_MS, "--rise-after",
                   RISE_AFTER, "--groups", "mailers", "--reconnect", 1)
        step = self.count // 12

        # 1. Rolling replacement; n-1 dies without warning.
        self.wait_stream(step)
        killed = self.stop("n-1", signal.SIGKILL)
        self.consumer("n1-1", "N+1")
        self.stop("n-2", signal.SIGTERM)
        self.consumer("n1-2", "N+1")
        self.wait_stream(2 * step)
        if self.version() != 1:
            problems.append("emission left v1 while n-3 (build N) was live")
        last_n = self.stop("n-3", signal.SIGTERM)
        self.consumer("n1-3", "N+1")
        gone = max(last_n, killed + TTL_MS)  # the killed instance counts until its TTL expires
        up = self.wait_version(2, "emission to turn v2 after the last N left")
        print("  %7d ms  emission v2, %d ms after the last N instance left (the killed one at "
              "its TTL); %d polls are %d ms" % (up - self.started, up - gone, RISE_AFTER,
                                                RISE_AFTER * POLL_MS))
        if up < last_n or up < killed + TTL_MS - TTL_MS // 3 - 100:
            problems.append("emission turned v2 while an N instance could still be live")
        if up - gone > RISE_AFTER * POLL_MS + SLACK_MS:
            problems.append("emission turned v2 %d ms after the last N left" % (up - gone))
        retries = self.skew_retries()
        print("  skew retries during the replacement: %d" % retries)
        if retries:
            problems.append("%d messages were retried for version skew" % retries)

        # 2. Redis restarts: emission holds, and negotiation resumes afterwards.
        self.wait_stream(4 * step)
        changes = len(self.emissions())
        self.restart_redis()
        print("  %7d ms  Redis restarted" % self.elapsed())
        time.sleep(4 * POLL_MS / 1000)
        if len(self.emissions()) != changes or self.version() != 2:
            problems.append("emission changed across the Redis restart")

        # 3. A rollback: an N consumer joins again.
        joined = self.consumer("n-4", "N")
        down = self.wait_version(1, "emission to fall back to v1")
        print("  %7d ms  emission v1, %d ms after n-4 joined" % (down - self.started, down - joined))
        if down - joined > 2 * POLL_MS + SLACK_MS:
            problems.append("emission fell back %d ms after the rollback" % (down - joined))
        self.wait_stream(int(6.5 * step))
        self.stop("n-4", signal.SIGTERM)
        self.wait_version(2, "emission to rise again after n-4 left")

        # 4. A declared group with no live instance pins the version until it is retired.
        self.consumer("audit-1", "N", "--group", "audit", "--record-prefix",
                      self.stream + ":audit")
        self.wait_version(1, "emission to fall to v1 for the audit group")
        self.stop("audit-1", signal.SIGTERM)
        time.sleep((RISE_AFTER + 3) * POLL_MS / 1000)
        if self.version() != 1:
            problems.append("emission rose while the audit group's last manifest reads v1 only")
        code, text = self.fleet("raise-floor", "--type", "send-email", "--version", 2)
        print("  raise-floor while audit is declared: exit %d: %s" % (code, text.strip()))
        if code != 1 or "audit" not in text:
            problems.append("the floor was raised while the audit group reads v1 only")
        code, text = self.fleet("retire-group", "--group", "audit")
        if code != 0:
            problems.append("retire-group failed: " + text)
        retired = now_ms()
        up = self.wait_version(2, "emission to rise after the audit group was retired")
        print("  %7d ms  emission v2, %d ms after audit was retired" % (up - self.started,
                                                                       up - retired))

        # 5. Finalize: the floor is v2; build N may not start, and can-deploy says why.
        code, text = self.fleet("raise-floor", "--type", "send-email", "--version", 2)
        if code != 0:
            problems.append("raise-floor failed: " + text)
        for build, program in (("N", "redis_consumer_n"), ("N+1", "redis_consumer_n1")):
            path = os.path.join(self.logs, "manifest-%s.json" % build)
            with open(path, "w") as f:
                subprocess.run([os.path.join(self.bin_dir, program), "--print-manifest", "1"],
                               stdout=f, check=True, timeout=30)
            code, text = self.fleet("can-deploy", "--candidate", path)
            print("  " + text.strip().replace("\n", "\n  "))
            if code != (1 if build == "N" else 0):
                problems.append("can-deploy %s: exit %d" % (build, code))
        # The same question from manifest files alone, as a pipeline without Redis asks it.
        producer_file = os.path.join(self.logs, "manifest-producer.json")
        with open(producer_file, "w") as f:
            f.write('{"build":"mail-producer@file","families":[{"type":"send-email",'
                    '"writes":[1,2],"emits":2}]}')
        code = subprocess.run(
            [self.skew, "can-deploy", "--manifests", producer_file,
             "--candidate", os.path.join(self.logs, "manifest-N.json")],
            capture_output=True, text=True, timeout=30).returncode
        if code != 1:
            problems.append("can-deploy from files let build N read v2 (exit %d)" % code)
        self.spawn("n-5", "redis_consumer_n", "--name", "n-5", "--heartbeat-ttl-ms", TTL_MS)
        process, log = self.processes.pop("n-5")
        process.wait(timeout=30)
        log.close()
        print("  n-5 (build N) exit %d: %s" % (process.returncode, self.log("n-5").strip()))
        if process.returncode != 4 or "floor is v2" not in self.log("n-5"):
            problems.append("build N started under a v2 floor")

        # Drain and check.
        producer, log = self.processes.pop("producer")
        producer.wait(timeout=max(1, self.deadline - time.monotonic()))
        log.close()
        if producer.returncode != 0:
            raise Failure("producer failed:\n" + self.log("producer"))

        def drained():
            return (self.redis("HLEN", self.stream + ":handled") >= self.count
                    and self.redis("XPENDING", self.stream, "mailers")[0] == 0)
        try:
            wait_for("the stream to drain", drained, self.deadline, poll=0.2)
        finally:
            self.report()
        for name in ("n1-1", "n1-2", "n1-3"):
            self.stop(name, signal.SIGTERM)
        handled = set(self.redis("HKEYS", self.stream + ":handled"))
        expected = {"m-%d" % i for i in range(self.count)}
        sent = self.redis("LRANGE", self.stream + ":sent", 0, -1)
        if handled != expected or len(sent) != len(set(sent)) or set(sent) != expected:
            problems.append("handled %d ids, sent %d (%d distinct) of %d" % (
                len(handled), len(sent), len(set(sent)), self.count))
        for record in self.redis("HVALS", self.stream + ":handled"):
            parts = record.split(" ")  # consumer, build, type, version
            if parts[1] == "N" and parts[-1] == "v2":
                problems.append("build N handled a v2 message")
                break
        if self.redis("XLEN", self.stream + ":dlq"):
            problems.append("messages were dead-lettered")
        if problems:
            raise Failure("\n".join(problems))

    def report(self):
        print("emission timeline (ms since start):")
        print("  %7d  v1 (the producer's start)" % 0)
        for t, frm, to, why in self.emissions():
            print("  %7d  v%d -> v%d: %s" % (t - self.started, frm, to, why))
        print("counts:")
        print("  valid messages produced  %d" % self.count)
        print("  handled                  %d" % self.redis("HLEN", self.stream + ":handled"))
        print("  pending (mailers)        %d" % self.redis("XPENDING", self.stream, "mailers")[0])
        for build in ("N", "N+1"):
            print("  build %-3s %s" % (build, ", ".join(
                "%s=%d" % kv for kv in sorted(self.outcomes(build).items()))))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--skew", required=True, help="the skew command")
    parser.add_argument("--count", type=int, default=12000)
    parser.add_argument("--rate", type=int, default=1000)
    args = parser.parse_args()
    redis_server = find_redis_server()
    if redis_server is None:
        print("redis-server not found: skipped")
        return 77
    logs = tempfile.mkdtemp(prefix="skew-rollout-")
    rollout = None
    started = time.monotonic()
    try:
        rollout = Rollout(args.bin_dir, logs, redis_server, args.count, args.rate, args.skew)
        rollout.run()
        print("passed in %.1f s" % (time.monotonic() - started))
        return 0
    except (Failure, RedisError, OSError, subprocess.SubprocessError) as e:
        print("FAILED: %s" % e)
        print_last_lines(logs)
        return 1
    finally:
        if rollout is not None:
            rollout.cleanup()
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
