# SPDX-License-Identifier: BSD-2-Clause
# Build netmap.ko out of the source tree, for one kernel.
#
#   make -f kmod/kmod.mk [KDIR=/lib/modules/<release>/build] [NM_OUT=<dir>]
#
# Used by `make` in the automake build (kmod/kmod.am, --enable-kmod) and by
# dkms (kmod/dkms.conf).  The kernel's Kbuild compiles $(src)/x.c into
# $(obj)/x.o, and our sources live in two folders (kmod/ and core/), so
# they are gathered as symbolic links into one private folder,
# $(NM_OUT)/kmod/kbuild, and Kbuild runs there (M=).  Nothing is written into
# the source tree, so `make distcheck` works, and no Kbuild internals
# (src= overrides, ../ object paths) are relied upon, so any kernel from
# 6.1 on builds the same way.
#
# Variables: KDIR  kernel build folder (headers); default: running kernel
#            NM_OUT output folder (the automake build folder); default: .
#            KCC   compiler override for Kbuild (CC=), e.g. gcc-12

NETMAP_SRC := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
KDIR ?= /lib/modules/$(shell uname -r)/build
NM_OUT ?= .
KBUILD_DIR := $(abspath $(NM_OUT))/kmod/kbuild
KMOD_SRCS := $(wildcard $(NETMAP_SRC)/kmod/*.c) $(wildcard $(NETMAP_SRC)/core/*.c)
KMAKE = $(MAKE) -C $(KDIR) M=$(KBUILD_DIR) NETMAP_SRC=$(NETMAP_SRC) \
	$(if $(KCC),CC=$(KCC))

.PHONY: modules clean stage modules_install

modules: stage
	+$(KMAKE) modules
	cp -f $(KBUILD_DIR)/netmap.ko $(abspath $(NM_OUT))/kmod/netmap.ko

# Re-create the links each time: sources may have been added or removed.
stage:
	@mkdir -p $(KBUILD_DIR)
	@rm -f $(KBUILD_DIR)/*.c $(KBUILD_DIR)/Kbuild
	@ln -s $(KMOD_SRCS) $(NETMAP_SRC)/kmod/Kbuild $(KBUILD_DIR)/

modules_install: stage
	+$(KMAKE) modules_install

clean:
	-test ! -d $(KBUILD_DIR) || $(KMAKE) clean
	rm -rf $(KBUILD_DIR) $(abspath $(NM_OUT))/kmod/netmap.ko
