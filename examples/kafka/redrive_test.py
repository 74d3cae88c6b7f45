#!/usr/bin/env python3
"""Dead letters come home, over Kafka, with real processes and the installed `skew` command.

A mock cluster (kafka_cluster: 3 brokers, send-email with 6 partitions and its .retry, .dlt,
.parked and .manifests topics). Two build N consumers (group mailers, max 3 deliveries, 50 ms
retry delay) dead-letter 1,000 send-sms records (a type only N+1 reads), 1,000 send-email v2
records (a version only N+1 reads) and 20 malformed ones, while a build N+1 consumer in group
auditors reads its copies successfully all along. N+1 replaces N (its instances publish their
manifests to send-email.manifests); `skew redrive --dry-run` prints the table; the redrive runs with
a canary of 10 at 500 letters/s, is killed with SIGKILL half way and started again.

It passes when every id is handled by N+1 in mailers (once: a copy moved again after the kill is
absorbed by the handler's ledger), the auditors dispatch no redriven record, every malformed
letter is parked and none replayed, the dead-letter topic's group has no lag, and the counts add
up. Then a captured sample replayed through build N as the candidate exits 1; through N+1, 0.
Exit 0: passed, 1: failed.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "redis_streams"))
from rolling_deploy_test import Failure, print_last_lines, wait_for  # noqa: E402

DEADLINE_S = 130
EACH = 1000
MALFORMED = 20


class Run:
    def __init__(self, args, work):
        self.bin = args.bin_dir
        self.skew = args.skew
        self.work = work
        self.logs = os.path.join(work, "logs")
        os.mkdir(self.logs)
        self.procs = {}
        self.deadline = time.monotonic() + DEADLINE_S
        self.cluster = subprocess.Popen(
            [args.cluster], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(os.path.join(self.logs, "cluster.err"), "w"), text=True)
        line = self.cluster.stdout.readline().split()
        if len(line) != 2 or line[0] != "bootstrap":
            raise Failure("the cluster did not start: %r" % line)
        self.bootstrap = line[1]

    def spawn(self, name, program, *args):
        out = open(os.path.join(self.logs, name + ".log"), "w")
        self.procs[name] = subprocess.Popen(
            [os.path.join(self.bin, program), "--bootstrap", self.bootstrap] + [str(a) for a in args],
            stdout=out, stderr=subprocess.STDOUT)

    def log(self, name):
        with open(os.path.join(self.logs, name + ".log")) as f:
            return f.read()

    def consumer(self, name, build, group):
        ledger = os.path.join(self.work, group)
        os.makedirs(ledger, exist_ok=True)
        self.spawn(name, "kafka_consumer_n" if build == "N" else "kafka_consumer_n1", "--name", name,
                   "--group", group, "--ledger", ledger, "--retry-delay-ms", 50, "--max-deliveries",
                   3, "--max-skew-deliveries", 3, "--heartbeat-ttl-ms", 3000)

    def stop(self, name):
        p = self.procs.pop(name)
        p.send_signal(signal.SIGTERM)
        if p.wait(timeout=max(1.0, self.deadline - time.monotonic())) != 0:
            raise Failure("%s exited with %d" % (name, p.returncode))

    def inspect(self, *args):
        out = subprocess.run([os.path.join(self.bin, "kafka_inspect")] + list(args) +
                             ["--bootstrap", self.bootstrap], capture_output=True, text=True,
                             timeout=60)
        if out.returncode != 0:
            raise Failure("kafka_inspect %s failed: %s" % (" ".join(args), out.stderr))
        return [line.split() for line in out.stdout.splitlines()]

    def records(self, topic):
        return self.inspect("records", "--topic", topic)

    def ledger(self, group):
        d = os.path.join(self.work, group)
        out = {}
        for name in os.listdir(d):
            if not name.startswith("."):
                with open(os.path.join(d, name)) as f:
                    out[name] = f.read().split()  # consumer, build, type, version
        return out

    def skew_command(self, *args, check=True):
        words = 2 if args[0] == "fleet" else 1
        r = subprocess.run([self.skew] + list(args[:words]) +
                           ["--kafka", self.bootstrap, "--topic", "send-email"] + list(args[words:]),
                           capture_output=True, text=True, timeout=90)
        if check and r.returncode != 0:
            raise Failure("skew %s exited %d:\n%s%s" % (" ".join(args), r.returncode, r.stdout,
                                                           r.stderr))
        return r

    def run(self):
        print("redrive over Kafka (%s)" % self.bootstrap)
        self.consumer("n-1", "N", "mailers")
        self.consumer("n-2", "N", "mailers")
        self.consumer("audit-1", "N+1", "auditors")
        self.spawn("producer", "kafka_producer", "--count", EACH, "--version", 2, "--sms", EACH,
                   "--malformed", MALFORMED)
        if self.procs["producer"].wait(timeout=60) != 0:
            raise Failure("the producer failed")
        # Dead-lettering is at least once: a rebalance under load can dead-letter a record again
        # (its offset was not committed yet). The test waits for every letter, counted once.
        bad = {"bad-%d" % i for i in range(MALFORMED)}
        every_letter = {("mailers", i) for i in self.expected() | bad} | \
            {("auditors", i) for i in bad}
        wait_for("build N to dead-letter 2,020 and the auditors 20",
                 lambda: self.letters("send-email.dlt") >= every_letter, self.deadline, 0.5)
        wait_for("the auditors to handle 2,000", lambda: len(self.ledger("auditors")) >= 2 * EACH,
                 self.deadline, 0.2)
        self.stop("n-1")
        self.stop("n-2")
        self.consumer("n1-1", "N+1", "mailers")
        self.consumer("n1-2", "N+1", "mailers")
        wait_for("the N+1 instances in the fleet",
                 lambda: self.skew_command("fleet", "show").stdout.count("mailer@N+1") >= 3,
                 self.deadline, 0.5)
        print(self.skew_command("fleet", "show").stdout.rstrip())
        dry = self.skew_command("redrive", "--dry-run")
        print(dry.stdout.rstrip())
        for row in (r"mailers +send-sms +v1 unknown_type +(\d+)  readable_now",
                    r"mailers +send-email +v2 unsupported_version +(\d+)  readable_now"):
            m = re.search(row, dry.stdout)
            if not m or int(m.group(1)) < EACH:  # more when a rebalance dead-lettered some twice
                raise Failure("the dry run's table lacks " + row)
        command = [self.skew, "redrive", "--kafka", self.bootstrap, "--topic", "send-email",
                   "--canary", "10", "--rate", "500"]
        first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
        moved = 0
        while moved < EACH and first.poll() is None:  # progress lines: "redrive: moved N, ..."
            line = first.stderr.readline()
            m = re.match(r"redrive: moved (\d+)", line)
            moved = int(m.group(1)) if m else moved
        first.kill()
        first.wait()
        print("  killed the redrive with SIGKILL after %d moved" % moved)
        if moved >= 2 * EACH:
            raise Failure("the redrive finished before the kill")
        metrics = os.path.join(self.work, "redrive.prom")
        second = self.skew_command("redrive", "--canary", "10", "--rate", "500", "--metrics",
                                   metrics)
        print("  " + second.stdout.rstrip().splitlines()[-1])
        wait_for("N+1 to handle 2,000 in mailers", lambda: len(self.ledger("mailers")) >= 2 * EACH,
                 self.deadline, 0.2)
        self.check(metrics)

    @staticmethod
    def expected():
        return {"s-%d" % i for i in range(EACH)} | {"m-%d" % i for i in range(EACH)}

    def letters(self, topic):
        """The (group, id) of each record of a dead-letter or parked topic, each counted once."""
        return {(r[5], r[1]) for r in self.records(topic)}

    def check(self, metrics):
        problems = []
        expected = self.expected()
        ledger = self.ledger("mailers")
        if set(ledger) != expected:
            problems.append("mailers handled %d ids of %d" % (len(ledger), len(expected)))
        if {v[1] for v in ledger.values()} != {"N+1"}:
            problems.append("mailers' ids were handled by %s" % {v[1] for v in ledger.values()})
        main = self.records("send-email")
        copies = [r for r in main if r[3] != "-"]
        if len(copies) < 2 * EACH or {r[3] for r in copies} != {"mailers"}:
            problems.append("%d redriven records, for %s" % (len(copies), {r[3] for r in copies}))
        if any(r[1].startswith("bad-") for r in copies):
            problems.append("a malformed letter was replayed")
        print("  redriven records: %d (beyond 2,000: moved again after the kill, or dead-lettered"
              " twice in a rebalance; absorbed by the ledger)" % len(copies))
        parked = self.records("send-email.parked")
        print("  parked %d letters: %s" % (len(parked), sorted({r[2] for r in parked})))
        bad = {"bad-%d" % i for i in range(MALFORMED)}
        if self.letters("send-email.parked") != {(g, i) for g in ("mailers", "auditors")
                                                  for i in bad}:
            problems.append("parked: %s" % parked[:5])
        lag = self.inspect("lag-of", "--group", "skew-redrive", "--topic", "send-email.dlt")
        # The dead-letter topic's group has committed past every letter it read; letters
        # dead-lettered after the redrive's last run (none here) would be lag.
        if any(int(end) != int(committed) for _, _, _, committed, end in lag):
            problems.append("the dead-letter topic's group has lag: %s" % lag)
        with open(metrics) as f:
            counts = {k: int(v) for k, v in re.findall(r'state="(\w+)"\} (\d+)', f.read())}
        print("  second run's counts: %s" % counts)
        if counts["failed"] or counts["left"] or counts["to_move"] != counts["moved"]:
            problems.append("the second run's counts do not add up: %s" % counts)
        self.stop("audit-1")
        # The auditors acknowledge the copies (and the mailers' retries) unread: a dispatched copy
        # would be a second claim of its id in their ledger.
        stats = [l for l in self.log("audit-1").splitlines() if l.startswith("stats ")]
        unread = int(re.search(r"not_addressed=(\d+)", stats[0]).group(1)) if stats else 0
        if not stats or unread < len(copies) or "duplicate_claims=0" not in stats[0] \
                or len(self.ledger("auditors")) != 2 * EACH:
            problems.append("the auditors saw redriven records: %s" % stats)
        self.replay(problems)
        if problems:
            raise Failure("\n".join(problems))

    def replay(self, problems):
        sample = os.path.join(self.work, "sample.jsonl")
        self.skew_command("capture", "--out", sample, "--count", "50")
        current = os.path.join(self.bin, "kafka_consumer_n1")
        older = os.path.join(self.bin, "kafka_consumer_n")
        worse = subprocess.run([self.skew, "replay", "--capture", sample, "--current", current,
                                "--candidate", older], capture_output=True, text=True, timeout=60)
        print("  replay with build N as the candidate: exit %d\n    %s" % (
            worse.returncode, worse.stdout.rstrip().replace("\n", "\n    ")))
        if worse.returncode != 1 or "REGRESSION" not in worse.stdout:
            problems.append("replay through build N did not report what it would lose")
        same = subprocess.run([self.skew, "replay", "--capture", sample, "--current", current,
                               "--candidate", current], capture_output=True, text=True, timeout=60)
        if same.returncode != 0:
            problems.append("replay through N+1 exited %d: %s" % (same.returncode, same.stdout))

    def close(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        try:
            self.cluster.stdin.write("quit\n")
            self.cluster.stdin.close()
        except OSError:
            pass
        self.cluster.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--cluster", required=True, help="the kafka_cluster program")
    parser.add_argument("--skew", required=True, help="the skew command")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="skew-kafka-redrive-")
    run = None
    try:
        started = time.monotonic()
        run = Run(args, work)
        run.run()
        print("passed in %.1f s" % (time.monotonic() - started))
        return 0
    except (Failure, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e)
        print_last_lines(os.path.join(work, "logs"))
        return 1
    finally:
        if run is not None:
            run.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
