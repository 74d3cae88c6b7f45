#!/usr/bin/env python3
"""A rolling deploy over Kafka, with real processes. A mock cluster (3 brokers, librdkafka's
rdkafka_mock) hosts send-email (6 partitions, replication 3) and its .retry and .dlt topics. Three
build N consumers in one group are replaced by build N+1 while a producer writes 20,000 send-email
messages in CloudEvents binary mode, flipping from v1 to v2 early, so that N consumers send v2 to
the retry topic for N+1. One N consumer is killed with SIGKILL (its uncommitted batch is delivered
again after the rebalance), and the broker leading two partitions goes down for a few seconds.

Passes when every id was handled exactly once by the idempotent handler, every malformed record is
in the dead-letter topic with its reason (more than once only as a redelivery of the same record),
the group's lag is 0 on every partition of the main and retry topics, and the retry topic was
used. Exit 0: passed, 1: failed.
"""
import argparse
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "redis_streams"))
from rolling_deploy_test import Failure, print_last_lines, wait_for  # noqa: E402

DEADLINE_S = 110  # below ctest's timeout: fail with counts rather than hang
MALFORMED = 20
EXPECTED_REASON = {0: "malformed", 1: "invalid_payload"}  # bad-<n> by n % 2, as the producer writes


class Deploy:
    def __init__(self, bin_dir, work, count, cluster_program=None):
        self.bin = bin_dir
        self.logs = os.path.join(work, "logs")
        self.count = count
        self.ledger = os.path.join(work, "ledger")
        os.mkdir(self.logs)
        os.mkdir(self.ledger)
        logs = self.logs
        self.procs = {}
        self.deadline = time.monotonic() + DEADLINE_S
        self.cluster = subprocess.Popen(
            [cluster_program or os.path.join(bin_dir, "kafka_cluster")], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=open(os.path.join(logs, "cluster.err"), "w"), text=True)
        line = self.cluster.stdout.readline().split()
        if len(line) != 2 or line[0] != "bootstrap":
            raise Failure("the cluster did not start: %r" % line)
        self.bootstrap = line[1]

    def command(self, text):
        self.cluster.stdin.write(text + "\n")
        self.cluster.stdin.flush()
        reply = self.cluster.stdout.readline().strip()
        print("cluster: %s -> %s" % (text, reply))

    def spawn(self, name, program, *args):
        out = open(os.path.join(self.logs, name + ".log"), "w")
        self.procs[name] = subprocess.Popen(
            [os.path.join(self.bin, program), "--bootstrap", self.bootstrap] + list(args),
            stdout=out, stderr=subprocess.STDOUT)

    def consumer(self, name, build, *extra):
        program = "kafka_consumer_n" if build == "N" else "kafka_consumer_n1"
        self.spawn(name, program, "--name", name, "--ledger", self.ledger, *extra)

    def produce(self, name, first, count, version, malformed=0):
        self.spawn(name, "kafka_producer", "--first", str(first), "--count", str(count),
                   "--version", str(version), "--malformed", str(malformed),
                   "--per-second", "2500")

    def wait_exit(self, name):
        left = max(1.0, self.deadline - time.monotonic())
        if self.procs[name].wait(timeout=left) != 0:
            raise Failure("%s exited with %d" % (name, self.procs[name].returncode))

    def stop(self, name, sig=signal.SIGTERM):
        self.procs[name].send_signal(sig)
        self.procs[name].wait(timeout=max(1.0, self.deadline - time.monotonic()))

    def handled(self):
        return sum(1 for name in os.listdir(self.ledger) if not name.startswith("."))

    def inspect(self, what):
        out = subprocess.run([os.path.join(self.bin, "kafka_inspect"), what, "--bootstrap",
                              self.bootstrap], capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise Failure("kafka_inspect %s failed: %s" % (what, out.stderr))
        return [line.split() for line in out.stdout.splitlines()]

    def lag(self):
        return {(t, int(p)): int(end) - int(committed) for _, t, p, committed, end in
                self.inspect("lag")}

    def retry_records(self):
        return sum(int(end) for _, t, _, _, end in self.inspect("lag") if t.endswith(".retry"))

    def run(self):
        phase1 = self.count * 2 // 5
        flip = self.count * 4 // 5
        # n-1, the one killed, takes 2 ms per message after its side effect: the SIGKILL lands
        # inside a batch whose ids are claimed and whose offsets are not committed.
        self.consumer("n-1", "N", "--handle-delay-us", "2000")
        for i in (2, 3):
            self.consumer("n-%d" % i, "N")
        self.produce("producer-v1", 0, phase1, 1)
        wait_for("a quarter handled", lambda: self.handled() >= self.count // 4, self.deadline)
        # SIGKILL: no commit of the batch in hand; its records come back after the rebalance.
        self.procs["n-1"].kill()
        self.procs["n-1"].wait()
        print("killed n-1 at %d handled" % self.handled())
        self.consumer("n1-1", "N+1")
        self.wait_exit("producer-v1")
        # The early flip: v2 while two N consumers still run. They send it to the retry topic.
        self.produce("producer-v2", phase1, flip - phase1, 2)
        time.sleep(0.5)
        self.command("down 1")  # leads partitions 0 and 3 of send-email
        time.sleep(3)
        self.command("up 1")
        wait_for("N consumers to send v2 to the retry topic", lambda: self.retry_records() > 0,
                 self.deadline, 0.2)
        self.wait_exit("producer-v2")
        for i in (2, 3):
            self.stop("n-%d" % i)
            self.consumer("n1-%d" % i, "N+1")
        self.produce("producer-rest", flip, self.count - flip, 2, MALFORMED)
        self.wait_exit("producer-rest")
        wait_for("every id handled", lambda: self.handled() >= self.count, self.deadline, 0.2)
        wait_for("lag 0 everywhere", lambda: all(v == 0 for v in self.lag().values()),
                 self.deadline, 0.5)
        for name in ("n1-1", "n1-2", "n1-3"):
            self.stop(name)

    def stats(self):
        rows = {}
        for name in sorted(self.procs):
            with open(os.path.join(self.logs, name + ".log")) as f:
                for line in f:
                    if line.startswith("stats "):
                        parts = line.split()
                        rows[name] = dict(kv.split("=") for kv in parts[3:])
                        rows[name]["build"] = parts[2]
        return rows

    def check(self):
        ids = sorted(name for name in os.listdir(self.ledger) if not name.startswith("."))
        expected = {"m-%d" % n for n in range(self.count)}
        if set(ids) != expected:
            missing = sorted(expected - set(ids))[:5]
            extra = sorted(set(ids) - expected)[:5]
            raise Failure("ledger: %d ids, missing %s, unexpected %s" % (len(ids), missing, extra))
        by_build = collections.Counter()
        for name in ids:
            with open(os.path.join(self.ledger, name)) as f:
                fields = f.read().split()  # consumer, build, type, version
            by_build[(fields[1], fields[-1])] += 1
            if int(name[2:]) >= self.count * 2 // 5 and fields[-1] != "v2":
                raise Failure("%s was written as v2 and handled as %s" % (name, fields[-1]))
        # Dead-lettering is at least once: a rebalance between the dead letter and the commit (the
        # commit of an older generation is refused) delivers the record again, to its new owner,
        # which dead-letters it again. Every copy of one record names the same origin.
        dead = self.inspect("dlt")
        origins = collections.defaultdict(set)
        for row in dead:
            origins[row[1]].add(row[3])
        for n in range(MALFORMED):
            bad = "bad-%d" % n
            if len(origins[bad]) != 1:
                raise Failure("%s is in the dead-letter topic from %d records" %
                              (bad, len(origins[bad])))
        for row in dead:
            n = int(row[1][4:]) if row[1].startswith("bad-") else -1
            if n < 0 or row[2] != EXPECTED_REASON[n % 2]:
                raise Failure("unexpected dead letter: %s" % " ".join(row))
        lag = self.lag()
        if any(v != 0 for v in lag.values()):
            raise Failure("lag left: %s" % {k: v for k, v in lag.items() if v})
        stats = self.stats()
        n_retried = sum(int(s["retried"]) for s in stats.values() if s["build"] == "N")
        n1_redelivered = sum(int(s["redelivered"]) for s in stats.values() if s["build"] == "N+1")
        duplicate_claims = sum(int(s["duplicate_claims"]) for s in stats.values())
        print("handled once: %d of %d (%s)" % (len(ids), self.count, ", ".join(
            "%s %s: %d" % (b, v, n) for (b, v), n in sorted(by_build.items()))))
        print("dead letters: %d (%s)" % (len(dead), dict(collections.Counter(r[2] for r in dead))))
        print("v2 sent to the retry topic by N consumers: %d; retried records handled by N+1: %d"
              % (n_retried, n1_redelivered))
        print("deliveries whose id was already claimed (redelivered after the SIGKILL or a "
              "rebalance): %d" % duplicate_claims)
        for name, s in sorted(stats.items()):
            print("  %-5s %-3s %s" % (name, s["build"], " ".join(
                "%s=%s" % (k, s[k]) for k in ("acked", "retried", "dead_lettered", "redelivered",
                                              "duplicate_claims"))))
        print("lag: 0 on all %d partitions of send-email and send-email.retry" % len(lag))
        if n_retried == 0 or n1_redelivered == 0:
            raise Failure("the early flip did not go through the retry topic")
        if duplicate_claims == 0:
            raise Failure("nothing of the killed consumer's batch was delivered again")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--cluster", help="the kafka_cluster program (default: in --bin-dir)")
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="skew-kafka-")
    deploy = None
    started = time.monotonic()
    try:
        deploy = Deploy(args.bin_dir, work, args.count, args.cluster)
        deploy.run()
        deploy.check()
        print("passed in %.1f s" % (time.monotonic() - started))
        return 0
    except (Failure, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e)
        print_last_lines(os.path.join(work, "logs"))
        return 1
    finally:
        if deploy is not None:
            for p in deploy.procs.values():
                if p.poll() is None:
                    p.kill()
                    p.wait()
            try:
                deploy.cluster.stdin.write("quit\n")
                deploy.cluster.stdin.close()
            except OSError:
                pass
            deploy.cluster.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
