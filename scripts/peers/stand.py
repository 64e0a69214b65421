"""What the W-stand peers share: their command line, their tallies and
their one-line JSON result (the measures as taxi-sim defines them)."""
import argparse


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--taxis", type=int, default=200)
    parser.add_argument("--rate", type=float, default=9.0, help="requests per minute")
    parser.add_argument("--trip", type=float, default=20.0, help="mean trip, minutes")
    parser.add_argument("--patience", type=float, default=10.0, help="mean patience, minutes")
    parser.add_argument("--end-time", type=float, default=144_000.0)
    parser.add_argument("--warm-up", type=float, default=10_000.0)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


class Tally:
    def __init__(self):
        self.passengers = 0
        self.requests = 0
        self.served = 0
        self.abandoned = 0
        self.wait_sum = 0.0
        self.queue_time_sum = 0.0


def summary(program, tally, seconds):
    resolved = tally.served + tally.abandoned
    nan = float("nan")
    return {
        "program": program,
        "passengers": tally.passengers,
        "requests": tally.requests,
        "served": tally.served,
        "abandoned": tally.abandoned,
        "unresolved": tally.requests - resolved,
        "p_abandon": tally.abandoned / resolved if resolved else nan,
        "wait_mean": tally.wait_sum / tally.served if tally.served else nan,
        "queue_time_mean": tally.queue_time_sum / resolved if resolved else nan,
        "seconds": seconds,
    }
