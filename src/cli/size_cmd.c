/* PLACEHOLDER: aifsim size (being written). */
#include "cli/commands.h"
int af_cmd_size(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 2;
}
