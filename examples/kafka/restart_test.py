#!/usr/bin/env python3
"""A consumer restarted as a process gets its partitions back within a stated bound. A rolling
deploy restarts every consumer, so this is the Kafka adapter's main path.

On a mock cluster (librdkafka's rdkafka_mock, 3 brokers, send-email with 6 partitions) one build N
consumer runs alone in its group, then is replaced by a new process twice: once after SIGTERM
(it leaves the group), once after SIGKILL (it does not). Each time the new process must log the
assignment of all 12 partitions (send-email and send-email.retry) within a bound of its start:

  SIGTERM  one session timeout (skew's default, 10 s): the mock holds a join that follows a leave
           for the session timeout less a second (a real broker, for the members still in the
           group to rejoin);
  SIGKILL  two: the dead member's session expires first, then the join is held as above.

plus 10 s of room for a loaded machine. With librdkafka's default session timeout (45 s) these
were 44 s and 89 s. Exit 0: passed, 1: failed.
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

SESSION_TIMEOUT_S = 10  # skew::kafka's default session.timeout.ms
SLACK_S = 10
BOUND_S = {signal.SIGTERM: SESSION_TIMEOUT_S + SLACK_S, signal.SIGKILL: 2 * SESSION_TIMEOUT_S + SLACK_S}
FIRST_BOUND_S = 3 + SLACK_S  # the mock's fixed delay for the first member of a group
PARTITIONS = 12  # send-email and send-email.retry, 6 each
ASSIGNED = re.compile(r"skew::kafka: group mailers: assigned (.*)")


class Failure(Exception):
    pass


class Cluster:
    def __init__(self, bin_dir, work, cluster_program=None):
        self.bin = bin_dir
        self.work = work
        self.proc = subprocess.Popen([cluster_program or os.path.join(bin_dir, "kafka_cluster")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(work, "cluster.err"), "w"),
                                     text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "bootstrap":
            raise Failure("the cluster did not start: %r" % line)
        self.bootstrap = line[1]

    def consumer(self, name):
        log = os.path.join(self.work, name + ".log")
        proc = subprocess.Popen(
            [os.path.join(self.bin, "kafka_consumer_n"), "--bootstrap", self.bootstrap, "--name",
             name, "--ledger", os.path.join(self.work, "ledger")],
            stdout=open(log, "w"), stderr=subprocess.STDOUT)
        return proc, log

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait(timeout=10)


def assigned_partitions(log):
    with open(log) as f:
        return sum(len(m.group(1).split(", ")) for m in map(ASSIGNED.search, f) if m)


def wait_assigned(proc, log, started, bound):
    """Seconds from `started` until the process logged every partition as assigned."""
    while True:
        if assigned_partitions(log) >= PARTITIONS:
            return time.monotonic() - started
        if proc.poll() is not None:
            raise Failure("%s exited with %d before its assignment" % (log, proc.returncode))
        if time.monotonic() - started > bound:
            raise Failure("%s had %d of %d partitions after %d s" %
                          (log, assigned_partitions(log), PARTITIONS, bound))
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--cluster", help="the kafka_cluster program (default: in --bin-dir)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="skew-kafka-restart-")
    os.mkdir(os.path.join(work, "ledger"))
    cluster = None
    procs = []
    try:
        cluster = Cluster(args.bin_dir, work, args.cluster)
        proc, log = cluster.consumer("first")
        procs.append(proc)
        print("first start: assigned after %.1f s (bound %d s)" %
              (wait_assigned(proc, log, time.monotonic(), FIRST_BOUND_S), FIRST_BOUND_S))
        for how in (signal.SIGTERM, signal.SIGKILL):
            proc.send_signal(how)
            proc.wait(timeout=30)
            started = time.monotonic()
            proc, log = cluster.consumer("after-" + how.name)
            procs.append(proc)
            print("restart after %s: assigned after %.1f s (bound %d s)" %
                  (how.name, wait_assigned(proc, log, started, BOUND_S[how]), BOUND_S[how]))
        print("passed")
        return 0
    except (Failure, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e)
        for name in sorted(os.listdir(work)):
            if name.endswith(".log"):
                with open(os.path.join(work, name)) as f:
                    print("--- %s (last lines)\n%s" % (name, "".join(f.readlines()[-10:])))
        return 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
