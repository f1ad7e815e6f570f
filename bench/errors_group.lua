-- tinkr's side of bench/errors_bench.sh: groups the lines of a file into
-- signatures with the same masks and grouper as `tinkr errors`, prints
-- "<signatures> signatures <lines> lines".  Run as: bin/tinkr bench/errors_group.lua FILE
local signatures = require "tinkr.signatures"

local g = signatures.grouper()
assert(g:add_file(assert(arg[1], "usage: errors_group.lua FILE")))
local _, stats = g:rows(0)
print(("%d signatures %d lines"):format(stats.signatures, stats.lines))
