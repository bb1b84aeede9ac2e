// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: vale-ctl's command line (tools/vale-ctl/vc_options.c,
 * on tools/common/nt_opt.c and nt_parse.c), words separated by NULs.
 */
#include "fuzz_tool_opts.h"
#include "vc_options.h"

static int parse(int argc, char **argv)
{
	struct vc_config cfg;

	return vc_parse_args(argc, argv, &cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_argv("vale-ctl", data, size, parse);
	return 0;
}
