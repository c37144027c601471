/* Terminal colours for the text outputs: SGR escapes when colour is on, "" otherwise, so a
 * printf with the same format serves both. */
#ifndef DNSVET_CLI_STYLE_H
#define DNSVET_CLI_STYLE_H

typedef enum cli_style {
	CLI_STYLE_RESET = 0,
	CLI_STYLE_BOLD,
	CLI_STYLE_DIM,
	CLI_STYLE_RED,
	CLI_STYLE_YELLOW,
	CLI_STYLE_GREEN,
	CLI_STYLE_CYAN
} cli_style;

/* The escape sequence of style, or "" when color is 0. Static string. */
const char *cli_sgr(int color, cli_style style);

#endif
