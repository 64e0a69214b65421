#!/usr/bin/env python3
"""Peer implementation of W-stand, taxi-sim's dispatch model at a taxi
stand, on Ciw 3: one node of M/M/c+M, the taxis its servers, patience its
reneging time. Written here from issue 15's model and Ciw's documented
API (create_network with reneging_time_distributions, Simulation,
get_all_records).

Measured passengers request at warm_up <= t < end_time, as in taxi-sim.
Ciw writes a passenger's record when their service ends or they renege;
a passenger still riding at the end was picked up before it and counts
as served (their wait is known), one still waiting is unresolved. Prints
one JSON line like simpy_stand.py's.

    python3 ciw_stand.py --end-time 144000 --warm-up 10000 --seed 1
"""
import json
import time

import ciw

from stand import Tally, arguments, summary


def main():
    args = arguments()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=args.rate)],
        service_distributions=[ciw.dists.Exponential(rate=1 / args.trip)],
        number_of_servers=[args.taxis],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / args.patience)],
    )
    ciw.seed(args.seed)
    simulation = ciw.Simulation(network)
    started = time.perf_counter()
    simulation.simulate_until_max_time(args.end_time)
    tally = Tally()
    node = simulation.transitive_nodes[0]
    for record in simulation.get_all_records():
        tally.passengers += 1
        if record.arrival_date < args.warm_up:
            continue
        tally.requests += 1
        if record.record_type == "renege":
            tally.abandoned += 1
            tally.queue_time_sum += record.waiting_time
        else:
            tally.served += 1
            tally.wait_sum += record.waiting_time
            tally.queue_time_sum += record.waiting_time
    # Still at the stand at the end: riding (picked up) or waiting.
    for individual in node.all_individuals:
        tally.passengers += 1
        if individual.arrival_date < args.warm_up:
            continue
        tally.requests += 1
        if individual.server:
            tally.served += 1
            wait = individual.service_start_date - individual.arrival_date
            tally.wait_sum += wait
            tally.queue_time_sum += wait
    seconds = time.perf_counter() - started
    print(json.dumps(summary("ciw", tally, seconds)))


if __name__ == "__main__":
    main()
