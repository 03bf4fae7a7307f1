# jobstream: PGXS build.
#
# The control file's default_version is the one version source.  Install
# scripts are assembled from the parts kept under sql/<version>/: the script
# of version V is every part of every version up to V, and the upgrade script
# from the previous version to V is the parts of V alone (sql/assemble.sh).
# Released parts are never edited; a change goes into the next version's
# folder.

EXTENSION = jobstream
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" jobstream.control)
VERSIONS := $(shell ls -d sql/*/ | sed 's|sql/||; s|/||' | sort -V)
SQL_SCRIPTS := $(shell sh sql/assemble.sh --list $(VERSIONS))

MODULE_big = jobstream
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA_built = $(SQL_SCRIPTS)
EXTRA_CLEAN = sql/.assembled

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Isrc -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK = -lrdkafka -lzstd -lm

TOOL_DIRS := $(patsubst %/Makefile,%,$(wildcard src/bin/*/Makefile))

# Track header dependencies, so a changed header rebuilds what uses it.
# In CFLAGS, not CPPFLAGS: PGXS also compiles every file to LLVM bitcode
# with CPPFLAGS, and that compile would overwrite src/x.d with a rule for
# src/x.bc, leaving src/x.o without its headers (a stale object after a
# header change).
PG_CFLAGS = -MMD -MP
EXTRA_CLEAN += $(OBJS:.o=.d)

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)

# The bitcode (installed for JIT inlining) follows its object, so that a
# changed header rebuilds it too.
$(OBJS:.o=.bc): %.bc: %.o

$(SQL_SCRIPTS): sql/.assembled
	@test -f $@

sql/.assembled: sql/assemble.sh jobstream.control $(wildcard sql/*/*.sql)
	sh sql/assemble.sh --build $(VERSIONS)
	touch $@

all: tools

tools:
	@for d in $(TOOL_DIRS); do $(MAKE) -C $$d PG_CONFIG=$(PG_CONFIG) || exit 1; done

install: install-data-files install-tools

install-data-files:
	$(MKDIR_P) '$(DESTDIR)$(datadir)/extension/jobstream'
	$(INSTALL_DATA) data/*.csv '$(DESTDIR)$(datadir)/extension/jobstream/'

install-tools: tools
	@for d in $(TOOL_DIRS); do $(MAKE) -C $$d install PG_CONFIG=$(PG_CONFIG) DESTDIR='$(DESTDIR)' || exit 1; done

clean: clean-tools

clean-tools:
	@for d in $(TOOL_DIRS); do $(MAKE) -C $$d clean || exit 1; done

# The command a newcomer runs first, and the one that passes the tests.
demo:
	bash test/demo.sh

demo-stop:
	bash test/demo.sh stop

test:
	bash test/run.sh

bench:
	bash test/bench/run.sh

fuzz:
	bash test/fuzz/run.sh $${FUZZ_SECONDS:-600}

.PHONY: tools install-data-files install-tools clean-tools demo demo-stop test bench fuzz
