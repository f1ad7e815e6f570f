"""drain3 (Drain, He et al. ICWS 2017) grouping the lines of a file, for
bench/errors_bench.sh: prints "<clusters> clusters <lines> lines".
Default TemplateMiner settings (depth 4, similarity 0.4), no persistence."""
import sys

from drain3 import TemplateMiner


def main():
    miner = TemplateMiner()
    n = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            miner.add_log_message(line.rstrip("\n"))
            n += 1
    print("%d clusters %d lines" % (len(miner.drain.clusters), n))


if __name__ == "__main__":
    main()
