"""What Prometheus 2.42 answers, for the few PromQL forms the manifest states.

Mirrors promql/functions.go extrapolatedRate and promql/quantile.go
bucketQuantile step by step (same float operations in the same order), so
expected values match the server's to the last bits or nearly so; specs
still compare with a small relative tolerance because `sum` adds series in
the server's order.
"""
import math
import re


def select(series, name, **matchers):
    """Series named `name` whose labels match; a value starting with '~' is a regex."""
    out = []
    for s in series:
        if s["name"] != name:
            continue
        ok = True
        for label, want in matchers.items():
            have = s["labels"].get(label, "")
            if want.startswith("~"):
                ok = re.fullmatch(want[1:], have) is not None
            else:
                ok = have == want
            if not ok:
                break
        if ok:
            out.append(s)
    return out


def extrapolated_rate(times_ms, values, at_ms, range_s, is_rate=True):
    """rate()/increase() of one counter series at `at_ms`; None if < 2 points."""
    range_start = at_ms - int(range_s * 1000)
    points = [(t, v) for t, v in zip(times_ms, values) if range_start <= t <= at_ms]
    if len(points) < 2:
        return None
    result = points[-1][1] - points[0][1]
    last = 0.0
    for _, v in points:
        if v < last:
            result += last
        last = v
    duration_to_start = (points[0][0] - range_start) / 1000
    duration_to_end = (at_ms - points[-1][0]) / 1000
    sampled = (points[-1][0] - points[0][0]) / 1000
    average = sampled / (len(points) - 1)
    if result > 0 and points[0][1] >= 0:
        to_zero = sampled * (points[0][1] / result)
        if to_zero < duration_to_start:
            duration_to_start = to_zero
    threshold = average * 1.1
    interval = sampled
    interval += duration_to_start if duration_to_start < threshold else average / 2
    interval += duration_to_end if duration_to_end < threshold else average / 2
    result = result * (interval / sampled)
    if is_rate:
        result = result / range_s
    return result


def bucket_quantile(q, buckets):
    """buckets: [(upper_bound, cumulative count)] including +Inf."""
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets)
    if not math.isinf(buckets[-1][0]):
        return math.nan
    merged = []
    for bound, count in buckets:            # coalesceBuckets
        if merged and merged[-1][0] == bound:
            merged[-1][1] += count
        else:
            merged.append([bound, count])
    top = -math.inf                         # ensureMonotonic
    for b in merged:
        if b[1] < top:
            b[1] = top
        top = b[1]
    if len(merged) < 2:
        return math.nan
    observations = merged[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    b = len(merged) - 1
    for i in range(len(merged) - 1):
        if merged[i][1] >= rank:
            b = i
            break
    if b == len(merged) - 1:
        return merged[-2][0]
    if b == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[b][0], merged[b][1]
    if b > 0:
        start = merged[b - 1][0]
        count -= merged[b - 1][1]
        rank -= merged[b - 1][1]
    return start + (end - start) * (rank / count)


def le_value(text):
    return math.inf if text == "+Inf" else float(text)
