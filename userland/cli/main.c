// SPDX-License-Identifier: GPL-2.0
/*
 * vireo: the command-line front end (everything is in cli.c and cmd_*.c,
 * so that the tests link it too).
 */
#include <locale.h>

#include "cli.h"

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	return vireo_cli_main(argc, argv);
}
