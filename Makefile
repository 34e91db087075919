# Thin shim over meson + ninja; the real build is meson.build.
#   make demo   install packages, build, run demo/run-demo.sh
#               (NOR_DEMO_BOARD=zynq: its NOR story on QEMU xilinx-zynq-a9)
#   make check  install packages, build `build` and `build-asan`, run the tests
#   make clean  remove the build directories

MESON ?= meson
NINJA ?= ninja
BUILD ?= build
ASAN ?= build-asan

BUILD_OPTS := --buildtype=debugoptimized
ASAN_OPTS := --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false
TEST_OPTS := --print-errorlogs --num-processes 2
# the board of demo/nor-demo.sh: x86 (QEMU -M pc) or zynq (xilinx-zynq-a9)
NOR_DEMO_BOARD ?= x86
export NOR_DEMO_BOARD

# $(call configure,DIR,OPTIONS): shell code that configures DIR only when it
# is not configured yet (a configured directory regenerates itself in ninja).
configure = if [ -f $(1)/build.ninja ]; then :; \
	elif [ -f $(1)/meson-private/coredata.dat ]; then \
		echo "$(MESON) setup --reconfigure $(2) $(1)"; \
		$(MESON) setup --reconfigure $(2) $(1); \
	else echo "$(MESON) setup $(2) $(1)"; $(MESON) setup $(2) $(1); fi

.PHONY: all setup build demo check clean

all: build

setup:
	bash scripts/setup

build: setup
	@$(call configure,$(BUILD),$(BUILD_OPTS))
	$(NINJA) -C $(BUILD)

demo: build
	bash demo/run-demo.sh

# Both test runs always happen; the target fails if either failed.
# The kernel suite runs only in the normal build.
check: setup
	@rc=0; \
	{ $(call configure,$(BUILD),$(BUILD_OPTS)); } && \
	$(NINJA) -C $(BUILD) && \
	$(MESON) test -C $(BUILD) $(TEST_OPTS) || rc=1; \
	{ $(call configure,$(ASAN),$(ASAN_OPTS)); } && \
	$(NINJA) -C $(ASAN) && \
	$(MESON) test -C $(ASAN) --suite unit --suite cli $(TEST_OPTS) || rc=1; \
	if [ $$rc != 0 ]; then echo "make check: FAILED" >&2; fi; \
	exit $$rc

clean:
	rm -rf $(BUILD) $(ASAN)
