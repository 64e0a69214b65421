#!/usr/bin/env python3
"""Peer implementation of W-stand, taxi-sim's dispatch model at a taxi
stand, on SimPy 4: the taxis are a Resource (one unit a taxi, granted
first come, first served), each passenger is a process that requests a
taxi and gives up when its patience runs out first. Written here from
issue 15's model; the usual SimPy pattern for reneging
(`yield request | timeout`).

Measured passengers request at warm_up <= t < end_time, as in taxi-sim;
a passenger still waiting at the end is unresolved. Prints one JSON line:
passengers simulated (all requests, warm-up included), the measured
counts, P(abandon), the mean wait of served passengers and the mean time
until pick-up or abandonment over resolved passengers (queue_time_mean).

    python3 simpy_stand.py --end-time 144000 --warm-up 10000 --seed 1
"""
import json
import random
import time

import simpy

from stand import Tally, arguments, summary


def main():
    args = arguments()
    rng = random.Random(args.seed)
    expovariate = rng.expovariate
    arrival_rate, trip_rate, patience_rate = args.rate, 1 / args.trip, 1 / args.patience
    warm_up = args.warm_up
    tally = Tally()
    env = simpy.Environment()
    taxis = simpy.Resource(env, capacity=args.taxis)

    def passenger(trip, patience):
        requested = env.now
        measured = requested >= warm_up
        with taxis.request() as taxi:
            answer = yield taxi | env.timeout(patience)
            waited = env.now - requested
            if taxi in answer:
                if measured:
                    tally.served += 1
                    tally.wait_sum += waited
                    tally.queue_time_sum += waited
                yield env.timeout(trip)
            elif measured:
                tally.abandoned += 1
                tally.queue_time_sum += waited

    def demand():
        while True:
            yield env.timeout(expovariate(arrival_rate))
            tally.passengers += 1
            if env.now >= warm_up:
                tally.requests += 1
            # Every passenger draws a trip and a patience, taxi or not.
            env.process(passenger(expovariate(trip_rate), expovariate(patience_rate)))

    env.process(demand())
    started = time.perf_counter()
    env.run(until=args.end_time)
    seconds = time.perf_counter() - started
    print(json.dumps(summary("simpy", tally, seconds)))


if __name__ == "__main__":
    main()
