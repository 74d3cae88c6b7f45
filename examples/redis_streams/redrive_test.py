#!/usr/bin/env python3
"""Dead letters come home, over Redis Streams, with real processes and the installed `skew` command.

Two build N consumers (group mailers, max 3 deliveries, 50 ms retry delay) dead-letter 1,000
send-sms messages (a type only N+1 reads), 1,000 send-email v2 messages (a version only N+1
reads) and 20 malformed ones, while a build N+1 consumer in group auditors reads its copies
successfully all along. N+1 replaces N; `skew redrive --dry-run` prints the table; the redrive
runs with a canary of 10 at 500 letters/s, is killed with SIGKILL half way and started again.

It passes when every id is handled exactly once by N+1 in mailers, every letter is moved once
(dead-lettering is at least once: letters are counted by group and source entry), the auditors
dispatch no redriven entry, every malformed letter is parked and none replayed, nothing is
pending in the redrive's group, and the counts add up. Then a captured sample replayed through build N as the
candidate exits 1 and names what it would not handle; through N+1, 0.

Exit 0: passed, 1: failed, 77: skipped (no Redis). Uses $SKEW_REDIS_PORT or a private server.
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

from rolling_deploy_test import Failure, Redis, RedisError, find_redis_server, free_port, wait_for

DEADLINE_S = 120
EACH = 1000
# Build N reads each as broken (not JSON, a v1 payload of the wrong shape, not an envelope): a
# v2 one with a broken payload would be unsupported_version to N, and N+1's to judge.
MALFORMED = ['{"type":"send-email","schemaVersion":1', '{"type":"send-email","schemaVersion":1,'
             '"id":"bad-%d","to":7,"templateId":"welcome"}', '[1,2,3]',
             '{"schemaVersion":1,"id":"bad-%d"}']


class Run:
    def __init__(self, args, port, work):
        self.bin_dir = args.bin_dir
        self.skew = args.skew
        self.port = port
        self.work = work
        self.stream = "redrive-test-%d" % os.getpid()
        self.redis = Redis(port)
        self.procs = {}
        self.deadline = time.monotonic() + DEADLINE_S

    def log(self, name):
        with open(os.path.join(self.work, name + ".log")) as f:
            return f.read()

    def consumer(self, name, build, group):
        program = "redis_consumer_n" if build == "N" else "redis_consumer_n1"
        log = open(os.path.join(self.work, name + ".log"), "w")
        self.procs[name] = subprocess.Popen(
            [os.path.join(self.bin_dir, program), "--port", str(self.port), "--stream", self.stream,
             "--group", group, "--name", name, "--record-prefix", self.stream + ":" + group,
             "--retry-delay-ms", "50", "--max-deliveries", "3", "--max-skew-deliveries", "3",
             "--heartbeat-ttl-ms", "2000"], stdout=log, stderr=subprocess.STDOUT)
        wait_for(name + " to be ready", lambda: "ready" in self.log(name), self.deadline)

    def stop(self, name):
        p = self.procs.pop(name)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)
        if p.returncode != 0:
            raise Failure("%s exited with %d:\n%s" % (name, p.returncode, self.log(name)))

    def skew_command(self, *args, check=True):
        where = ["--redis", "127.0.0.1:%d" % self.port, "--stream", self.stream]
        r = subprocess.run([self.skew] + list(args[:2 if args[0] == "fleet" else 1]) + where +
                           list(args[2 if args[0] == "fleet" else 1:]),
                           capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise Failure("skew %s exited %d:\n%s%s" % (" ".join(args), r.returncode, r.stdout,
                                                           r.stderr))
        return r

    def entries(self, key):
        return [(e[0], dict(zip(e[1][::2], e[1][1::2]))) for e in self.redis("XRANGE", key, "-", "+")]

    def letters(self, key):
        """The (group, source entry id) of each entry of a dead-letter or parked stream, each
        counted once."""
        return {(f.get("group"), f.get("source-id")) for _, f in self.entries(key)}

    def run(self):
        s = self.stream
        print("redrive over Redis Streams (port %d, stream %s)" % (self.port, s))
        self.consumer("n-1", "N", "mailers")
        self.consumer("n-2", "N", "mailers")
        self.consumer("audit-1", "N+1", "auditors")
        unreadable, malformed = [], []
        for i in range(EACH):
            unreadable.append(self.redis(
                "XADD", s, "*", "message",
                '{"type":"send-sms","schemaVersion":1,"id":"s-%d","to":"user%d@example.com",'
                '"text":"hi"}' % (i, i)))
            unreadable.append(self.redis(
                "XADD", s, "*", "message",
                '{"type":"send-email","schemaVersion":2,"id":"m-%d","to":"user%d@example.com",'
                '"templateId":"welcome","locale":"%s"}' % (i, i, "de" if i % 3 == 0 else "en")))
        for i in range(20):
            malformed.append(self.redis("XADD", s, "*", "message",
                                        MALFORMED[i % len(MALFORMED)].replace("%d", str(i))))
        dlq = s + ":dlq"
        # Dead-lettering is at least once: an entry still being handled when the retry delay
        # (50 ms here) has passed can be reclaimed by the other N consumer and dead-lettered by
        # both (a loaded machine does that). The test waits for every letter, counted once.
        self.malformed_letters = {(g, i) for g in ("mailers", "auditors") for i in malformed}
        every_letter = {("mailers", i) for i in unreadable} | self.malformed_letters
        wait_for("build N to dead-letter 2,020 and the auditors 20",
                 lambda: self.letters(dlq) >= every_letter, self.deadline, 0.2)
        wait_for("the auditors to handle 2,000",
                 lambda: self.redis("HLEN", s + ":auditors:handled") >= 2 * EACH, self.deadline)
        print("  build N dead-lettered %d letters (2,000 unreadable, 20 malformed; the auditors' "
              "20 malformed too; more where one was dead-lettered twice)" % self.redis("XLEN", dlq))
        # N+1 replaces N.
        self.stop("n-1")
        self.stop("n-2")
        self.consumer("n1-1", "N+1", "mailers")
        self.consumer("n1-2", "N+1", "mailers")
        print(self.skew_command("fleet", "show").stdout.rstrip())
        letters = self.redis("XLEN", dlq)
        dry = self.skew_command("redrive", "--dry-run")
        print(dry.stdout.rstrip())
        if self.redis("XLEN", dlq) != letters:
            raise Failure("the dry run moved letters")
        for row in (r"mailers +send-sms +v1 unknown_type +(\d+)  readable_now",
                    r"mailers +send-email +v2 unsupported_version +(\d+)  readable_now"):
            m = re.search(row, dry.stdout)
            if not m or int(m.group(1)) < EACH:  # more where one was dead-lettered twice
                raise Failure("the dry run's table lacks " + row)
        # The redrive, killed half way, then started again.
        command = [self.skew, "redrive", "--redis", "127.0.0.1:%d" % self.port, "--stream", s,
                   "--canary", "10", "--rate", "500"]
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        wait_for("the redrive to move half the letters",
                 lambda: self.redis("XLEN", dlq) <= letters - EACH or first.poll() is not None,
                 self.deadline)
        first.kill()
        first.wait()
        left_after_kill = self.redis("XLEN", dlq)
        print("  killed the redrive with SIGKILL: %d letters left" % left_after_kill)
        if left_after_kill <= 40:
            raise Failure("the redrive finished before the kill")
        metrics = os.path.join(self.work, "redrive.prom")
        second = self.skew_command("redrive", "--canary", "10", "--rate", "500", "--metrics",
                                   metrics)
        print("  " + second.stdout.rstrip().splitlines()[-1])
        wait_for("N+1 to handle 2,000 in mailers",
                 lambda: self.redis("HLEN", s + ":mailers:handled") >= 2 * EACH, self.deadline)
        wait_for("nothing pending in mailers",
                 lambda: self.redis("XPENDING", s, "mailers")[0] == 0, self.deadline)
        self.check(metrics, left_after_kill)

    def check(self, metrics, left_after_kill):
        s, problems = self.stream, []
        expected = {"s-%d" % i for i in range(EACH)} | {"m-%d" % i for i in range(EACH)}
        sent = self.redis("LRANGE", s + ":mailers:sent", 0, -1)
        if len(sent) != len(set(sent)) or set(sent) != expected:
            problems.append("mailers sent %d (%d distinct) of %d" % (len(sent), len(set(sent)),
                                                                    len(expected)))
        builds = {v.split(" ")[1] for v in self.redis("HVALS", s + ":mailers:handled")}
        if builds != {"N+1"}:
            problems.append("handled by builds %s" % sorted(builds))
        # Every letter moved once: one copy per letter, so a message dead-lettered twice has two
        # copies, and the consumers' ledger absorbs the second.
        copies = [f for _, f in self.entries(s) if "redrive-group" in f]
        ids = {m.group(1) for m in (re.search(r'"id":"([^"]+)"', f["message"]) for f in copies) if m}
        if len(copies) < 2 * EACH or ids != expected or \
                len({f["redrive-of"] for f in copies}) != len(copies) or \
                {f["redrive-group"] for f in copies} != {"mailers"}:
            problems.append("%d redriven entries of %d ids, for %s" % (
                len(copies), len(ids), sorted({f.get("redrive-group") for f in copies})))
        if any('"id":"bad-' in f["message"] or not f["message"].endswith("}") for f in copies):
            problems.append("a malformed letter was replayed")
        parked = [f for _, f in self.entries(s + ":parked")]
        reasons = sorted({f["reason"] for f in parked})
        print("  parked %d letters: %s" % (len(parked), ", ".join(reasons)))
        if self.letters(s + ":parked") != self.malformed_letters or \
                not set(reasons) <= {"malformed", "invalid_payload", "invalid_envelope"}:
            problems.append("parked %d letters for %s" % (len(parked), reasons))
        if self.redis("XLEN", s + ":dlq") != 0:
            problems.append("%d letters left in the dead-letter stream" % self.redis("XLEN", s + ":dlq"))
        if self.redis("XPENDING", s + ":dlq", "skew-redrive")[0] != 0:
            problems.append("the redrive's group has pending letters")
        with open(metrics) as f:
            counts = dict(re.findall(r'state="(\w+)"\} (\d+)', f.read()))
        counts = {k: int(v) for k, v in counts.items()}
        print("  second run's counts: %s" % counts)
        if counts["moved"] + counts["parked"] + counts["failed"] + counts["left"] != left_after_kill \
                or counts["failed"] or counts["left"] or counts["to_move"] != counts["moved"]:
            problems.append("the second run's counts do not add up to %d letters" % left_after_kill)
        self.stop("audit-1")
        tail = self.log("audit-1")
        if "not_addressed=%d " % len(copies) not in tail or "duplicates=0" not in tail:
            problems.append("the auditors saw the redriven entries: " + tail.splitlines()[-1])
        if self.redis("HGET", s + ":auditors:outcomes:N+1", "duplicate_delivery"):
            problems.append("the auditors dispatched a redriven entry")
        self.replay(problems)
        if problems:
            raise Failure("\n".join(problems))

    def replay(self, problems):
        sample = os.path.join(self.work, "sample.jsonl")
        self.skew_command("capture", "--out", sample, "--count", "200")
        current = "%s --port %d" % (os.path.join(self.bin_dir, "redis_consumer_n1"), self.port)
        older = "%s --port %d" % (os.path.join(self.bin_dir, "redis_consumer_n"), self.port)
        worse = subprocess.run([self.skew, "replay", "--capture", sample, "--current", current,
                                "--candidate", older], capture_output=True, text=True, timeout=60)
        print("  replay with build N as the candidate: exit %d\n    %s" % (
            worse.returncode, worse.stdout.rstrip().replace("\n", "\n    ")))
        if worse.returncode != 1 or "send-sms" not in worse.stdout or "REGRESSION" not in worse.stdout:
            problems.append("replay through build N did not report what it would lose")
        same = subprocess.run([self.skew, "replay", "--capture", sample, "--current", current,
                               "--candidate", current], capture_output=True, text=True, timeout=60)
        if same.returncode != 0:
            problems.append("replay through N+1 exited %d: %s" % (same.returncode, same.stdout))

    def cleanup(self):
        for p in self.procs.values():
            p.kill()
            p.wait()
        keys = self.redis("KEYS", "*" + self.stream + "*")
        if keys:
            self.redis("DEL", *keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--skew", required=True, help="the skew command")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SKEW_REDIS_PORT") or 0))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="skew-redrive-")
    server, port, run = None, args.port, None
    if port == 0:
        redis_server = find_redis_server()
        if redis_server is None:
            print("redis-server not found and no --port / SKEW_REDIS_PORT: skipped")
            return 77
        port = free_port()
        server = subprocess.Popen([redis_server, "--port", str(port), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        wait_for("Redis", lambda: _pings(port), started + 10)
        run = Run(args, port, work)
        run.run()
        print("passed in %.1f s" % (time.monotonic() - started))
        return 0
    except (Failure, RedisError, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e)
        for name in sorted(os.listdir(work)):
            if name.endswith(".log"):
                with open(os.path.join(work, name)) as f:
                    print("---- %s (last lines)\n%s" % (name, "".join(f.readlines()[-10:])))
        return 1
    finally:
        if run is not None:
            run.cleanup()
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


def _pings(port):
    try:
        return Redis(port)("PING") == "PONG"
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
