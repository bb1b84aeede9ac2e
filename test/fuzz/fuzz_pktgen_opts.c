// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: pkt-gen's command line (tools/pkt-gen/pg_options.c,
 * on tools/common/nt_opt.c and nt_parse.c), words separated by NULs.
 */
#include "fuzz_tool_opts.h"
#include "pg_options.h"

static int parse(int argc, char **argv)
{
	struct pg_config cfg;

	return pg_parse_args(argc, argv, &cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_argv("pkt-gen", data, size, parse);
	return 0;
}
