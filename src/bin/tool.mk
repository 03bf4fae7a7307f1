# tool.mk: what the Makefiles of jobstream's command-line tools share.
#
# A tool's Makefile sets PROGRAMS (and CFLAGS, if not -O2) and includes
# this file before its own rules; it gets "all" (its PROGRAMS), install,
# uninstall and clean, the warning flags, librdkafka's flags in CPPFLAGS
# and RDKAFKA_LIBS, and CLI (common/cli.c, compiled into each tool) with
# CLI_DEPS to list as prerequisites.
#
#   make; make install [DESTDIR=...] [bindir=...]; make clean

TOOLS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

PG_CONFIG ?= pg_config
bindir ?= $(shell $(PG_CONFIG) --bindir 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2
override CFLAGS += -Wall -Wextra -Werror
override CPPFLAGS += -I$(TOOLS_DIR)/common $(shell pkg-config --cflags rdkafka 2>/dev/null)
RDKAFKA_LIBS = $(shell pkg-config --libs rdkafka 2>/dev/null || echo -lrdkafka)
INSTALL ?= install

CLI = $(TOOLS_DIR)/common/cli.c
CLI_DEPS = $(CLI) $(TOOLS_DIR)/common/cli.h

all: $(PROGRAMS)

install: all
	@test -n "$(bindir)" || { echo "bindir is empty: put pg_config in PATH or pass bindir=DIR" >&2; exit 1; }
	$(INSTALL) -d '$(DESTDIR)$(bindir)'
	$(INSTALL) -m 755 $(PROGRAMS) '$(DESTDIR)$(bindir)/'

uninstall:
	rm -f $(addprefix '$(DESTDIR)$(bindir)'/,$(PROGRAMS))

clean:
	rm -f $(PROGRAMS)

.PHONY: all install uninstall clean
