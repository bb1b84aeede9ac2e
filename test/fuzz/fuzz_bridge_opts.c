// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: bridge's command line (tools/bridge/br_options.c,
 * on tools/common/nt_opt.c and nt_parse.c), words separated by NULs.
 */
#include "fuzz_tool_opts.h"
#include "br_options.h"

static int parse(int argc, char **argv)
{
	struct br_config cfg;

	return br_parse_args(argc, argv, &cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_argv("bridge", data, size, parse);
	return 0;
}
