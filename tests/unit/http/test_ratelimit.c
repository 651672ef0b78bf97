/* placeholder: replaced by the suite being written */
#include "test.h"
int test_ratelimit(void)
{
    return 0;
}
