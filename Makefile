# decc: the two commands of README.md, plus developer conveniences.
#   make demo    install what is missing, build, run the main job
#   make check   install what is missing, build, run every test (what CI runs)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all setup build check test test-asan format format-check demo bench fuzz clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DDECC_WERROR=ON $(CMAKE_ARGS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Unit tests and fuzz-corpus replays a second time under AddressSanitizer + UBSan.
test-asan:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DDECC_WERROR=ON -DDECC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)
	ninja -C $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz' --timeout 900

format:
	@scripts/format.sh --fix

format-check:
	@scripts/format.sh

check: setup format-check
	$(MAKE) build test
	$(MAKE) test-asan

demo: setup build
	@scripts/demo.sh $(BUILD)

bench: setup build
	@bench/run.sh $(BUILD)

# libFuzzer binaries (clang): build-fuzz/tests/fuzz/fuzz-<target> CORPUS_DIR
fuzz:
	CC=clang cmake -S . -B build-fuzz -G Ninja -DDECC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	ninja -C build-fuzz -j $(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
