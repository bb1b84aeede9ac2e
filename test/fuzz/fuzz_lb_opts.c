// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: lb's command line (tools/lb/lb_options.c, on
 * tools/common/nt_opt.c and nt_parse.c), words separated by NULs, then
 * the group naming that follows the input's name (lb_name_groups()),
 * with the input taken as a pipe end when the first word's first byte
 * is odd.
 */
#include "fuzz_tool_opts.h"
#include "lb_options.h"

static int parse(int argc, char **argv)
{
	struct lb_config cfg;
	int st = lb_parse_args(argc, argv, &cfg);

	if (st == 0 && argc > 1)
		st = lb_name_groups(&cfg, argv[1], argv[1][0] & 1);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_argv("lb", data, size, parse);
	return 0;
}
