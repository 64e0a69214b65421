# Independent reference for src/models/dispatch/theory.rs: the M/M/c+M chain
# summed in 60-digit arithmetic (no rescaling, no stopping rule), and Erlang B/C
# from their textbook sums.
from mpmath import mp, mpf, factorial, exp
mp.dps = 60

def chain(lam, mu, theta, c, nmax):
    lam, mu, theta = mpf(lam), mpf(mu), mpf(theta)
    term = mpf(1); total = at_least = queue = busy = mpf(0)
    for n in range(nmax):
        total += term; busy += min(n, c) * term
        if n >= c:
            at_least += term; queue += (n - c) * term
        k = n + 1
        term *= lam / (min(k, c) * mu + max(k - c, 0) * theta)
    lq = queue / total
    return dict(p_wait=at_least / total, p_abandon=theta * lq / lam,
                mean_queue_time=lq / lam, utilization=busy / total / c)

def erlang_b(a, c):
    a = mpf(a)
    return (a**c / factorial(c)) / sum(a**k / factorial(k) for k in range(c + 1))

def erlang_c(a, c):
    a = mpf(a)
    top = a**c / factorial(c) * c / (c - a)
    return top / (sum(a**k / factorial(k) for k in range(c)) + top)

for args in [(0.4, 0.05, 0.1, 10, 400), (1000, 1, 1, 1000, 4000), (0.001, 1, 1, 10, 200), (0.7, 0.05, 0.1, 10, 400), (3, 1, 0.5, 2, 300)]:
    r = chain(*args)
    print(args, {k: mp.nstr(v, 17) for k, v in r.items()})
print("B(8,10)", mp.nstr(erlang_b(8, 10), 17), "B(2,1)", mp.nstr(erlang_b(2,1),17), "B(1000,1000)", mp.nstr(erlang_b(1000, 1000), 17))
print("B(0.001,10)", mp.nstr(erlang_b(0.001, 10), 17))
print("C(8,10)", mp.nstr(erlang_c(8, 10), 17), "C(0.001,10)", mp.nstr(erlang_c(0.001, 10), 17), "C(990,1000)", mp.nstr(erlang_c(990, 1000), 17))
C = erlang_c(8, 10)
print("P(W<=5)", mp.nstr(1 - C * exp(-mpf('0.1') * 5), 17), "P(W<=20)", mp.nstr(1 - C * exp(-mpf('0.1') * 20), 17), "E[Wq]", mp.nstr(C / mpf('0.1'), 17))
