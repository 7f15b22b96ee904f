# settle: one non-recursive Makefile.
#
#   make              build libsettle, the tools and the generator
#   make check        set-up, then every test (unit, end-to-end, man lint)
#   make check SAN=1  the same under ASan + UBSan
#   make demo         set-up, then the bundled fixture data through the tools
#   make bench        benchmarks (figures, not tests)
#   make install PREFIX=DIR [DESTDIR=...]

VERSION   = 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
LDFLAGS  ?=

WARN     = -std=c11 -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	   -Wvla -Wwrite-strings -Wformat-security -Wshadow
ifeq ($(DEV),1)
WARN    += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
BUILD   ?= build-san
else
SANFLAGS =
BUILD   ?= build
endif

PKGS     = openssl zlib yaml-0.1 libarchive
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  := $(shell pkg-config --libs criterion 2>/dev/null)

ALL_CFLAGS  = $(WARN) -D_POSIX_C_SOURCE=200809L -DSETTLE_VERSION='"$(VERSION)"' \
	      -Ilib $(PKG_CFLAGS) $(SANFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS        = -lcsv $(PKG_LIBS) -lpthread

LIB_SRC  = $(sort $(wildcard lib/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBA     = $(BUILD)/libsettle.a

CMD_COMMON_SRC = cmd/frontend.c cmd/pipeline.c
CMD_COMMON_OBJ = $(CMD_COMMON_SRC:%.c=$(BUILD)/%.o)
CMD_SRC  = $(filter-out $(CMD_COMMON_SRC),$(sort $(wildcard cmd/settle*.c)))
CMD_BIN  = $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%)

TOOL_SRC = $(sort $(wildcard fixtures/gen/*.c bench/*.c))
TOOL_BIN = $(patsubst %.c,$(BUILD)/tools/%,$(notdir $(TOOL_SRC)))

UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

MAN1     = $(sort $(wildcard man/*.1))
MAN5     = $(sort $(wildcard man/*.5))

DEPS_DEB = make gcc libcsv-dev libssl-dev zlib1g-dev libyaml-dev libarchive-dev \
	   libcriterion-dev pkg-config mandoc python3 gzip openssl strace \
	   util-linux

.SECONDARY:

.PHONY: all deps check unit e2e manlint demo bench install clean golden

all: $(CMD_BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(CMD_COMMON_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tools/%: $(BUILD)/fixtures/gen/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tools/%: $(BUILD)/bench/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CRIT_LIBS)

# Set-up: make sure the Debian packages are there.
deps:
	@sh tests/deps.sh $(DEPS_DEB)

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit e2e manlint

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

e2e: all
	@sh tests/run-e2e.sh $(BUILD)

manlint:
	@sh tests/manlint.sh $(MAN1) $(MAN5)

golden: all
	@GOLDEN=1 sh tests/run-e2e.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh fixtures/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/settle/schemas
	install -m 0755 $(CMD_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 schemas/*.yaml $(DESTDIR)$(PREFIX)/share/settle/schemas/
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/)

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(CMD_COMMON_OBJ:.o=.d) $(CMD_SRC:%.c=$(BUILD)/%.d) \
	$(UNIT_SRC:%.c=$(BUILD)/%.d) $(TOOL_SRC:%.c=$(BUILD)/%.d)
