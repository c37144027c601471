/* SGR escape sequences; see style.h. */
#include "cli/style.h"

const char *cli_sgr(int color, cli_style style)
{
	static const char *const seq[] = {
		[CLI_STYLE_RESET] = "\033[0m",
		[CLI_STYLE_BOLD] = "\033[1m",
		[CLI_STYLE_DIM] = "\033[2m",
		[CLI_STYLE_RED] = "\033[1;31m",
		[CLI_STYLE_YELLOW] = "\033[33m",
		[CLI_STYLE_GREEN] = "\033[32m",
		[CLI_STYLE_CYAN] = "\033[36m",
	};

	if (!color || (unsigned)style >= sizeof(seq) / sizeof(seq[0]))
		return "";
	return seq[style];
}
