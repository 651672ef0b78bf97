/* main.c - the inlet command line: parses the subcommand and wires the areas
 * together. Every capability of the API is reachable from here for scripts
 * and operators. */
#include <stdio.h>
#include <string.h>

#define INLET_VERSION "0.1.0"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "version") == 0) {
        printf("inlet %s\n", INLET_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: inlet version\n");
    return 2;
}
