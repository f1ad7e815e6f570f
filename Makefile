# tinkr — build, test and bench.  `make help` lists the targets.
#
# bin/tinkr          the CLI: C runtime + embedded lua/ and queries/
# build/lib/tinkr/core.so   the same C primitives as a plain Lua module
# *-asan variants    built with AddressSanitizer + UBSan for the specs

CC       ?= cc
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror
LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS   := $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
CPPFLAGS += $(LUA_CFLAGS) -Isrc -Isrc/cli -D_GNU_SOURCE
CFLAGS   += -std=c11 $(OPT) $(WARN)
LDLIBS   := $(LUA_LIBS) -lcurl -lm
APP_LIBS := -l:liblua5.4-cjson.a -lreadline
# bin/tinkr loads libcurl on first use (src/cli/curl_lazy.c): no -lcurl.
APP_LDLIBS := $(LUA_LIBS) -ldl -lm
ASAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# The primitives (tinkr.core) are src/*.c; the CLI, REPL and runtime are src/cli/.
APP_SRC  := $(wildcard src/cli/*.c)
CORE_SRC := $(wildcard src/*.c)
HEADERS  := $(wildcard src/*.h src/cli/*.h)
# The HTTP server: src/server/ plus the CLI's state setup (runtime, loader).
SERVER_SRC := $(wildcard src/server/*.c) src/cli/runtime.c src/cli/loader.c src/cli/version.c
SERVER_HEADERS := $(wildcard src/server/*.h)
SERVER_LIBS := -l:liblua5.4-cjson.a -lmicrohttpd -lpthread
EMBED_IN := $(shell find lua queries -type f \( -name '*.lua' -o -name '*.md' \) 2>/dev/null | sort)
# Generated from lua/tinkr/cli/surface/ (the one description of the command
# line) and from git: compiled into both programs.
SURFACE_IN := $(wildcard lua/tinkr/cli/surface/*.lua) lua/tinkr/cli/help.lua lua/tinkr/config.lua
GEN_SRC := build/gen/cli_surface.c build/gen/revision.c
MAN_PAGES := build/man/tinkr.1 build/man/tinkr-server.8 build/man/tinkr-config.5
COMPLETIONS := build/completion/tinkr.bash build/completion/_tinkr build/completion/tinkr.fish
# Man pages are dated by the last commit, so a rebuild gives the same bytes.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)

.PHONY: FORCE api-doc man completions all test spec spec-asan asan deps stack-up stack-down demo bench clean help rockspec

all: bin/tinkr bin/tinkr-server build/lib/tinkr/core.so man completions

build/gen/embedded.c: tools/embed.lua $(EMBED_IN)
	@mkdir -p $(@D)
	lua5.4 tools/embed.lua $@ $(EMBED_IN)

build/gen/cli_surface.c: tools/gen_cli.lua $(SURFACE_IN)
	@mkdir -p $(@D)
	lua5.4 tools/gen_cli.lua $@

# Always run; the file only changes (and relinks) when the revision does.
build/gen/revision.c: FORCE
	@mkdir -p $(@D)
	@tools/gen_revision.sh $@

FORCE:

# Man pages and completions: generated from the same surface as --help.
man: $(MAN_PAGES)
$(MAN_PAGES) &: tools/manpage.lua $(SURFACE_IN) $(wildcard queries/*/*.lua)
	@mkdir -p build/man
	lua5.4 tools/manpage.lua build/man

completions: $(COMPLETIONS)
$(COMPLETIONS) &: tools/completion.lua $(SURFACE_IN)
	@mkdir -p build/completion
	lua5.4 tools/completion.lua build/completion

bin/tinkr: $(APP_SRC) $(CORE_SRC) $(HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(APP_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(APP_LIBS) $(APP_LDLIBS)

build/lib/tinkr/core.so: $(CORE_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -o $@ $(CORE_SRC) -lcurl -lm

bin/tinkr-server: $(SERVER_SRC) $(CORE_SRC) $(HEADERS) $(SERVER_HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc/server $(CFLAGS) -o $@ $(SERVER_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(SERVER_LIBS) $(LDLIBS)

asan: bin/tinkr-asan bin/tinkr-server-asan build/asan/tinkr/core.so

bin/tinkr-server-asan: $(SERVER_SRC) $(CORE_SRC) $(HEADERS) $(SERVER_HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc/server $(CFLAGS) -O1 $(ASAN) -o $@ $(SERVER_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(SERVER_LIBS) $(LDLIBS)

bin/tinkr-asan: $(APP_SRC) $(CORE_SRC) $(HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O1 $(ASAN) -o $@ $(APP_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(APP_LIBS) $(APP_LDLIBS)

build/asan/tinkr/core.so: $(CORE_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O1 $(ASAN) -fPIC -shared -o $@ $(CORE_SRC) -lcurl -lm

# Installs Debian packages the project needs (idempotent; needs root or sudo).
deps:
	scripts/install-deps

# The README's test command: install, build, run every spec plain and under ASan.
test: deps
	$(MAKE) all asan
	scripts/run-specs

spec: all
	scripts/run-specs plain

spec-asan: all asan
	scripts/run-specs asan

# The README's run command: a real local OpenSearch + Prometheus with sample
# OTel data, and tinkr investigating one service over the last hour.
demo: deps
	$(MAKE) bin/tinkr
	scripts/demo

stack-up:
	scripts/stack up

stack-down:
	scripts/stack down

# Benchmarks with side-by-side ratios against Python, jq, lua-cjson, curl.
bench: deps all
	bench/run

# The rockspec lists every module; regenerate it after adding or removing one
# (spec/rockspec_spec.lua fails while it is stale).
rockspec:
	lua5.4 tools/rockspec.lua > tinkr-scm-1.rockspec

# docs/API.md from the API's parameter definitions (lua/tinkr/api_params.lua);
# spec/api_docs_spec.lua fails while it is stale.
api-doc:
	lua5.4 tools/api_doc.lua > docs/API.md

clean:
	rm -rf build bin

help:
	@echo "make            build bin/tinkr, bin/tinkr-server and build/lib/tinkr/core.so"
	@echo "make test       install deps, build, run all specs (plain + ASan/UBSan)"
	@echo "make demo       start the local stack and run the investigation demo"
	@echo "make bench      benchmarks with side-by-side ratios"
