#!/usr/bin/env python3
"""Peer implementation of the book's taxi model on SimPy 4: each taxi is a
SimPy process that waits out exponential durations (floor(x) + 1 ticks,
CPython's random, the book's means). Written here from MODEL.md.

SimPy breaks ties between events at the same time by scheduling order, not
by taxi id, so its draws pair with events in a different order from the
book's; the model, the durations and the event count are the same.

    python3 simpy_peer.py -t 1000 -e 1000000 -s 1
"""
import argparse
import random
import sys

import simpy

SEARCH_MEAN, TRIP_MEAN, HOME_MEAN = 5, 20, 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--taxis", type=int, default=3)
    parser.add_argument("-e", "--end-time", type=int, default=180)
    parser.add_argument("-s", "--seed", type=int, default=None)
    args = parser.parse_args()
    if args.seed is not None:
        random.seed(args.seed)
    expovariate = random.expovariate
    events = 0

    def ticks(mean):
        return int(expovariate(1 / mean)) + 1

    def taxi(env, trips, start):
        nonlocal events
        yield env.timeout(start)
        events += 1  # leave garage
        yield env.timeout(ticks(SEARCH_MEAN))
        for _ in range(trips):
            events += 1  # pick up passenger
            yield env.timeout(ticks(TRIP_MEAN))
            events += 1  # drop off passenger
            yield env.timeout(ticks(SEARCH_MEAN))
        events += 1  # going home
        ticks(HOME_MEAN)  # drawn and discarded, as the book does

    env = simpy.Environment()
    for i in range(args.taxis):
        env.process(taxi(env, (i + 1) * 2, i * 5))
    # The book takes the first event at or past the end time: run one tick more.
    env.run(until=args.end_time + 1)
    print("events: %d" % events, file=sys.stderr)


if __name__ == "__main__":
    main()
