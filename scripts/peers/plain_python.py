#!/usr/bin/env python3
"""Peer implementation of the book's taxi model: plain Python, generators and
heapq, written here from MODEL.md. Same generator calls per event as
taxi-sim's `cpython` generator, so the events are identical for any seed.

    python3 plain_python.py -t 3 -e 180 -s 3          # the book's text
    python3 plain_python.py -t 1000 -e 1000000 -s 1 --quiet   # no output
"""
import argparse
import heapq
import random
import sys

SEARCH_MEAN, TRIP_MEAN, HOME_MEAN = 5, 20, 1
LEAVE, PICK_UP, DROP_OFF, HOME = "leave garage", "pick up passenger", "drop off passenger", "going home"
MEAN_AFTER = {LEAVE: SEARCH_MEAN, DROP_OFF: SEARCH_MEAN, PICK_UP: TRIP_MEAN, HOME: HOME_MEAN}


def taxi(ident, trips, start):
    """A taxi's life as a coroutine: sent the time of its next event."""
    time = yield (start, ident, LEAVE)
    for _ in range(trips):
        time = yield (time, ident, PICK_UP)
        time = yield (time, ident, DROP_OFF)
    yield (time, ident, HOME)


def simulate(taxis, end_time, write):
    procs = {i: taxi(i, (i + 1) * 2, i * 5) for i in range(taxis)}
    queue = [next(procs[i]) for i in range(taxis)]
    heapq.heapify(queue)
    expovariate = random.expovariate
    now = 0
    events = 0
    while now < end_time:
        if not queue:
            if write is not None:
                write("*** end of events ***\n")
            return events
        now, ident, action = event = heapq.heappop(queue)
        events += 1
        if write is not None:
            write("taxi: %d %s Event(time=%d, proc=%d, action='%s')\n" % (ident, "   " * ident, now, ident, action))
        next_time = now + int(expovariate(1 / MEAN_AFTER[action])) + 1
        try:
            heapq.heappush(queue, procs[ident].send(next_time))
        except StopIteration:
            del procs[ident]
    if write is not None:
        write("*** end of simulation time: %d events pending ***\n" % len(queue))
    return events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--taxis", type=int, default=3)
    parser.add_argument("-e", "--end-time", type=int, default=180)
    parser.add_argument("-s", "--seed", type=int, default=None)
    parser.add_argument("--quiet", action="store_true", help="no event output")
    args = parser.parse_args()
    if args.seed is not None:
        random.seed(args.seed)
    events = simulate(args.taxis, args.end_time, None if args.quiet else sys.stdout.write)
    print("events: %d" % events, file=sys.stderr)


if __name__ == "__main__":
    main()
