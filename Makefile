# Makefile - build, test, run, bench, fuzz, fmt, lint. GNU make + pkg-config.
# Sources are found by wildcard: a new src/<area>/<module>.c, tests/unit/<area>/
# test_<module>.c or fuzz/fuzz_<name>.c needs no edit here.
# BUILD=dir puts every output elsewhere (parallel work trees, CI).

BUILD   ?= build
CC      ?= cc
SAN     ?= address,undefined
PKGS    := libmicrohttpd libcurl libcrypto sqlite3 libpq json-c
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2
CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -I$(BUILD)/gen
PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS     = $(shell pkg-config --libs $(PKGS)) -lpthread
REL_CFLAGS   = -O2 -g $(WARN)
SAN_CFLAGS   = -O1 -g -fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer $(WARN)

SRC      := $(sort $(filter-out src/main.c,$(wildcard src/*/*.c)))
MIGR     := $(sort $(wildcard src/db/migrations/*/*.sql))
GEN      := $(BUILD)/gen/migrations_data.c
CONN     := $(sort $(wildcard connectors/*.json connectors/logos/*.svg))
CONN_GEN := $(BUILD)/gen/connectors_data.c
OAPI_GEN := $(BUILD)/gen/openapi_data.c
# The web UI: our files under web/ and the npm modules it imports, embedded
# under the paths the server serves them at (ui/..., see api/ui.c).
WEB      := $(sort $(wildcard web/*.html web/*.js web/*.css web/*/*.js web/*/*.svg))
WEB_VENDOR := node_modules/preact/dist/preact.mjs node_modules/preact/hooks/dist/hooks.mjs \
            node_modules/htm/dist/htm.mjs
WEB_GEN  := $(BUILD)/gen/web_data.c
TEST_SRC := $(sort $(wildcard tests/unit/*.c tests/unit/*/*.c tests/api/*.c))
FUZZ     := $(sort $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c)))

REL_OBJ  := $(SRC:%.c=$(BUILD)/rel/%.o) $(BUILD)/rel/gen/migrations_data.o \
            $(BUILD)/rel/gen/connectors_data.o $(BUILD)/rel/gen/openapi_data.o \
            $(BUILD)/rel/gen/web_data.o
SAN_OBJ  := $(SRC:%.c=$(BUILD)/san/%.o) $(BUILD)/san/gen/migrations_data.o \
            $(BUILD)/san/gen/connectors_data.o $(BUILD)/san/gen/openapi_data.o \
            $(BUILD)/san/gen/web_data.o
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/san/%.o)
REPLAYS  := $(FUZZ:%=$(BUILD)/san/fuzz-replay-%)

.PHONY: all run test fuzz bench fmt lint clean deps screenshots
.SECONDARY:
all: $(BUILD)/inlet

deps:
	@scripts/deps

$(GEN): $(MIGR) scripts/embed
	@mkdir -p $(@D)
	scripts/embed db_migration_files $(MIGR) > $@
$(CONN_GEN): $(CONN) scripts/embed
	@mkdir -p $(@D)
	scripts/embed connector_builtin_files $(CONN) > $@
$(OAPI_GEN): docs/openapi.yaml scripts/embed
	@mkdir -p $(@D)
	scripts/embed api_openapi_files docs/openapi.yaml > $@
$(WEB_GEN): $(WEB) $(WEB_VENDOR) scripts/embed
	@mkdir -p $(@D)
	scripts/embed web_files $(foreach f,$(WEB),ui/$(f:web/%=%)=$(f)) \
	    $(foreach f,$(WEB_VENDOR),ui/vendor/$(notdir $(f))=$(f)) > $@
# The npm modules, exactly as package-lock.json pins them.
$(WEB_VENDOR) &: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(WEB_VENDOR)

$(BUILD)/rel/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(REL_CFLAGS) -c $< -o $@
$(BUILD)/san/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(SAN_CFLAGS) -c $< -o $@

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(REL_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(EXTRA_CPPFLAGS) $(PKG_CFLAGS) $(SAN_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/tests/%.o: EXTRA_CPPFLAGS = -Itests/unit

$(BUILD)/inlet: $(BUILD)/rel/src/main.o $(REL_OBJ)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/san/inlet: $(BUILD)/san/src/main.o $(SAN_OBJ)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/san/test-unit: $(TEST_OBJ) $(SAN_OBJ)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka)
$(BUILD)/san/fuzz-replay-%: $(BUILD)/san/fuzz/fuzz_%.o $(BUILD)/san/fuzz/replay.o $(SAN_OBJ)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(PKG_LIBS)

# make run: install what is missing, build, and serve the API on
# 127.0.0.1:8080 over the embedded SQLite database under ./data, with the
# provider sandbox in-process (--demo). The first run creates the tenant
# "demo" and prints its API key (once).
run: deps $(BUILD)/inlet
	@$(BUILD)/inlet tenant list | grep -q . || $(BUILD)/inlet tenant create demo
	$(BUILD)/inlet serve --demo

# make test [T=suite]: every unit suite on SQLite and on a throwaway
# PostgreSQL, the CLI checks, then every fuzz corpus replayed; all under
# ASan + UBSan. The cluster is removed however the tests end.
test: deps $(BUILD)/san/test-unit $(BUILD)/san/inlet $(REPLAYS)
	scripts/with-pg scripts/test $(BUILD)/san $(T)

# make screenshots: PNGs of every page of the web UI into docs/screenshots/.
screenshots: deps $(BUILD)/inlet
	INLET=$(BUILD)/inlet scripts/screenshots

# make fuzz [FUZZ_SECONDS=n]: short libFuzzer runs of every harness (clang).
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS = -O1 -g -fsanitize=fuzzer,address,undefined $(WARN) -Wno-missing-prototypes
fuzz: deps $(GEN) $(CONN_GEN) $(OAPI_GEN) $(WEB_GEN)
	@mkdir -p $(BUILD)/fuzz
	@set -e; for f in $(FUZZ); do \
	    clang $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -o $(BUILD)/fuzz/$$f fuzz/fuzz_$$f.c \
	        $(SRC) $(GEN) $(CONN_GEN) $(OAPI_GEN) $(WEB_GEN) $(PKG_LIBS); \
	    mkdir -p $(BUILD)/fuzz/corpus-$$f; \
	    $(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	        $(BUILD)/fuzz/corpus-$$f fuzz/corpus/$$f 2>&1 | tail -n 2; \
	done

# make bench: benchmarks with their reference figures from the same run.
bench: deps $(BUILD)/bench/json $(BUILD)/bench/db $(BUILD)/bench/sandbox-walk \
       $(BUILD)/bench/load-gen $(BUILD)/bench/load-ref $(BUILD)/bench/sched $(BUILD)/inlet
	$(BUILD)/bench/json
	scripts/with-pg $(BUILD)/bench/db
	scripts/with-pg $(BUILD)/bench/sched
	bench/api/run.sh $(BUILD)/inlet
	bench/sandbox/run.sh $(BUILD)/inlet $(BUILD)/bench/sandbox-walk
	scripts/with-pg bench/load/run.sh $(BUILD)/inlet $(BUILD)/bench/load-gen $(BUILD)/bench/load-ref
	scripts/with-pg bench/sync/run.sh $(BUILD)/inlet
	bench/ui/run.sh $(BUILD)/inlet
# lib_jsonx.c compiles the core sources it needs itself (jsonx is measured
# exactly as inlet builds it).
$(BUILD)/bench/json: $(wildcard bench/json/*.c bench/json/*.h src/core/*.c src/core/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -Wno-missing-prototypes -Isrc -o $@ $(filter bench/%.c,$^) \
	    $(shell pkg-config --cflags --libs jansson libcjson json-c)
# bench/db compiles the db layer's sources as inlet builds them.
$(BUILD)/bench/db: bench/db/bench_db.c $(wildcard src/core/*.[ch] src/db/*.[ch]) $(GEN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(REL_CFLAGS) -Wno-missing-prototypes -o $@ \
	    $(filter %.c,$^) $(PKG_LIBS)
# bench/sched runs the real scheduler and queue: it links inlet's release objects.
$(BUILD)/bench/sched: $(BUILD)/rel/bench/sched/bench_sched.o $(REL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(PKG_LIBS)

# bench/load: the stream generator, and the hand-written reference loader.
$(BUILD)/bench/load-gen: bench/load/gen.c
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -Wno-missing-prototypes -D_POSIX_C_SOURCE=200809L -o $@ $<
$(BUILD)/bench/load-ref: bench/load/ref.c
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -Wno-missing-prototypes -D_POSIX_C_SOURCE=200809L $(PKG_CFLAGS) -o $@ $< \
	    $(PKG_LIBS)
# bench/sandbox's walker: libcurl only.
$(BUILD)/bench/sandbox-walk: bench/sandbox/walk.c
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -D_POSIX_C_SOURCE=200809L -o $@ $< $(shell pkg-config --cflags --libs libcurl)

FMT_SRC = $(shell git ls-files '*.c' '*.h')
fmt:
	clang-format -i $(FMT_SRC)

# make lint: formatting, banned functions outside core/, clang-tidy, cppcheck.
lint: $(GEN)
	clang-format --dry-run -Werror $(FMT_SRC)
	scripts/lint-banned
	clang-tidy --quiet $(SRC) src/main.c -- $(CPPFLAGS_ALL) $(PKG_CFLAGS) -std=c11 2>/dev/null
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	    --std=c11 -Isrc -I$(BUILD)/gen $(SRC) src/main.c

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
