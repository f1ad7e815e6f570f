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
CPPFLAGS += $(LUA_CFLAGS) -Isrc -Isrc/host -D_GNU_SOURCE
# -pthread: map.ndjson maps large hit lists on several threads (src/map_parallel.c)
CFLAGS   += -std=c11 -pthread $(OPT) $(WARN)
LDLIBS   := $(LUA_LIBS) -lcurl -lm
APP_LIBS := -l:liblua5.4-cjson.a -lreadline
# bin/tinkr loads libcurl on first use (src/cli/curl_lazy.c): no -lcurl.
APP_LDLIBS := $(LUA_LIBS) -ldl -lpthread -lm
ASAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# The primitives (tinkr.core) are src/*.c.  What both programs host -- the
# Lua state setup, the embedded-file loader, version and command-line
# surface -- is src/host/; the CLI and REPL are src/cli/, the HTTP server
# src/server/.  Neither program builds the other's directory.
HOST_SRC := $(wildcard src/host/*.c)
APP_SRC  := $(wildcard src/cli/*.c) $(HOST_SRC)
CORE_SRC := $(wildcard src/*.c)
HEADERS  := $(wildcard src/*.h src/host/*.h src/cli/*.h)
SERVER_SRC := $(wildcard src/server/*.c) $(HOST_SRC)
SERVER_HEADERS := $(wildcard src/server/*.h src/host/*.h)
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

.PHONY: FORCE fuzz compat cluster api-doc man completions all test spec spec-asan asan deps stack-up stack-down demo bench clean help rockspec

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
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(APP_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(APP_LIBS) $(APP_LDLIBS)

build/lib/tinkr/core.so: $(CORE_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $(CORE_SRC) -lcurl -lm

bin/tinkr-server: $(SERVER_SRC) $(CORE_SRC) $(HEADERS) $(SERVER_HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc/server $(CFLAGS) $(LDFLAGS) -o $@ $(SERVER_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(SERVER_LIBS) $(LDLIBS)

asan: bin/tinkr-asan bin/tinkr-server-asan build/asan/tinkr/core.so

bin/tinkr-server-asan: $(SERVER_SRC) $(CORE_SRC) $(HEADERS) $(SERVER_HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc/server $(CFLAGS) -O1 $(ASAN) $(LDFLAGS) -o $@ $(SERVER_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(SERVER_LIBS) $(LDLIBS)

bin/tinkr-asan: $(APP_SRC) $(CORE_SRC) $(HEADERS) build/gen/embedded.c $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O1 $(ASAN) $(LDFLAGS) -o $@ $(APP_SRC) $(CORE_SRC) build/gen/embedded.c $(GEN_SRC) $(APP_LIBS) $(APP_LDLIBS)

build/asan/tinkr/core.so: $(CORE_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O1 $(ASAN) -fPIC -shared $(LDFLAGS) -o $@ $(CORE_SRC) -lcurl -lm

# Installs Debian packages the project needs (idempotent; needs root or sudo).
deps:
	scripts/install-deps

# The README's test command: install, build, run every spec plain and under ASan.
test: deps writers
	$(MAKE) all asan
	# The stack and OpenSearch 1.3 (spec/opensearch_versions_spec.lua) start
	# here, so their cold downloads do not count against a spec pass's time.
	scripts/stack up >/dev/null && scripts/stack up --opensearch 1.3 >/dev/null
	scripts/run-specs

# The real OTel writers the specs run (Go builds and the Python SDK venv,
# cached in ~/.cache/tinkr; minutes on a new machine, then nothing).
.PHONY: writers
writers:
	scripts/build-writers
	scripts/otel-python --ensure >/dev/null
	scripts/otel-node --ensure >/dev/null

spec: all
	scripts/run-specs plain

spec-asan: all asan
	scripts/run-specs asan

# The README's run command: a real local OpenSearch + Prometheus with sample
# OTel data, and tinkr investigating one service over the last hour.
demo: deps
	$(MAKE) bin/tinkr
	scripts/demo

# The OpenSearch-facing specs against 1.3, 2.19 and 3.8 in turn, with a table
# (slow: a node per version; not part of `make test`).
compat: all
	scripts/compat

# The 3-node cluster specs (three more JVMs; a node is killed): not in `make test`.
cluster: all
	TINKR_CLUSTER_SPECS=1 TINKR_BIN=$(CURDIR)/bin/tinkr lua5.4 /usr/bin/busted --output=plainTerminal spec/cluster_spec.lua

stack-up:
	scripts/stack up

stack-down:
	scripts/stack down

# Benchmarks with side-by-side ratios against Python, jq, lua-cjson, curl.
bench: deps all
	scripts/install-deps --bench
	bench/run

# The rockspec lists every module; regenerate it after adding or removing one
# (spec/rockspec_spec.lua fails while it is stale).
rockspec:
	lua5.4 tools/rockspec.lua > tinkr-scm-1.rockspec

# docs/API.md from the API's parameter definitions (lua/tinkr/api_params.lua);
# spec/api_docs_spec.lua fails while it is stale.
api-doc:
	lua5.4 tools/api_doc.lua > docs/API.md

# --- Installing -------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]: the two programs; the
# Lua module where a plain lua5.4 finds it (tinkr.core under LUA_CDIR, the
# Lua files and queries/ under LUA_LDIR, laid out as the rockspec does); man
# pages; bash, zsh and fish completions; docs and examples.  bin/tinkr and
# bin/tinkr-server carry lua/ and queries/ inside, so they need none of it.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
LUA_LDIR ?= $(DATADIR)/lua/5.4
LUA_CDIR ?= $(PREFIX)/lib/lua/5.4
MANDIR   ?= $(DATADIR)/man
DOCDIR   ?= $(DATADIR)/doc/tinkr
BASH_COMPDIR ?= $(DATADIR)/bash-completion/completions
ZSH_COMPDIR  ?= $(DATADIR)/zsh/site-functions
FISH_COMPDIR ?= $(DATADIR)/fish/vendor_completions.d
INSTALL  ?= install
LUA_FILES   := $(shell find lua -name '*.lua' | sort)
QUERY_FILES := $(shell find queries -name '*.lua' | sort)
DOC_FILES   := README.md $(wildcard docs/*.md)
EXAMPLE_FILES := $(shell find examples -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*/node_modules/*' 2>/dev/null | sort)
D := $(DESTDIR)

.PHONY: install uninstall deb
install: all
	$(INSTALL) -d $(D)$(BINDIR) $(D)$(LUA_CDIR)/tinkr $(D)$(MANDIR)/man1 $(D)$(MANDIR)/man5 $(D)$(MANDIR)/man8 \
	  $(D)$(BASH_COMPDIR) $(D)$(ZSH_COMPDIR) $(D)$(FISH_COMPDIR) $(D)$(DOCDIR)/examples
	$(INSTALL) -m 755 bin/tinkr bin/tinkr-server $(D)$(BINDIR)/
	$(INSTALL) -m 644 build/lib/tinkr/core.so $(D)$(LUA_CDIR)/tinkr/core.so
	@for f in $(LUA_FILES); do $(INSTALL) -D -m 644 $$f $(D)$(LUA_LDIR)/$${f#lua/} || exit 1; done
	@for f in $(QUERY_FILES); do $(INSTALL) -D -m 644 $$f $(D)$(LUA_LDIR)/tinkr/$$f || exit 1; done
	$(INSTALL) -m 644 build/man/tinkr.1 $(D)$(MANDIR)/man1/
	$(INSTALL) -m 644 build/man/tinkr-config.5 $(D)$(MANDIR)/man5/
	$(INSTALL) -m 644 build/man/tinkr-server.8 $(D)$(MANDIR)/man8/
	$(INSTALL) -m 644 build/completion/tinkr.bash $(D)$(BASH_COMPDIR)/tinkr
	ln -sf tinkr $(D)$(BASH_COMPDIR)/tinkr-server
	$(INSTALL) -m 644 build/completion/_tinkr $(D)$(ZSH_COMPDIR)/_tinkr
	$(INSTALL) -m 644 build/completion/tinkr.fish $(D)$(FISH_COMPDIR)/tinkr.fish
	ln -sf tinkr.fish $(D)$(FISH_COMPDIR)/tinkr-server.fish
	$(INSTALL) -m 644 $(DOC_FILES) $(D)$(DOCDIR)/
	@for f in $(EXAMPLE_FILES); do $(INSTALL) -D -m 644 $$f $(D)$(DOCDIR)/$$f || exit 1; done
	$(INSTALL) -m 644 queries/investigate.lua $(D)$(DOCDIR)/examples/

# Removes what install put there (same PREFIX and DESTDIR), then the
# directories of tinkr's own that are left empty.
uninstall:
	rm -f $(D)$(BINDIR)/tinkr $(D)$(BINDIR)/tinkr-server $(D)$(LUA_CDIR)/tinkr/core.so
	@for f in $(LUA_FILES); do rm -f $(D)$(LUA_LDIR)/$${f#lua/}; done
	@for f in $(QUERY_FILES); do rm -f $(D)$(LUA_LDIR)/tinkr/$$f; done
	rm -f $(D)$(MANDIR)/man1/tinkr.1 $(D)$(MANDIR)/man5/tinkr-config.5 $(D)$(MANDIR)/man8/tinkr-server.8
	rm -f $(D)$(BASH_COMPDIR)/tinkr $(D)$(BASH_COMPDIR)/tinkr-server $(D)$(ZSH_COMPDIR)/_tinkr \
	  $(D)$(FISH_COMPDIR)/tinkr.fish $(D)$(FISH_COMPDIR)/tinkr-server.fish
	rm -rf $(D)$(DOCDIR)
	-find $(D)$(LUA_LDIR)/tinkr $(D)$(LUA_CDIR)/tinkr -depth -type d -empty -delete 2>/dev/null

# A Debian package of the above under /usr, plus the systemd unit for
# tinkr-server (packaging/build-deb; lintian-clean).
deb: all
	packaging/build-deb

clean:
	rm -rf build bin

help:
	@echo "make            build bin/tinkr, bin/tinkr-server and build/lib/tinkr/core.so"
	@echo "make test       install deps, build, run all specs (plain + ASan/UBSan)"
	@echo "make demo       start the local stack and run the investigation demo"
	@echo "make bench      benchmarks with side-by-side ratios"
	@echo "make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each (docs/FUZZING.md)"
	@echo "make install    install under PREFIX (/usr/local) into DESTDIR; make uninstall removes it"
	@echo "make deb        build a .deb (with the systemd unit) into build/deb/"

# Fuzzing (not part of `make test`): libFuzzer targets built with clang, each
# run for FUZZ_SECONDS from its seed corpus in fuzz/corpus/<target>/; see
# fuzz/lua_target.c and scripts/fuzz.
FUZZ_TARGETS := json map toml request pattern
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

build/fuzz/%: fuzz/lua_target.c fuzz/%.lua src/server/request_check.c $(CORE_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_FLAGS) -DFUZZ_DRIVER='"fuzz/$*.lua"' -o $@ \
	  fuzz/lua_target.c src/server/request_check.c $(CORE_SRC) $(LUA_LIBS) -lcurl -lm

fuzz: deps $(FUZZ_TARGETS:%=build/fuzz/%)
	scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)
