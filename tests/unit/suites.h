/* tests/unit/suites.h - every unit suite, one line each, in run order. Expanded
 * by test.h (declarations) and main.c (the name -> function table). A suite
 * named x is int test_x(void) in tests/unit/<area>/test_x.c. */
SUITE(err)
SUITE(buf)
SUITE(str)
SUITE(time)
SUITE(id)
SUITE(log)
SUITE(encode)
SUITE(jsonx)
SUITE(config)
SUITE(random)
SUITE(hash)
SUITE(vault)
SUITE(db)
SUITE(migrate)
SUITE(tenant)
SUITE(sealed)
