# docs/man/man.mk - the man pages, written once as Markdown in docs/man/
# and built by go-md2man (Debian: go-md2man; `make deps`) into
# $(BUILD)/man; and `make install`.  Included by the top Makefile after
# userland/version.mk.
#
#   make man             $(BUILD)/man/vireo.1 vireo-run.1 vireo-machine.5
#   make man-check       each renders without a warning and names every
#                        subcommand and option the programs' --help shows
#                        (tests/vmlib/man-check.sh; part of `make unit`)
#   make install         PREFIX=/usr/local DESTDIR=: binaries, man pages,
#                        bash completion, udev rule
#   make install-check   installs into a temporary DESTDIR and checks the
#                        file list (tests/vmlib/install-check.sh; `make unit`)

MAN_SRC   := $(SRCTREE)/docs/man
MAN_OUT   := $(BUILD)/man
MAN_PAGES := $(MAN_OUT)/vireo.1 $(MAN_OUT)/vireo-run.1 $(MAN_OUT)/vireo-machine.5
GO_MD2MAN ?= go-md2man
HAVE_GO_MD2MAN := $(shell command -v $(GO_MD2MAN) 2>/dev/null)

.PHONY: man man-check install install-check

man: $(MAN_PAGES)

# @VERSION@ in a page's title line becomes the VERSION file's number.
$(MAN_OUT)/%: $(MAN_SRC)/%.md $(VERSION_FILE)
	@test -n "$(HAVE_GO_MD2MAN)" || { echo "man: $(GO_MD2MAN) is missing (Debian: go-md2man; 'make deps')"; exit 1; }
	@mkdir -p $(dir $@)
	sed -e 's/@VERSION@/$(VIREO_VERSION)/g' $< | $(GO_MD2MAN) -out $@.tmp
	mv $@.tmp $@

unit: man-check install-check

# Without go-md2man both checks say SKIP (make deps installs it).  The
# pages are prerequisites, not built by the scripts: with -j the two
# checks must not write them at once.
ifneq ($(HAVE_GO_MD2MAN),)
man-check: $(CLI_BIN) $(UL_RUN) $(MAN_PAGES)
	VIREO=$(CLI_BIN) VIREO_RUN=$(UL_RUN) \
		bash $(SRCTREE)/tests/vmlib/man-check.sh $(MAN_OUT)

# After the other unit tests' builds: its `make install` must find
# everything made.
install-check: $(CLI_BIN) $(UL_RUN) $(MAN_PAGES) man-check
	MAKE="$(MAKE)" bash $(SRCTREE)/tests/vmlib/install-check.sh
else
man-check install-check:
	@echo "SKIP $@: $(GO_MD2MAN) is not installed ('make deps')"
endif

# ---------------------------------------------------------------- install
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# udev reads /usr/lib/udev/rules.d (packages) and /etc/udev/rules.d (the
# administrator's), not /usr/local: a local install goes to /etc.
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)

install: $(CLI_BIN) $(UL_RUN) man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UDEVRULESDIR)
	install -m 0755 $(CLI_BIN) $(UL_RUN) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MAN_OUT)/vireo.1 $(MAN_OUT)/vireo-run.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN_OUT)/vireo-machine.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(SRCTREE)/tools/completion/vireo.bash $(DESTDIR)$(BASHCOMPDIR)/vireo
	install -m 0644 $(SRCTREE)/tools/udev/60-vireo.rules $(DESTDIR)$(UDEVRULESDIR)/
	@echo "installed under $(DESTDIR)$(PREFIX); /dev/vireo is for group vireo" \
		"('groupadd --system vireo' once, then 'udevadm control --reload')"
