"""A seeded random source that stays identical across Python 3 versions.

Only random() and getrandbits() of the Mersenne Twister are used; every
other draw is derived here, so no stdlib algorithm change can shift data.
"""
import math
import random


class Rng:
    def __init__(self, seed):
        self._r = random.Random(seed)

    def uniform(self, lo=0.0, hi=1.0):
        return lo + (hi - lo) * self._r.random()

    def chance(self, p):
        return self._r.random() < p

    def below(self, n):
        """An integer in [0, n)."""
        return min(n - 1, int(self._r.random() * n))

    def between(self, lo, hi):
        """An integer in [lo, hi]."""
        return lo + self.below(hi - lo + 1)

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def weighted(self, pairs):
        """pairs: [(value, weight), ...]"""
        total = sum(w for _, w in pairs)
        x = self._r.random() * total
        for value, w in pairs:
            x -= w
            if x < 0:
                return value
        return pairs[-1][0]

    def normal(self):
        """A standard normal draw (Box-Muller, one value per call)."""
        u1 = 1.0 - self._r.random()
        u2 = self._r.random()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def lognormal(self, median, sigma):
        return median * math.exp(sigma * self.normal())

    def exponential(self, mean):
        return -mean * math.log(1.0 - self._r.random())

    def hex_id(self, nbytes):
        """Lowercase hex, never all zeros (an all-zero id means 'none' in OTLP)."""
        while True:
            v = self._r.getrandbits(8 * nbytes)
            if v:
                return "%0*x" % (2 * nbytes, v)
