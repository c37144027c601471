# Thin wrapper around meson: `make test` and `make demo` work on a fresh Debian 12 machine.
BUILD ?= build
PY := /usr/bin/python3

.PHONY: all deps build test demo bench clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: build
	@meson test -C $(BUILD) --print-errorlogs --num-processes 2; \
	  $(PY) tools/test-summary.py $(BUILD)/meson-logs/testlog.json

demo: build
	@sh tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD)
