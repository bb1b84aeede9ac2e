// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: nmreplay's command line (tools/nmreplay/nr_options.c,
 * on tools/common/nt_opt.c and nt_parse.c), words separated by NULs.
 */
#include "fuzz_tool_opts.h"
#include "nr_options.h"

static int parse(int argc, char **argv)
{
	struct nr_config cfg;

	return nr_parse_args(argc, argv, &cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_argv("nmreplay", data, size, parse);
	return 0;
}
