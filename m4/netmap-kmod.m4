# SPDX-License-Identifier: BSD-2-Clause
# NETMAP_KMOD: configure the kernel module netmap.ko.
#
#   --enable-kmod            build netmap.ko with `make` (default: no)
#   --with-kernel-build=DIR  kernel build folder (headers); default
#                            /lib/modules/`uname -r`/build when present
#   --with-kmoddir=DIR       install folder of netmap.ko
#   --with-udevrulesdir=DIR  install folder of 60-netmap.rules
#   KERNEL_CC=cc             compiler for Kbuild (default: the one named in
#                            the kernel's CONFIG_CC_VERSION_TEXT, e.g.
#                            gcc-12, when it is installed)
#
# Kernel API differences are probed when Kbuild runs (kmod/kmod.mk), not
# here, so that dkms builds for other kernels probe their own headers.
# Substitutes KERNEL_BUILD, KERNEL_RELEASE, KERNEL_CC, kmoddir, udevrulesdir;
# defines the conditional BUILD_KMOD; writes kmod/dkms.conf.
AC_DEFUN([NETMAP_KMOD], [
AC_ARG_ENABLE([kmod],
	[AS_HELP_STRING([--enable-kmod],
		[build the kernel module netmap.ko (default: no)])],
	[enable_kmod=$enableval], [enable_kmod=no])
AC_ARG_WITH([kernel-build],
	[AS_HELP_STRING([--with-kernel-build=DIR],
		[kernel build folder for --enable-kmod
		 (default: /lib/modules/`uname -r`/build)])],
	[KERNEL_BUILD=$withval],
	[KERNEL_BUILD=/lib/modules/`uname -r`/build])
AC_ARG_WITH([udevrulesdir],
	[AS_HELP_STRING([--with-udevrulesdir=DIR],
		[where 60-netmap.rules goes (default: PREFIX/lib/udev/rules.d)])],
	[udevrulesdir=$withval], [udevrulesdir='${prefix}/lib/udev/rules.d'])
AC_ARG_WITH([kmoddir],
	[AS_HELP_STRING([--with-kmoddir=DIR],
		[where make install puts netmap.ko (default:
		 PREFIX/lib/modules/RELEASE/extra; use --prefix=/usr or
		 --with-kmoddir=/lib/modules/RELEASE/updates for modprobe)])],
	[kmoddir=$withval], [kmoddir=])
AC_ARG_VAR([KERNEL_CC], [C compiler for the kernel module])

KERNEL_RELEASE=
if test "x$enable_kmod" = xyes; then
	AC_MSG_CHECKING([for the kernel build folder])
	nm_uts="$KERNEL_BUILD/include/generated/utsrelease.h"
	if test -f "$KERNEL_BUILD/Makefile" && test -f "$nm_uts"; then
		KERNEL_RELEASE=`sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$nm_uts"`
		AC_MSG_RESULT([$KERNEL_BUILD ($KERNEL_RELEASE)])
	else
		AC_MSG_RESULT([no])
		AC_MSG_ERROR([no configured kernel build folder at $KERNEL_BUILD:
install the kernel headers (Debian: linux-headers-`uname -r`) or give
--with-kernel-build=DIR])
	fi
	AC_MSG_CHECKING([for the compiler of kernel $KERNEL_RELEASE])
	if test -z "$KERNEL_CC"; then
		nm_cc=`sed -n 's/^CONFIG_CC_VERSION_TEXT="*\([[^ "]]*\) .*/\1/p' \
			"$KERNEL_BUILD/include/config/auto.conf" 2>/dev/null`
		if test -n "$nm_cc" && command -v "$nm_cc" >/dev/null 2>&1; then
			KERNEL_CC=$nm_cc
		fi
	fi
	AC_MSG_RESULT([${KERNEL_CC:-the kernel Makefile's default}])
fi
test -n "$kmoddir" || kmoddir='${prefix}'"/lib/modules/$KERNEL_RELEASE/extra"
AM_CONDITIONAL([BUILD_KMOD], [test "x$enable_kmod" = xyes])
AC_SUBST([KERNEL_BUILD])
AC_SUBST([KERNEL_RELEASE])
AC_SUBST([KERNEL_CC])
AC_SUBST([udevrulesdir])
AC_SUBST([kmoddir])
AC_CONFIG_FILES([kmod/dkms.conf])
])
