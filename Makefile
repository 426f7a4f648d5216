# mpusim: one non-recursive Makefile. `make` builds build/mpusim; `make check` runs the tests
# (plain and under ASan+UBSan); `make demo` replays the bundled default trace; `make bench`
# writes bench/results.json. check, demo and bench first run `make deps`.
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

PREFIX    ?= /usr/local
CC        ?= cc
CFLAGS    ?= -O2 -g
BASEFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -D_POSIX_C_SOURCE=200809L
CPPFLAGS  += -iquote . -MMD -MP
PKGS      := jansson simdjson
DEBS      := build-essential pkg-config libunicorn-dev libjansson-dev libelf-dev \
             libcapstone-dev libcriterion-dev gcc-aarch64-linux-gnu \
             device-tree-compiler libfdt-dev libdw-dev libsimdjson-dev g++
PKGCFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread -lfdt -lstdc++

SRCS  := $(wildcard common/*.c mpu_model/*.c mm/*.c traces/*.c tarmac/*.c replay/*.c report/*.c cli/*.c)
OBJS  := $(filter-out build/cli/%.o,$(SRCS:%.c=build/%.o))
# The one C++ unit: the JSON Lines fast path on simdjson (docs/trace-format.md, Reading speed).
CXXSRCS := $(wildcard traces/*.cpp)
CXXBASE := -std=c++17 -Wall -Wextra -Werror -Wshadow
OBJS  += $(CXXSRCS:%.cpp=build/%.o)
CLIOBJS := $(patsubst %.c,build/%.o,$(wildcard cli/*.c))
TSRCS := $(wildcard tests/*/*.c)
TOBJS := $(TSRCS:%.c=build/%.o)
BSRCS := $(wildcard bench/*.c)

# Sanitizer build of the same sources, objects under build/asan/.
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
AOBJS  := $(OBJS:build/%=build/asan/%)
ATOBJS := $(TOBJS:build/%=build/asan/%)

all: build/mpusim

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(CPPFLAGS) $(PKGCFLAGS) -c -o $@ $<

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $(CPPFLAGS) $(PKGCFLAGS) -c -o $@ $<

build/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXBASE) $(CFLAGS) $(CPPFLAGS) $(PKGCFLAGS) -c -o $@ $<

build/asan/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXBASE) $(ASANFLAGS) $(CPPFLAGS) $(PKGCFLAGS) -c -o $@ $<

build/mpusim: $(CLIOBJS) $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS) -lm

build/mpusim-tests: $(TOBJS) $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(PKGLIBS) -lm

build/asan/mpusim-tests: $(ATOBJS) $(AOBJS)
	$(CC) $(LDFLAGS) $(ASANFLAGS) -o $@ $^ -lcriterion $(PKGLIBS) -lm

build/bench/%: bench/%.c $(OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(CPPFLAGS) $(PKGCFLAGS) -o $@ $< $(OBJS) $(PKGLIBS) -lm

# Install the Debian packages that are missing (apt-get update once, then install).
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "deps: missing$$missing; run as root or install sudo, or install them yourself" >&2; exit 1; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing
	@dpkg-query -W -f='$${Status}' chromium 2>/dev/null | grep -q "ok installed" || \
	  echo "deps: optional: chromium renders the HTML report in the browser test (skipped without it): make deps-browser"

# Criterion prints its synthesis line; the tests run from the repository root.
check: deps
	$(MAKE) all build/mpusim-tests
	./build/mpusim-tests --jobs 2
	$(MAKE) check-asan

check-asan: build/asan/mpusim-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ./build/asan/mpusim-tests --jobs 2

DEMO_TRACE ?= traces/xen-boot-fvp/trace.json
demo: deps
	$(MAKE) all
	./build/mpusim replay $(DEMO_TRACE)

bench: deps
	$(MAKE) $(patsubst bench/%.c,build/bench/%,$(BSRCS)) build/mpusim
	./bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/mpusim/guest
	install -m 755 build/mpusim $(DESTDIR)$(PREFIX)/bin/mpusim
	install -m 644 build/guest/mm.elf $(ADAPTERS) $(DESTDIR)$(PREFIX)/lib/mpusim/guest/

clean:
	rm -rf build

.PHONY: all deps check check-asan demo bench install clean

# ---- Guest engine (sim/), the mm guest (guest/) and the test guests (tests/sim/guests/) ----
# sim/ is the only code that uses Unicorn, libelf and capstone; mm/ is also cross-compiled into
# build/guest/mm.elf, the same sources as the native engine, with -DMM_GUEST.
PKGS     += unicorn libelf capstone libdw
SIMOBJS  := $(patsubst %.c,build/%.o,$(wildcard sim/*.c))
ASIMOBJS := $(SIMOBJS:build/%=build/asan/%)
OBJS     += $(SIMOBJS)
AOBJS    += $(ASIMOBJS)
build/mpusim build/mpusim-tests: $(SIMOBJS)
build/asan/mpusim-tests: $(ASIMOBJS)
$(patsubst bench/%.c,build/bench/%,$(BSRCS)): $(SIMOBJS)

GUEST_CC     ?= aarch64-linux-gnu-gcc
GUEST_CFLAGS := -std=c11 -ffreestanding -nostdlib -O2 -g -DMM_GUEST -Wall -Wextra -Werror \
                -mgeneral-regs-only -fno-stack-protector -fno-pic -iquote . -MMD -MP
GUEST_LDFLAGS := -static -nostdlib -Wl,--build-id=none -Wl,--no-warn-rwx-segments
GUEST_SRCS := $(wildcard guest/*.c guest/*.S) $(filter-out mm/msg.c,$(wildcard mm/*.c))
GUEST_OBJS := $(patsubst %,build/guest/%.o,$(basename $(GUEST_SRCS)))

build/guest/%.o: %.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<
build/guest/%.o: %.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<
build/guest/mm.elf: $(GUEST_OBJS) guest/link.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -T guest/link.ld -o $@ $(GUEST_OBJS) -lgcc
# Bundled adapters (found by name: --adapter mm, --adapter xen-upstream), beside the guests.
ADAPTERS := $(patsubst guest/%,build/guest/%,$(wildcard guest/*.adapter.json))
build/guest/%.adapter.json: guest/%.adapter.json
	@mkdir -p $(@D)
	cp $< $@
all: build/guest/mm.elf $(ADAPTERS)

# Small guest programs of tests/sim/, one ELF per source file, built before the tests run.
TGUEST_SRCS := $(wildcard tests/sim/guests/*.S tests/sim/guests/*.c)
TGUEST_ELFS := $(patsubst tests/sim/guests/%,build/tests/guests/%.elf,$(basename $(TGUEST_SRCS)))
build/tests/guests/%.elf: tests/sim/guests/%.S tests/sim/guests/link.ld
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -T tests/sim/guests/link.ld -o $@ $<
build/tests/guests/%.elf: tests/sim/guests/%.c tests/sim/guests/link.ld
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -T tests/sim/guests/link.ld -o $@ $< -lgcc
build/mpusim-tests build/asan/mpusim-tests: | $(TGUEST_ELFS) build/guest/mm.elf $(ADAPTERS)

# Timing validation (bench/timing.c, docs/timing.md) needs llvm-mca and the cross binutils;
# only `make bench` installs them, `make check` does not need them.
BENCH_DEBS := llvm-14 binutils-aarch64-linux-gnu
bench: bench-deps
build/bench/timing: | build/guest/mm.elf $(TGUEST_ELFS)
bench-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(BENCH_DEBS)"
.PHONY: bench-deps
# bench/guest's checked-vs-bare loop: mm.elf's objects with the MPU registers in guest memory
# (bench/mm_loop/), so that the same mapping code also runs on bare Unicorn.
BGUEST_OBJS := $(filter-out build/guest/guest/hw_guest.o,$(GUEST_OBJS)) \
               $(patsubst %.c,build/guest/%.o,$(wildcard bench/mm_loop/*.c))
build/bench/guests/mm-loop.elf: $(BGUEST_OBJS) bench/mm_loop/link.ld
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_LDFLAGS) -T bench/mm_loop/link.ld -o $@ $(BGUEST_OBJS) -lgcc
build/bench/guest: | build/bench/guests/mm-loop.elf build/guest/mm.elf $(ADAPTERS)
-include $(GUEST_OBJS:.o=.d) $(TGUEST_ELFS:.elf=.d) $(BGUEST_OBJS:.o=.d)

# ---- Platforms (platforms/, docs/platforms.md): the JSON files are copied next to the binary,
# each device-tree source is compiled with dtc into build/platforms/<name>.dtb.
PLATFORM_JSON := $(patsubst platforms/%,build/platforms/%,$(wildcard platforms/*.json))
PLATFORM_DTBS := $(patsubst platforms/%.dts,build/platforms/%.dtb,$(wildcard platforms/*.dts))
build/platforms/%.json: platforms/%.json
	@mkdir -p $(@D)
	cp $< $@
build/platforms/%.dtb: platforms/%.dts
	@mkdir -p $(@D)
	dtc -q -I dts -O dtb -o $@ $<
all: $(PLATFORM_JSON) $(PLATFORM_DTBS)
build/mpusim-tests build/asan/mpusim-tests: | $(PLATFORM_JSON) $(PLATFORM_DTBS)

# The real-boot trace (docs/boot.md): upstream Xen booted on the bundled fvp-baser platform,
# every MPU call it makes recorded. Needs a Xen image (XEN_SYMS); tests/cli/boot_cli_test.c
# checks the committed trace against a fresh recording where the image is present.
XEN_SYMS ?= $(MPUSIM_XEN_SYMS)
xen-real-boot: all
	@test -n "$(XEN_SYMS)" && test -r "$(XEN_SYMS)" || { echo "xen-real-boot: no Xen image at $(XEN_SYMS) (give XEN_SYMS=...)" >&2; exit 2; }
	./build/mpusim run $(XEN_SYMS) --platform fvp-baser --dtb build/platforms/fvp-baser.dtb \
	  --no-timing --record traces/xen-real-boot/trace.jsonl --adapter xen-upstream \
	  > build/xen-real-boot.log; st=$$?; tail -n 3 build/xen-real-boot.log; \
	  test $$st -le 1 # the boot ends in Xen's panic (exit 1): where upstream's MPU support ends
.PHONY: xen-real-boot

# ---- libFuzzer harnesses (libfuzzer/, docs/compare.md) ----
# `make fuzz` builds each libfuzzer/<name>.c with clang into build/fuzz/<name> (library objects
# compiled with -fsanitize=fuzzer-no-link,address,undefined under build/fuzz/obj/), then runs
# each for FUZZ_TIME seconds from a scratch copy of its seed corpus libfuzzer/corpus/<name>/ in
# build/fuzz/run/<name>/ (the repository's corpus is never modified). It fails when a harness
# crashes; the reproducer is build/fuzz/run/<name>/crash-*. FUZZ_FLAGS adds libFuzzer flags
# (e.g. -seed=N -jobs=4). `make fuzz-build` only builds.
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
FUZZ_FLAGS ?=
FUZZ_CXX   ?= clang++
FUZZ_DEBS  := clang libclang-rt-dev pkg-config libjansson-dev libsimdjson-dev g++
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES := $(basename $(notdir $(wildcard libfuzzer/*.c)))
# The library part of the tree (sim/ too: replay/ reaches the guest engine): an archive, so
# that a harness links only what it uses.
FUZZ_LIBOBJS = $(patsubst %.c,build/fuzz/obj/%.o,$(wildcard common/*.c mpu_model/*.c mm/*.c \
                 traces/*.c tarmac/*.c replay/*.c sim/*.c)) $(CXXSRCS:%.cpp=build/fuzz/obj/%.o)
FUZZ_OBJS    = $(FUZZ_NAMES:%=build/fuzz/obj/libfuzzer/%.o)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASEFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(CPPFLAGS) \
	  $(PKGCFLAGS) -c -o $@ $<
build/fuzz/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CXXBASE) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(CPPFLAGS) \
	  $(PKGCFLAGS) -c -o $@ $<
build/fuzz/libmpusim.a: $(FUZZ_LIBOBJS)
	rm -f $@
	ar rcs $@ $^
build/fuzz/%: build/fuzz/obj/libfuzzer/%.o build/fuzz/libmpusim.a
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKGLIBS) -lpthread -lm

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(FUZZ_DEBS)"

fuzz-build: fuzz-deps
	$(MAKE) $(FUZZ_NAMES:%=build/fuzz/%)

fuzz: fuzz-build
	@for n in $(FUZZ_NAMES); do \
	  run=build/fuzz/run/$$n; rm -rf $$run; mkdir -p $$run/corpus; \
	  cp libfuzzer/corpus/$$n/* $$run/corpus/; \
	  echo "fuzz: $$n for $(FUZZ_TIME) s from libfuzzer/corpus/$$n ($$(ls libfuzzer/corpus/$$n | wc -l) seeds)"; \
	  if ! ./build/fuzz/$$n -max_total_time=$(FUZZ_TIME) -len_control=10 -print_final_stats=1 \
	       -artifact_prefix=$$run/ $(FUZZ_FLAGS) $$run/corpus >$$run/log 2>&1; then \
	    tail -n 40 $$run/log; echo "fuzz: $$n FAILED; log $$run/log, reproducer:" $$run/crash-* $$run/leak-* $$run/timeout-* $$run/oom-* 2>/dev/null; exit 1; \
	  fi; \
	  grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' $$run/log | sed "s/^/  $$n: /"; \
	  grep -E '^#[0-9]+[[:space:]]+DONE' $$run/log | sed "s/^/  $$n: /"; \
	done; echo "fuzz: no crash in $(FUZZ_NAMES)"

.PHONY: fuzz fuzz-build fuzz-deps

# ---- Optional: a browser for the HTML report's rendering test (tests/report/browser_test.c,
# docs/report.md). make check skips that test, saying why, where chromium is absent.
BROWSER_DEBS := chromium
deps-browser:
	@$(MAKE) --no-print-directory deps DEBS="$(BROWSER_DEBS)"
.PHONY: deps-browser
-include $(FUZZ_LIBOBJS:.o=.d) $(FUZZ_OBJS:.o=.d)

-include $(OBJS:.o=.d) $(TOBJS:.o=.d) $(CLIOBJS:.o=.d) $(AOBJS:.o=.d) $(ATOBJS:.o=.d)
