/*
 * test_units: the units parser and formatter. Every unit of every dimension is checked both ways
 * (accepted with its SI value, refused where it belongs to another dimension or is spelled
 * wrong), every class of error message and hint, hostile inputs (huge strings, random bytes,
 * extreme exponents) and the round-trip property parse(format(x)) ~ x over a wide range of
 * magnitudes with a fixed seed.
 */
#include "base/units.h"

#include "cutest.h"

#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A value *out must keep when parsing fails. */
#define SENTINEL (-12345.25)

/* Parses text and returns the value, or NAN when the parse failed (and prints the error). */
static double parse(const char *text, af_dim dim)
{
    char err[512];
    double v = SENTINEL;
    if (af_units_parse(text, dim, &v, err, sizeof err) != 0) {
        fprintf(stderr, "\n  unexpected error for \"%.60s\": %s\n", text, err);
        return NAN;
    }
    return v;
}

/* Whether text is refused, *out is untouched and the message contains want (and, when not NULL,
 * want2). Prints the message when it does not. */
static int refused(const char *text, af_dim dim, const char *want, const char *want2)
{
    char err[512];
    double v = SENTINEL;
    int rc = af_units_parse(text, dim, &v, err, sizeof err);
    if (rc == 0) {
        fprintf(stderr, "\n  \"%.60s\" was accepted as %.17g\n", text, v);
        return 0;
    }
    int ok = rc == -1 && v == SENTINEL && strstr(err, want) && (!want2 || strstr(err, want2));
    if (!ok)
        fprintf(stderr, "\n  \"%.60s\": got message: %s\n  wanted: %s%s%s\n", text, err, want,
                want2 ? " + " : "", want2 ? want2 : "");
    return ok;
}

/* The full message for text (refused), into a static buffer. */
static const char *message(const char *text, af_dim dim)
{
    static char err[512];
    double v = SENTINEL;
    if (af_units_parse(text, dim, &v, err, sizeof err) == 0)
        snprintf(err, sizeof err, "(accepted)");
    return err;
}

/* Whether the message for text is exactly want (prints it otherwise). */
static int message_is(const char *text, af_dim dim, const char *want)
{
    const char *got = message(text, dim);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "\n  \"%s\":\n    got:    %s\n    wanted: %s\n", text, got, want);
        return 0;
    }
    return 1;
}

/* The formatted text of value, into a static buffer. */
static const char *fmt(double value, af_dim dim)
{
    static char buf[128];
    return af_units_format(value, dim, buf, sizeof buf);
}

static int formats_as(double value, af_dim dim, const char *want)
{
    const char *got = fmt(value, dim);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "\n  format(%.17g): got \"%s\", wanted \"%s\"\n", value, got, want);
        return 0;
    }
    return 1;
}

#define ACCEPT(text, dim, want) AF_ASSERT_REL(parse((text), (dim)), (want), 1e-15)
#define ACCEPT_EXACT(text, dim, want) CU_ASSERT(parse((text), (dim)) == (want))
#define REFUSE(text, dim, want) CU_ASSERT(refused((text), (dim), (want), NULL))
#define REFUSE2(text, dim, want, want2) CU_ASSERT(refused((text), (dim), (want), (want2)))
#define MESSAGE(text, dim, want) CU_ASSERT(message_is((text), (dim), (want)))
#define FORMAT(value, dim, want) CU_ASSERT(formats_as((value), (dim), (want)))

/* A small deterministic generator (SplitMix64), so the test needs no other module. */
static uint64_t rng_state = 20240611u;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(void)
{
    return (double)(rng_next() >> 11) * 0x1.0p-53;
}

/* A string of n copies of c followed by tail, freshly allocated. */
static char *repeat(char c, size_t n, const char *tail)
{
    size_t lt = strlen(tail);
    char *s = malloc(n + lt + 1);
    memset(s, c, n);
    memcpy(s + n, tail, lt + 1);
    return s;
}

/* ------------------------------------------------------------------------------------------ */

static void test_time_accepts(void)
{
    ACCEPT_EXACT("7 ns", AF_DIM_TIME, 7e-9);
    ACCEPT_EXACT("3 us", AF_DIM_TIME, 3e-6);
    ACCEPT_EXACT("3 \xc2\xb5s", AF_DIM_TIME, 3e-6); /* micro sign */
    ACCEPT_EXACT("3 \xce\xbcs", AF_DIM_TIME, 3e-6); /* Greek mu */
    ACCEPT_EXACT("5 ms", AF_DIM_TIME, 5e-3);
    ACCEPT_EXACT("0.1 s", AF_DIM_TIME, 0.1);
    ACCEPT_EXACT("90 s", AF_DIM_TIME, 90.0);
    ACCEPT_EXACT("1.5 min", AF_DIM_TIME, 90.0);
    ACCEPT_EXACT("1.5 h", AF_DIM_TIME, 5400.0);
    ACCEPT_EXACT("90 d", AF_DIM_TIME, 7776000.0);
    ACCEPT_EXACT("1 y", AF_DIM_TIME, 365.0 * 86400.0); /* a year is 365 days */
    ACCEPT_EXACT("2y", AF_DIM_TIME, 2 * 365.0 * 86400.0);
    ACCEPT_EXACT("-5 s", AF_DIM_TIME, -5.0);
    ACCEPT_EXACT("1e3 ms", AF_DIM_TIME, 1.0);
}

static void test_time_refuses(void)
{
    MESSAGE("5 m", AF_DIM_TIME,
            "expected a time such as \"90 d\", got \"5 m\"; \"m\" is ambiguous: write \"min\" for "
            "minutes");
    REFUSE("5m", AF_DIM_TIME, "\"m\" is ambiguous: write \"min\" for minutes");
    REFUSE("5 M", AF_DIM_TIME, "write \"min\" for minutes");
    MESSAGE("90", AF_DIM_TIME,
            "expected a time such as \"90 d\", got \"90\"; add a unit, e.g. \"90 d\"");
    REFUSE("0", AF_DIM_TIME, "add a unit");
    REFUSE("5 hours", AF_DIM_TIME, "write \"5 h\"");
    REFUSE("5 sec", AF_DIM_TIME, "write \"5 s\"");
    REFUSE("5 days", AF_DIM_TIME, "write \"5 d\"");
    REFUSE("5 minutes", AF_DIM_TIME, "write \"5 min\"");
    REFUSE("5 msec", AF_DIM_TIME, "write \"5 ms\"");
    REFUSE("5 years", AF_DIM_TIME, "write \"5 y\"");
    REFUSE("5 Min", AF_DIM_TIME, "did you mean \"min\"?");
    REFUSE("5 S", AF_DIM_TIME, "did you mean \"s\"?");
    REFUSE("5 NS", AF_DIM_TIME, "did you mean \"ns\"?");
    REFUSE("5 GB", AF_DIM_TIME, "5 GB is a size, not a time");
    REFUSE("5 fortnights", AF_DIM_TIME,
           "unknown unit \"fortnights\"; use ns, us, ms, s, min, h, d or y");
    REFUSE("5 s s", AF_DIM_TIME, "unknown unit \"s s\"");
}

static void test_size_accepts(void)
{
    ACCEPT_EXACT("1 B", AF_DIM_SIZE, 1.0);
    ACCEPT_EXACT("2 kB", AF_DIM_SIZE, 2e3);
    ACCEPT_EXACT("2 MB", AF_DIM_SIZE, 2e6);
    ACCEPT_EXACT("2 GB", AF_DIM_SIZE, 2e9);
    ACCEPT_EXACT("61.44 TB", AF_DIM_SIZE, 61.44e12);
    ACCEPT_EXACT("2 PB", AF_DIM_SIZE, 2e15);
    ACCEPT_EXACT("1 KiB", AF_DIM_SIZE, 1024.0);
    ACCEPT_EXACT("4MiB", AF_DIM_SIZE, 4.0 * 1048576.0);
    ACCEPT_EXACT("1 GiB", AF_DIM_SIZE, 1073741824.0);
    ACCEPT_EXACT("1 TiB", AF_DIM_SIZE, 1099511627776.0);
    ACCEPT_EXACT("1 PiB", AF_DIM_SIZE, 1125899906842624.0);
    ACCEPT_EXACT("0.5 KiB", AF_DIM_SIZE, 512.0);
}

static void test_size_refuses(void)
{
    MESSAGE(
        "1 KB", AF_DIM_SIZE,
        "expected a size such as \"61.44 TB\", got \"1 KB\"; write kB (1000 B) or KiB (1024 B)");
    REFUSE("8 Gb", AF_DIM_SIZE, "\"Gb\" counts bits; a size is in bytes: did you mean \"GB\"?");
    REFUSE("8 b", AF_DIM_SIZE, "did you mean \"B\"?");
    REFUSE("25 GB/s", AF_DIM_SIZE,
           "25 GB/s is a bandwidth; a size takes no time unit, e.g. \"25 GB\"");
    REFUSE("1 kib", AF_DIM_SIZE, "did you mean \"KiB\"?");
    REFUSE("1 MIB", AF_DIM_SIZE, "did you mean \"MiB\"?");
    REFUSE("5 gb", AF_DIM_SIZE, "did you mean \"GB\"?");
    REFUSE("1 Gbyte", AF_DIM_SIZE, "write \"1 GB\"");
    REFUSE("1 bytes", AF_DIM_SIZE, "write \"1 B\"");
    REFUSE("1 EB", AF_DIM_SIZE, "unknown unit \"EB\"; use B, kB, MB, GB, TB, PB or KiB");
    REFUSE("1 GBB", AF_DIM_SIZE, "did you mean \"GB\"?");
    REFUSE("100", AF_DIM_SIZE, "add a unit, e.g. \"61.44 TB\"");
}

static void test_bandwidth_accepts(void)
{
    ACCEPT_EXACT("400 Gb/s", AF_DIM_BANDWIDTH, 50e9);
    ACCEPT_EXACT("8 b/s", AF_DIM_BANDWIDTH, 1.0);
    ACCEPT_EXACT("8 kb/s", AF_DIM_BANDWIDTH, 1e3);
    ACCEPT_EXACT("8 Mb/s", AF_DIM_BANDWIDTH, 1e6);
    ACCEPT_EXACT("8 Tb/s", AF_DIM_BANDWIDTH, 1e12);
    ACCEPT_EXACT("8 Pb/s", AF_DIM_BANDWIDTH, 1e15);
    ACCEPT_EXACT("25 GB/s", AF_DIM_BANDWIDTH, 25e9);
    ACCEPT_EXACT("3 B/s", AF_DIM_BANDWIDTH, 3.0);
    ACCEPT_EXACT("3 kB/s", AF_DIM_BANDWIDTH, 3e3);
    ACCEPT_EXACT("3 MB/s", AF_DIM_BANDWIDTH, 3e6);
    ACCEPT_EXACT("3 TB/s", AF_DIM_BANDWIDTH, 3e12);
    ACCEPT_EXACT("3 PB/s", AF_DIM_BANDWIDTH, 3e15);
    ACCEPT_EXACT("1 KiB/s", AF_DIM_BANDWIDTH, 1024.0);
    ACCEPT_EXACT("1 MiB/s", AF_DIM_BANDWIDTH, 1048576.0);
    ACCEPT_EXACT("1 GiB/s", AF_DIM_BANDWIDTH, 1073741824.0);
    ACCEPT_EXACT("1 TiB/s", AF_DIM_BANDWIDTH, 1099511627776.0);
    ACCEPT_EXACT("1 PiB/s", AF_DIM_BANDWIDTH, 1125899906842624.0);
    ACCEPT_EXACT("36 TB/h", AF_DIM_BANDWIDTH, 1e10);
    ACCEPT_EXACT("6 GB/min", AF_DIM_BANDWIDTH, 1e8);
    ACCEPT_EXACT("1 MB/ms", AF_DIM_BANDWIDTH, 1e9);
    ACCEPT_EXACT("864 GB/d", AF_DIM_BANDWIDTH, 1e7);
    ACCEPT_EXACT("25 GB / s", AF_DIM_BANDWIDTH, 25e9);
}

static void test_bandwidth_refuses(void)
{
    MESSAGE("25 GB", AF_DIM_BANDWIDTH,
            "expected a bandwidth such as \"25 GB/s\", got \"25 GB\"; 25 GB is a size; a bandwidth "
            "needs a time, e.g. \"25 GB/s\"");
    MESSAGE("fast", AF_DIM_BANDWIDTH, "expected a bandwidth such as \"25 GB/s\", got \"fast\"");
    MESSAGE("400 gb/s", AF_DIM_BANDWIDTH,
            "expected a bandwidth such as \"25 GB/s\", got \"400 gb/s\"; did you mean \"Gb/s\" or "
            "\"GB/s\"?");
    REFUSE("25 Gb", AF_DIM_BANDWIDTH, "a bandwidth needs a time, e.g. \"25 Gb/s\"");
    REFUSE("400 Gbps", AF_DIM_BANDWIDTH, "write \"400 Gb/s\"");
    REFUSE("400 GBps", AF_DIM_BANDWIDTH, "write \"400 GB/s\"");
    REFUSE("400 bps", AF_DIM_BANDWIDTH, "write \"400 b/s\"");
    REFUSE("25 Gbit/s", AF_DIM_BANDWIDTH, "write \"25 Gb/s\"");
    REFUSE("25 GB/sec", AF_DIM_BANDWIDTH, "write \"25 GB/s\"");
    REFUSE("25 KB/s", AF_DIM_BANDWIDTH, "write kB/s (1000 B/s) or KiB/s (1024 B/s)");
    REFUSE("25 GB/m", AF_DIM_BANDWIDTH, "\"m\" is ambiguous: write \"min\" for minutes");
    REFUSE("25 G/s", AF_DIM_BANDWIDTH, "25 G/s is a rate, not a bandwidth");
    REFUSE("25 Gib/s", AF_DIM_BANDWIDTH, "did you mean \"GiB/s\"?");
    REFUSE("25", AF_DIM_BANDWIDTH, "add a unit, e.g. \"25 GB/s\"");
    REFUSE("GB/s", AF_DIM_BANDWIDTH, "add a number, e.g. \"25 GB/s\"");
    REFUSE("25 GB/s/s", AF_DIM_BANDWIDTH, "got \"25 GB/s/s\"");
    REFUSE("25 furlongs/fortnight", AF_DIM_BANDWIDTH,
           "unknown unit \"furlongs/fortnight\"; use a size over a time");
}

static void test_rate(void)
{
    ACCEPT_EXACT("10000/s", AF_DIM_RATE, 1e4);
    ACCEPT_EXACT("2 M/s", AF_DIM_RATE, 2e6);
    ACCEPT_EXACT("5k/s", AF_DIM_RATE, 5e3);
    ACCEPT_EXACT("5 k/s", AF_DIM_RATE, 5e3);
    ACCEPT_EXACT("1 G/s", AF_DIM_RATE, 1e9);
    ACCEPT_EXACT("1 T/s", AF_DIM_RATE, 1e12);
    ACCEPT_EXACT("1 P/s", AF_DIM_RATE, 1e15);
    ACCEPT_EXACT("3/min", AF_DIM_RATE, 0.05);
    ACCEPT("100/h", AF_DIM_RATE, 100.0 / 3600.0);
    ACCEPT("2/d", AF_DIM_RATE, 2.0 / 86400.0);
    ACCEPT_EXACT("5/ms", AF_DIM_RATE, 5000.0);
    ACCEPT_EXACT("1 M IOPS", AF_DIM_RATE, 1e6);
    ACCEPT_EXACT("1M IOPS", AF_DIM_RATE, 1e6);
    ACCEPT_EXACT("1 MIOPS", AF_DIM_RATE, 1e6);
    ACCEPT_EXACT("500 kIOPS", AF_DIM_RATE, 5e5);
    ACCEPT_EXACT("500 k IOPS", AF_DIM_RATE, 5e5);
    ACCEPT_EXACT("2 G IOPS", AF_DIM_RATE, 2e9);
    ACCEPT_EXACT("100 IOPS", AF_DIM_RATE, 100.0);
    REFUSE("5k", AF_DIM_RATE, "5k is a whole number; a rate needs a time, e.g. \"5 k/s\"");
    REFUSE("10000", AF_DIM_RATE, "add a unit, e.g. \"10000/s\"");
    REFUSE("3/m", AF_DIM_RATE, "\"m\" is ambiguous");
    REFUSE("100 ops/s", AF_DIM_RATE, "write \"100/s\"");
    REFUSE("5 K/s", AF_DIM_RATE, "did you mean \"k/s\"?");
    REFUSE("5 iops", AF_DIM_RATE, "did you mean \"IOPS\"?");
    REFUSE("2 M/S", AF_DIM_RATE, "did you mean \"M/s\"?");
    REFUSE("5 GB", AF_DIM_RATE, "5 GB is a size, not a rate");
}

static void test_power(void)
{
    ACCEPT_EXACT("700 W", AF_DIM_POWER, 700.0);
    ACCEPT_EXACT("5 kW", AF_DIM_POWER, 5e3);
    ACCEPT_EXACT("1.5 MW", AF_DIM_POWER, 1.5e6);
    ACCEPT_EXACT("2 GW", AF_DIM_POWER, 2e9);
    REFUSE("5 kWh", AF_DIM_POWER, "5 kWh is an energy; a power takes no time unit, e.g. \"5 kW\"");
    REFUSE("5 KW", AF_DIM_POWER, "did you mean \"kW\"?");
    REFUSE("5 w", AF_DIM_POWER, "did you mean \"W\"?");
    REFUSE("700", AF_DIM_POWER, "add a unit, e.g. \"700 W\"");
    REFUSE("5 J", AF_DIM_POWER, "5 J is an energy, not a power");
}

static void test_energy(void)
{
    ACCEPT_EXACT("5 J", AF_DIM_ENERGY, 5.0);
    ACCEPT_EXACT("5 kJ", AF_DIM_ENERGY, 5e3);
    ACCEPT_EXACT("5 MJ", AF_DIM_ENERGY, 5e6);
    ACCEPT_EXACT("5 GJ", AF_DIM_ENERGY, 5e9);
    ACCEPT_EXACT("5 TJ", AF_DIM_ENERGY, 5e12);
    ACCEPT_EXACT("5 Wh", AF_DIM_ENERGY, 18000.0);
    ACCEPT_EXACT("5 kWh", AF_DIM_ENERGY, 18e6);
    ACCEPT_EXACT("1.5 MWh", AF_DIM_ENERGY, 5.4e9);
    ACCEPT_EXACT("1 GWh", AF_DIM_ENERGY, 3.6e12);
    ACCEPT_EXACT("1 TWh", AF_DIM_ENERGY, 3.6e15);
    REFUSE("5 kW", AF_DIM_ENERGY, "5 kW is a power; an energy needs a time, e.g. \"5 kWh\"");
    REFUSE("5 kwh", AF_DIM_ENERGY, "did you mean \"kWh\"?");
    REFUSE("5 KWh", AF_DIM_ENERGY, "did you mean \"kWh\"?");
    REFUSE("5", AF_DIM_ENERGY, "add a unit, e.g. \"1.5 MWh\"");
}

static void test_flops(void)
{
    static const char *const prefix[] = {"", "k", "M", "G", "T", "P", "E"};
    for (int i = 0; i < 7; i++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "2 %sFLOP/s", prefix[i]);
        snprintf(b, sizeof b, "2 %sFLOPS", prefix[i]);
        ACCEPT_EXACT(a, AF_DIM_FLOPS, 2 * pow(10, 3 * i));
        ACCEPT_EXACT(b, AF_DIM_FLOPS, 2 * pow(10, 3 * i));
    }
    ACCEPT_EXACT("989 TFLOP/s", AF_DIM_FLOPS, 989e12);
    ACCEPT_EXACT("989 TFLOPS", AF_DIM_FLOPS, 989e12);
    ACCEPT_EXACT("989.4e12 FLOP/s", AF_DIM_FLOPS, 989.4e12);
    REFUSE("989 TFLOP", AF_DIM_FLOPS,
           "989 TFLOP is a number of operations; a FLOP rate needs a time, e.g. \"989 TFLOP/s\"");
    REFUSE("989 tflops", AF_DIM_FLOPS, "did you mean \"TFLOPS\"?");
    REFUSE("989 TFlop/s", AF_DIM_FLOPS, "did you mean \"TFLOP/s\"?");
    REFUSE("989 T", AF_DIM_FLOPS, "989 T is a whole number, not a FLOP rate");
    REFUSE("989", AF_DIM_FLOPS, "add a unit, e.g. \"989 TFLOP/s\"");
}

static void test_money(void)
{
    ACCEPT_EXACT("250000 USD", AF_DIM_MONEY, 250000.0);
    ACCEPT_EXACT("1.2 M USD", AF_DIM_MONEY, 1.2e6);
    ACCEPT_EXACT("1.2M USD", AF_DIM_MONEY, 1.2e6);
    ACCEPT_EXACT("1.2 M  USD", AF_DIM_MONEY, 1.2e6);
    ACCEPT_EXACT("250 k USD", AF_DIM_MONEY, 250000.0);
    ACCEPT_EXACT("1.5 B USD", AF_DIM_MONEY, 1.5e9);
    ACCEPT_EXACT("0.12 USD", AF_DIM_MONEY, 0.12);
    ACCEPT_EXACT("-3 USD", AF_DIM_MONEY, -3.0);
    REFUSE("250 kUSD", AF_DIM_MONEY, "write \"250 k USD\"");
    REFUSE("1 MUSD", AF_DIM_MONEY, "write \"1 M USD\"");
    MESSAGE("$1200", AF_DIM_MONEY,
            "expected an amount of money such as \"1.2 M USD\", got \"$1200\"; write amounts in "
            "USD, e.g. \"1200 USD\"");
    REFUSE("$", AF_DIM_MONEY, "write amounts in USD, e.g. \"1.2 M USD\"");
    REFUSE("12 usd", AF_DIM_MONEY, "did you mean \"USD\"?");
    REFUSE("12 EUR", AF_DIM_MONEY, "unknown unit \"EUR\"; use USD, k USD, M USD or B USD");
    REFUSE("12 USD/h", AF_DIM_MONEY,
           "12 USD/h is an hourly price; an amount of money takes no time unit, e.g. \"12 USD\"");
    REFUSE("12", AF_DIM_MONEY, "add a unit, e.g. \"1.2 M USD\"");
    REFUSE("USD 12", AF_DIM_MONEY, "got \"USD 12\"");
    REFUSE("1.2 G USD", AF_DIM_MONEY, "got \"1.2 G USD\"");
}

static void test_energy_price(void)
{
    ACCEPT("0.12 USD/kWh", AF_DIM_ENERGY_PRICE, 0.12 / 3.6e6);
    ACCEPT("50 USD/MWh", AF_DIM_ENERGY_PRICE, 50 / 3.6e9);
    ACCEPT("1 USD/Wh", AF_DIM_ENERGY_PRICE, 1 / 3600.0);
    ACCEPT("1 USD/GWh", AF_DIM_ENERGY_PRICE, 1 / 3.6e12);
    ACCEPT_EXACT("2 USD/J", AF_DIM_ENERGY_PRICE, 2.0);
    ACCEPT_EXACT("2 USD/kJ", AF_DIM_ENERGY_PRICE, 2e-3);
    ACCEPT_EXACT("2 USD/MJ", AF_DIM_ENERGY_PRICE, 2e-6);
    REFUSE("0.12 USD", AF_DIM_ENERGY_PRICE,
           "0.12 USD is an amount of money; an energy price needs an energy, e.g. \"0.12 "
           "USD/kWh\"");
    REFUSE("0.12 USD/h", AF_DIM_ENERGY_PRICE, "0.12 USD/h is an hourly price, not an energy price");
    REFUSE("$0.12/kWh", AF_DIM_ENERGY_PRICE, "write amounts in USD, e.g. \"0.12 USD/kWh\"");
    REFUSE("0.12 usd/kwh", AF_DIM_ENERGY_PRICE, "did you mean \"USD/kWh\"?");
    REFUSE("0.12", AF_DIM_ENERGY_PRICE, "add a unit, e.g. \"0.12 USD/kWh\"");
}

static void test_hourly_price(void)
{
    ACCEPT("12.5 USD/h", AF_DIM_HOURLY_PRICE, 12.5 / 3600);
    ACCEPT("3 k USD/d", AF_DIM_HOURLY_PRICE, 3000.0 / 86400);
    ACCEPT("1.2 M USD/y", AF_DIM_HOURLY_PRICE, 1.2e6 / 31536000.0);
    ACCEPT("6 USD/min", AF_DIM_HOURLY_PRICE, 0.1);
    ACCEPT_EXACT("0.5 USD/s", AF_DIM_HOURLY_PRICE, 0.5);
    REFUSE("12.5 USD", AF_DIM_HOURLY_PRICE,
           "12.5 USD is an amount of money; an hourly price needs a time, e.g. \"12.5 USD/h\"");
    REFUSE("12.5 USD/hr", AF_DIM_HOURLY_PRICE, "write \"12.5 USD/h\"");
    REFUSE("12.5 USD/m", AF_DIM_HOURLY_PRICE, "\"m\" is ambiguous");
    REFUSE("1 kUSD/h", AF_DIM_HOURLY_PRICE, "write \"1 k USD/h\"");
    REFUSE("$12/h", AF_DIM_HOURLY_PRICE, "write amounts in USD, e.g. \"12 USD/h\"");
    REFUSE("12.5", AF_DIM_HOURLY_PRICE, "add a unit, e.g. \"12.5 USD/h\"");
}

static void test_carbon(void)
{
    ACCEPT_EXACT("318 kg", AF_DIM_CARBON, 318.0);
    ACCEPT_EXACT("318 kg CO2e", AF_DIM_CARBON, 318.0);
    ACCEPT_EXACT("318kg CO2e", AF_DIM_CARBON, 318.0);
    ACCEPT_EXACT("318 kg  CO2e", AF_DIM_CARBON, 318.0);
    ACCEPT_EXACT("500 g", AF_DIM_CARBON, 0.5);
    ACCEPT_EXACT("500 g CO2e", AF_DIM_CARBON, 0.5);
    ACCEPT_EXACT("1.2 t", AF_DIM_CARBON, 1200.0);
    ACCEPT_EXACT("1.2 t CO2e", AF_DIM_CARBON, 1200.0);
    ACCEPT_EXACT("3 kt", AF_DIM_CARBON, 3e6);
    ACCEPT_EXACT("3 kt CO2e", AF_DIM_CARBON, 3e6);
    ACCEPT_EXACT("2.5 Mt", AF_DIM_CARBON, 2.5e9);
    ACCEPT_EXACT("2.5 Mt CO2e", AF_DIM_CARBON, 2.5e9);
    ACCEPT_EXACT("12 g CO2e", AF_DIM_CARBON, 0.012);
    ACCEPT_EXACT("-4 kg", AF_DIM_CARBON, -4.0);
    MESSAGE("1.2 kWh", AF_DIM_CARBON,
            "expected a mass of carbon such as \"318 kg CO2e\", got \"1.2 kWh\"; 1.2 kWh is an "
            "energy, not a mass of carbon");
    REFUSE("318 kg/kWh", AF_DIM_CARBON,
           "318 kg/kWh is a carbon intensity; a mass of carbon takes no energy unit, e.g. "
           "\"318 kg\"");
    REFUSE("318 kg CO2e/MWh", AF_DIM_CARBON,
           "a mass of carbon takes no energy unit, e.g. \"318 kg CO2e\"");
    REFUSE("318", AF_DIM_CARBON, "add a unit, e.g. \"318 kg CO2e\"");
    REFUSE("318 KG", AF_DIM_CARBON, "did you mean \"kg\"?");
    REFUSE("1.2 T", AF_DIM_CARBON, "did you mean \"t\"?"); /* not "a whole number" */
    REFUSE("1.2 MT", AF_DIM_CARBON, "did you mean \"Mt\"?");
    REFUSE("318 kgCO2e", AF_DIM_CARBON, "did you mean \"kg CO2e\"?");
    REFUSE("318 kg CO2", AF_DIM_CARBON, "did you mean \"kg CO2e\"?");
    REFUSE("318 kg co2e", AF_DIM_CARBON, "did you mean \"kg CO2e\"?");
    REFUSE("318 CO2e", AF_DIM_CARBON, "got \"318 CO2e\"");
    REFUSE("318 lb", AF_DIM_CARBON,
           "unknown unit \"lb\"; use g, kg, t, kt or Mt, optionally followed by CO2e");
    REFUSE("318 kg CO2e CO2e", AF_DIM_CARBON, "got \"318 kg CO2e CO2e\"");
    REFUSE("5 t", AF_DIM_COUNT, "did you mean \"T\"?");
    REFUSE("5 kg", AF_DIM_SIZE, "5 kg is a mass of carbon, not a size");
}

static void test_carbon_intensity(void)
{
    ACCEPT("0.367 kg/kWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("367 g/kWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("0.367 kg CO2e/kWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("367 g CO2e/kWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("367 kg/MWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("367 kg CO2e/MWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("0.367 t/MWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("367 t CO2e/GWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("0.367 kg CO2e / kWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("0.367kg/kWh", AF_DIM_CARBON_INTENSITY, 0.367 / 3.6e6);
    ACCEPT("1 g/Wh", AF_DIM_CARBON_INTENSITY, 1e-3 / 3600);
    ACCEPT_EXACT("2 kg/J", AF_DIM_CARBON_INTENSITY, 2.0);
    ACCEPT_EXACT("2 kg/MJ", AF_DIM_CARBON_INTENSITY, 2e-6);
    ACCEPT_EXACT("2 g/kJ", AF_DIM_CARBON_INTENSITY, 2e-6);
    MESSAGE("0.367 kg", AF_DIM_CARBON_INTENSITY,
            "expected a carbon intensity such as \"0.37 kg CO2e/kWh\", got \"0.367 kg\"; 0.367 kg "
            "is a mass of carbon; a carbon intensity needs an energy, e.g. \"0.367 kg/kWh\"");
    REFUSE("367 g CO2e", AF_DIM_CARBON_INTENSITY,
           "367 g CO2e is a mass of carbon; a carbon intensity needs an energy, e.g. "
           "\"367 g CO2e/kWh\"");
    REFUSE("0.367 Mt", AF_DIM_CARBON_INTENSITY,
           "0.367 Mt is a mass of carbon, not a carbon intensity");
    REFUSE("0.367 kWh", AF_DIM_CARBON_INTENSITY, "0.367 kWh is an energy, not a carbon intensity");
    REFUSE("0.12 USD/kWh", AF_DIM_CARBON_INTENSITY,
           "0.12 USD/kWh is an energy price, not a carbon intensity");
    REFUSE("0.367 kg/kwh", AF_DIM_CARBON_INTENSITY, "did you mean \"kg/kWh\"?");
    REFUSE("0.367 kg CO2/kWh", AF_DIM_CARBON_INTENSITY, "did you mean \"kg CO2e/kWh\"?");
    REFUSE("0.367 kgCO2e/kWh", AF_DIM_CARBON_INTENSITY, "did you mean \"kg CO2e/kWh\"?");
    REFUSE("0.367 lb/kWh", AF_DIM_CARBON_INTENSITY, "got \"0.367 lb/kWh\"");
    REFUSE("0.367", AF_DIM_CARBON_INTENSITY, "add a unit, e.g. \"0.37 kg CO2e/kWh\"");
    REFUSE("0.367 kg/kWh", AF_DIM_CARBON, "0.367 kg/kWh is a carbon intensity");
    REFUSE("0.367 kg/kWh", AF_DIM_ENERGY_PRICE,
           "0.367 kg/kWh is a carbon intensity, not an energy price");
}

static void test_ratio(void)
{
    ACCEPT_EXACT("0.9", AF_DIM_RATIO, 0.9);
    ACCEPT_EXACT("90%", AF_DIM_RATIO, 0.9);
    ACCEPT_EXACT("90 %", AF_DIM_RATIO, 0.9);
    ACCEPT_EXACT("150%", AF_DIM_RATIO, 1.5);
    ACCEPT_EXACT("-10%", AF_DIM_RATIO, -0.1);
    ACCEPT_EXACT("0.1%", AF_DIM_RATIO, 0.001);
    REFUSE("90 percent", AF_DIM_RATIO, "write \"90%\"");
    REFUSE("5 GB", AF_DIM_RATIO, "5 GB is a size, not a ratio");
    REFUSE("90 %%", AF_DIM_RATIO, "unknown unit \"%%\"; use \"%\" or no unit");
}

static void test_count(void)
{
    ACCEPT_EXACT("128", AF_DIM_COUNT, 128.0);
    ACCEPT_EXACT("70e9", AF_DIM_COUNT, 70e9);
    ACCEPT_EXACT("4Mi", AF_DIM_COUNT, 4.0 * 1048576);
    ACCEPT_EXACT("4 Mi", AF_DIM_COUNT, 4.0 * 1048576);
    ACCEPT_EXACT("2k", AF_DIM_COUNT, 2000.0);
    ACCEPT_EXACT("1.5M", AF_DIM_COUNT, 1.5e6);
    ACCEPT_EXACT("3G", AF_DIM_COUNT, 3e9);
    ACCEPT_EXACT("3T", AF_DIM_COUNT, 3e12);
    ACCEPT_EXACT("3P", AF_DIM_COUNT, 3e15);
    ACCEPT_EXACT("1.5Ki", AF_DIM_COUNT, 1536.0);
    ACCEPT_EXACT("1Gi", AF_DIM_COUNT, 1073741824.0);
    ACCEPT_EXACT("1Ti", AF_DIM_COUNT, 1099511627776.0);
    ACCEPT_EXACT("1Pi", AF_DIM_COUNT, 1125899906842624.0);
    ACCEPT_EXACT("1e-3k", AF_DIM_COUNT, 1.0);
    ACCEPT_EXACT("0", AF_DIM_COUNT, 0.0);
    ACCEPT_EXACT("9007199254740992", AF_DIM_COUNT, 9007199254740992.0); /* 2^53 */
    double z = parse("-0", AF_DIM_COUNT);
    CU_ASSERT(z == 0 && !signbit(z));
    MESSAGE("1.5", AF_DIM_COUNT, "expected a whole number such as \"128\", got \"1.5\"");
    ACCEPT_EXACT("0.5Ki", AF_DIM_COUNT, 512.0);
    REFUSE("0.3Ki", AF_DIM_COUNT, "expected a whole number");
    REFUSE("1e-1", AF_DIM_COUNT, "expected a whole number");
    REFUSE("-3", AF_DIM_COUNT, "a count cannot be negative");
    REFUSE("1e16", AF_DIM_COUNT, "the largest count is 2^53");
    REFUSE("1e300", AF_DIM_COUNT, "the largest count is 2^53");
    REFUSE("2K", AF_DIM_COUNT, "write k (1000) or Ki (1024)");
    REFUSE("4 MiB", AF_DIM_COUNT, "4 MiB is a size, not a whole number");
    REFUSE("5 k/s", AF_DIM_COUNT,
           "5 k/s is a rate; a whole number takes no time unit, e.g. \"5 k\"");
    REFUSE("5 x", AF_DIM_COUNT, "unknown unit \"x\"; use k, M, G, T, P");
}

static void test_number(void)
{
    ACCEPT_EXACT("0.4", AF_DIM_NUMBER, 0.4);
    ACCEPT_EXACT("70e9", AF_DIM_NUMBER, 70e9);
    ACCEPT_EXACT("70E9", AF_DIM_NUMBER, 70e9);
    ACCEPT_EXACT("-3", AF_DIM_NUMBER, -3.0);
    ACCEPT_EXACT("+5", AF_DIM_NUMBER, 5.0);
    ACCEPT_EXACT(".5", AF_DIM_NUMBER, 0.5);
    ACCEPT_EXACT("5.", AF_DIM_NUMBER, 5.0);
    ACCEPT_EXACT("1e+3", AF_DIM_NUMBER, 1000.0);
    ACCEPT_EXACT("2.5e-3", AF_DIM_NUMBER, 0.0025);
    ACCEPT_EXACT("1.7976931348623157e308", AF_DIM_NUMBER, DBL_MAX);
    ACCEPT_EXACT("2.2250738585072014e-308", AF_DIM_NUMBER, DBL_MIN);
    double z = parse("-0", AF_DIM_NUMBER);
    CU_ASSERT(z == 0 && !signbit(z));
    REFUSE("5 GB", AF_DIM_NUMBER, "5 GB is a size, not a number");
    REFUSE("5 x", AF_DIM_NUMBER, "unknown unit \"x\"; a number takes no unit");
    REFUSE("5k", AF_DIM_NUMBER, "5k is a whole number, not a number");
    REFUSE("90%", AF_DIM_NUMBER, "90% is a ratio, not a number");
}

static void test_whitespace(void)
{
    ACCEPT_EXACT("  25 GB/s  ", AF_DIM_BANDWIDTH, 25e9);
    ACCEPT_EXACT("\t25GB/s\n", AF_DIM_BANDWIDTH, 25e9);
    ACCEPT_EXACT("25\t \tGB/s", AF_DIM_BANDWIDTH, 25e9);
    ACCEPT_EXACT("\r\n\v\f90 d\r\n", AF_DIM_TIME, 7776000.0);
    ACCEPT_EXACT("1 M \t IOPS", AF_DIM_RATE, 1e6);
    MESSAGE("   ", AF_DIM_SIZE, "expected a size such as \"61.44 TB\", got \"\"");
    MESSAGE("", AF_DIM_SIZE, "expected a size such as \"61.44 TB\", got \"\"");
    MESSAGE("", AF_DIM_NUMBER, "expected a number such as \"0.4\", got \"\"");
    REFUSE("  25 GB  ", AF_DIM_BANDWIDTH, "got \"25 GB\";");
    REFUSE("- 5", AF_DIM_NUMBER, "got \"- 5\"");
}

static void test_malformed_numbers(void)
{
    MESSAGE(".", AF_DIM_NUMBER, "expected a number such as \"0.4\", got \".\"");
    REFUSE("-", AF_DIM_NUMBER, "got \"-\"");
    REFUSE("+", AF_DIM_NUMBER, "got \"+\"");
    REFUSE("--5", AF_DIM_NUMBER, "got \"--5\"");
    REFUSE("e5", AF_DIM_NUMBER, "got \"e5\"");
    REFUSE("1e", AF_DIM_NUMBER, "an exponent needs digits, e.g. \"1e9\"");
    REFUSE("1e+", AF_DIM_NUMBER, "an exponent needs digits");
    REFUSE("1e-", AF_DIM_COUNT, "an exponent needs digits");
    REFUSE("1e5e5", AF_DIM_NUMBER, "unknown unit \"e5\"");
    REFUSE("0x10", AF_DIM_NUMBER, "hexadecimal numbers are not accepted");
    REFUSE("0X1F", AF_DIM_COUNT, "hexadecimal numbers are not accepted");
    REFUSE("1,5", AF_DIM_NUMBER, "use \".\" for decimals and no thousands separators");
    REFUSE("1,000 GB", AF_DIM_SIZE, "no thousands separators");
    REFUSE("1 000", AF_DIM_COUNT, "write the number without spaces");
    REFUSE("1..2", AF_DIM_NUMBER, "a number has at most one decimal point");
    REFUSE("1.2.3 GB", AF_DIM_SIZE, "a number has at most one decimal point");
    REFUSE("five", AF_DIM_COUNT, "got \"five\"");
    REFUSE("1/2", AF_DIM_RATIO, "write fractions as decimals, e.g. \"0.5\"");
    REFUSE("3/4 h", AF_DIM_TIME, "write fractions as decimals");
}

static void test_nan_inf(void)
{
    static const char *const bad[] = {
        "nan",  "NaN", "NAN",      "-nan",      "+nan",     "nan(123)", "inf",   "-inf",
        "+Inf", "INF", "infinity", "-Infinity", "INFINITY", "nan GB/s", "inf s", "Inf%"};
    for (int d = 0; d < AF_DIM__COUNT; d++)
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            REFUSE(bad[i], (af_dim)d, "NaN and infinity are not accepted");
    REFUSE("5 nan", AF_DIM_NUMBER, "unknown unit \"nan\"");
}

static void test_range(void)
{
    MESSAGE("1e999", AF_DIM_NUMBER,
            "expected a number such as \"0.4\", got \"1e999\"; the number is out of range");
    REFUSE("-1e999", AF_DIM_NUMBER, "out of range");
    REFUSE("1e309", AF_DIM_NUMBER, "out of range");
    REFUSE("1.8e308", AF_DIM_NUMBER, "out of range");
    REFUSE("1e308 PB", AF_DIM_SIZE, "out of range");  /* overflow from the prefix */
    REFUSE("1e305 PiB", AF_DIM_SIZE, "out of range"); /* overflow from the multiplier */
    REFUSE("1e300 EFLOP/s", AF_DIM_FLOPS, "out of range");
    REFUSE("1e-400", AF_DIM_NUMBER, "out of range");  /* underflow to zero */
    REFUSE("1e-320 s", AF_DIM_TIME, "out of range");  /* subnormal */
    REFUSE("1e-300 ns", AF_DIM_TIME, "out of range"); /* underflow from the prefix */
    REFUSE("1e99999999999999999999999999", AF_DIM_NUMBER, "out of range");
    REFUSE("1e-99999999999999999999999999", AF_DIM_NUMBER, "out of range");
    ACCEPT_EXACT("0e99999999999999999999999999", AF_DIM_NUMBER, 0.0);
    ACCEPT_EXACT("0.000e-5 s", AF_DIM_TIME, 0.0);
    ACCEPT_EXACT("1e300 ns", AF_DIM_TIME, 1e291);
}

static void test_long_inputs(void)
{
    enum { N = 1000000 };
    char err[256];
    double v = SENTINEL;

    /* A million digits: too big for a double. */
    char *s = repeat('1', N, " GB");
    REFUSE(s, AF_DIM_SIZE, "out of range");
    free(s);

    /* A million-digit number whose exponent brings it back into range: 0.00...01e1000003 with
     * N - 2 zeros after the point is 10^-(N-1) * 10^(N+3). */
    s = repeat('0', N, "1e1000003");
    s[0] = '0';
    s[1] = '.';
    ACCEPT(s, AF_DIM_NUMBER, 1e4);
    free(s);

    /* Many significant digits round correctly: 1111...1e-799 (800 ones) ~ 1.111... */
    s = repeat('1', 800, "e-799");
    ACCEPT(s, AF_DIM_NUMBER, 10.0 / 9.0);
    free(s);

    /* Leading zeros do not count as digits. */
    s = repeat('0', N, "25 GB/s");
    ACCEPT_EXACT(s, AF_DIM_BANDWIDTH, 25e9);
    free(s);

    /* Surrounding whitespace of a million characters. */
    s = repeat(' ', N, "5 s");
    char *t = malloc(2 * N + 8);
    memcpy(t, s, N + 3);
    memset(t + N + 3, '\t', N);
    t[2 * N + 3] = '\0';
    ACCEPT_EXACT(t, AF_DIM_TIME, 5.0);
    free(t);
    free(s);

    /* A million bytes of junk: refused, and the message stays short and cut with "...". */
    s = repeat('x', N, "");
    CU_ASSERT(af_units_parse(s, AF_DIM_SIZE, &v, err, sizeof err) == -1);
    CU_ASSERT(strlen(err) < 200);
    CU_ASSERT(strstr(err, "xxx...\"") != NULL);
    CU_ASSERT(v == SENTINEL);
    free(s);

    /* A number followed by a million-character unit. */
    s = repeat('B', N, "");
    s[0] = '5';
    CU_ASSERT(af_units_parse(s, AF_DIM_SIZE, &v, err, sizeof err) == -1);
    CU_ASSERT(strncmp(err, "expected a size such as \"61.44 TB\", got \"5BBB", 45) == 0);
    CU_ASSERT(strlen(err) < 200);
    free(s);

    /* A million-digit number and a bad unit: the hint does not repeat the number. */
    s = repeat('7', N, " GB");
    s[N - 1] = 'x';
    CU_ASSERT(af_units_parse(s, AF_DIM_BANDWIDTH, &v, err, sizeof err) == -1);
    CU_ASSERT(strlen(err) < 250);
    free(s);
}

static void test_message_buffer(void)
{
    double v = SENTINEL;
    char err[16];
    memset(err, 'Z', sizeof err);
    CU_ASSERT(af_units_parse("25 GB", AF_DIM_BANDWIDTH, &v, err, sizeof err) == -1);
    CU_ASSERT(strcmp(err, "expected a band") == 0); /* cut, NUL-terminated */
    char one[1] = {'Z'};
    CU_ASSERT(af_units_parse("25 GB", AF_DIM_BANDWIDTH, &v, one, 1) == -1);
    CU_ASSERT(one[0] == '\0');
    CU_ASSERT(af_units_parse("25 GB", AF_DIM_BANDWIDTH, &v, NULL, 0) == -1);
    CU_ASSERT(af_units_parse("25 GB/s", AF_DIM_BANDWIDTH, NULL, NULL, 0) == 0);
    CU_ASSERT(af_units_parse("25 GB/s", AF_DIM_BANDWIDTH, &v, NULL, 0) == 0);
    CU_ASSERT(v == 25e9);
    v = SENTINEL;
    CU_ASSERT(af_units_parse(NULL, AF_DIM_SIZE, &v, err, sizeof err) == -1);
    CU_ASSERT(v == SENTINEL);
    char big[128];
    CU_ASSERT(af_units_parse("5 s", AF_DIM__COUNT, &v, big, sizeof big) == -1);
    CU_ASSERT(strstr(big, "unknown dimension") != NULL);
    CU_ASSERT(v == SENTINEL);

    /* The echoed text escapes quotes, backslashes and control bytes. */
    REFUSE("25 \"GB\"", AF_DIM_SIZE, "got \"25 \\\"GB\\\"\"");
    REFUSE("25 G\\B", AF_DIM_SIZE, "got \"25 G\\\\B\"");
    REFUSE("25 \x01GB\x7f", AF_DIM_SIZE, "got \"25 \\x01GB\\x7f\"");
    REFUSE("25 \x1b[31mGB", AF_DIM_SIZE, "got \"25 \\x1b[31mGB\"");
    /* UTF-8 is kept; stray bytes, C1 controls (8-bit CSI) and overlong forms are escaped. */
    REFUSE("25 \xce\xbc"
           "B",
           AF_DIM_SIZE,
           "got \"25 \xce\xbc"
           "B\"");
    REFUSE("25 \x9b"
           "31mGB",
           AF_DIM_SIZE, "got \"25 \\x9b31mGB\"");
    REFUSE("25 \xc2\x9b"
           "GB",
           AF_DIM_SIZE, "got \"25 \\xc2\\x9bGB\"");
    REFUSE("25 \xc0\xafGB", AF_DIM_SIZE, "got \"25 \\xc0\\xafGB\"");
    REFUSE("25 \xed\xa0\x80GB", AF_DIM_SIZE, "got \"25 \\xed\\xa0\\x80GB\"");
    REFUSE("25 \xe2\x82", AF_DIM_SIZE, "got \"25 \\xe2\\x82\"");
    REFUSE("5 \x1b]0;pwned\x07 B", AF_DIM_SIZE, "got \"5 \\x1b]0;pwned\\x07 B\"; unknown unit");

    /* A cut never splits a character: 63 ASCII bytes, then a 2-byte character. */
    char cut[80];
    memset(cut, '7', 63);
    strcpy(cut + 63, "\xc2\xb5s!");
    CU_ASSERT(af_units_parse(cut, AF_DIM_TIME, &v, big, sizeof big) == -1);
    CU_ASSERT(strstr(big, "777...\"") != NULL);
}

static void test_random_bytes(void)
{
    /* Arbitrary bytes never crash, never overflow the message buffer, and every accepted value
     * is finite. Half the strings are any bytes, half a number followed by bytes drawn from an
     * alphabet close to the units. */
    static const char near[] = "0123456789.eE+-kMGTPBbiKs/%UuSD hmnW $IOPFLJ\t,";
    rng_state = 42;
    int accepted = 0;
    for (int i = 0; i < 40000; i++) {
        char text[48];
        size_t len = 0;
        if (i % 2) {
            size_t n = (size_t)(rng_next() % 40);
            for (; len < n; len++)
                text[len] = (char)(1 + rng_next() % 255);
        } else {
            /* digits, maybe a point and an exponent, maybe a space, then up to 5 unit bytes */
            size_t n = 1 + (size_t)(rng_next() % 4);
            for (size_t k = 0; k < n; k++)
                text[len++] = (char)('0' + rng_next() % 10);
            if (rng_next() % 4 == 0)
                text[len++] = '.';
            if (rng_next() % 4 == 0)
                text[len++] = '5';
            if (rng_next() % 2)
                text[len++] = ' ';
            n = (size_t)(rng_next() % 6);
            for (size_t k = 0; k < n; k++)
                text[len++] = near[rng_next() % (sizeof near - 1)];
        }
        text[len] = '\0';
        af_dim dim = (af_dim)(rng_next() % AF_DIM__COUNT);
        char err[96];
        memset(err, 'Z', sizeof err);
        double v = SENTINEL;
        int rc = af_units_parse(text, dim, &v, err, sizeof err);
        if (rc == 0) {
            accepted++;
            if (!isfinite(v) || (dim == AF_DIM_COUNT && (v < 0 || v != floor(v)))) {
                CU_FAIL("accepted a non-finite value or a bad count");
            }
        } else if (rc != -1 || memchr(err, '\0', sizeof err) == NULL || v != SENTINEL ||
                   strncmp(err, "expected ", 9) != 0) {
            CU_FAIL("bad failure report");
        }
    }
    CU_ASSERT(accepted > 100); /* the near alphabet does produce valid quantities */
}

static void test_si_and_expected(void)
{
    static const char *const si[AF_DIM__COUNT] = {"1",   "1",     "1",     "s",  "B",
                                                  "B/s", "1/s",   "W",     "J",  "FLOP/s",
                                                  "USD", "USD/J", "USD/s", "kg", "kg/J"};
    for (int d = 0; d < AF_DIM__COUNT; d++)
        CU_ASSERT_STRING_EQUAL(af_units_si((af_dim)d), si[d]);
    CU_ASSERT_STRING_EQUAL(af_units_expected(AF_DIM_BANDWIDTH), "a bandwidth such as \"25 GB/s\"");
    CU_ASSERT_STRING_EQUAL(af_units_expected(AF_DIM_COUNT), "a whole number such as \"128\"");
    CU_ASSERT_STRING_EQUAL(af_units_expected(AF_DIM_TIME), "a time such as \"90 d\"");
    CU_ASSERT_STRING_EQUAL(af_units_expected(AF_DIM_RATIO), "a ratio such as \"0.9\" or \"90%\"");
    CU_ASSERT_STRING_EQUAL(af_units_expected(AF_DIM_CARBON),
                           "a mass of carbon such as \"318 kg CO2e\"");
    CU_ASSERT_STRING_EQUAL(af_units_expected(AF_DIM_CARBON_INTENSITY),
                           "a carbon intensity such as \"0.37 kg CO2e/kWh\"");
    /* Every phrase has an example that parses in its own dimension. */
    for (int d = 0; d < AF_DIM__COUNT; d++) {
        const char *e = af_units_expected((af_dim)d);
        const char *q = strchr(e, '"');
        CU_ASSERT_FATAL(q != NULL);
        char ex[64];
        snprintf(ex, sizeof ex, "%.*s", (int)(strchr(q + 1, '"') - q - 1), q + 1);
        CU_ASSERT(!isnan(parse(ex, (af_dim)d)));
        CU_ASSERT(strncmp(e, "a ", 2) == 0 || strncmp(e, "an ", 3) == 0);
    }
    CU_ASSERT_PTR_NOT_NULL(af_units_si(AF_DIM__COUNT));
    CU_ASSERT_PTR_NOT_NULL(af_units_expected(AF_DIM__COUNT));
}

static void test_format_examples(void)
{
    FORMAT(25e9, AF_DIM_BANDWIDTH, "25 GB/s");
    FORMAT(50e9, AF_DIM_BANDWIDTH, "50 GB/s");
    FORMAT(61.44e12, AF_DIM_SIZE, "61.44 TB");
    FORMAT(700, AF_DIM_POWER, "700 W");
    FORMAT(1.5e6, AF_DIM_POWER, "1.5 MW");
    FORMAT(5400, AF_DIM_TIME, "1.5 h");
    FORMAT(90, AF_DIM_TIME, "1.5 min");
    FORMAT(7776000, AF_DIM_TIME, "90 d");
    FORMAT(31536000, AF_DIM_TIME, "1 y");
    FORMAT(7e-9, AF_DIM_TIME, "7 ns");
    FORMAT(2.5e-5, AF_DIM_TIME, "25 us");
    FORMAT(0.1, AF_DIM_TIME, "100 ms");
    FORMAT(59, AF_DIM_TIME, "59 s");
    FORMAT(0.9, AF_DIM_RATIO, "90%");
    FORMAT(0.123456, AF_DIM_RATIO, "12.35%");
    FORMAT(0.12 / 3.6e6, AF_DIM_ENERGY_PRICE, "0.12 USD/kWh");
    FORMAT(989.4e12, AF_DIM_FLOPS, "989.4 TFLOP/s");
    FORMAT(1e18, AF_DIM_FLOPS, "1 EFLOP/s");
    FORMAT(12.5 / 3600, AF_DIM_HOURLY_PRICE, "12.5 USD/h");
    FORMAT(1.2e6, AF_DIM_MONEY, "1.2 M USD");
    FORMAT(1234567, AF_DIM_MONEY, "1.235 M USD");
    FORMAT(250000, AF_DIM_MONEY, "250 k USD");
    FORMAT(1.5e9, AF_DIM_MONEY, "1.5 B USD");
    FORMAT(12.5, AF_DIM_MONEY, "12.5 USD");
    FORMAT(0.12, AF_DIM_MONEY, "0.12 USD");
    FORMAT(1e4, AF_DIM_RATE, "10 k/s");
    FORMAT(500, AF_DIM_RATE, "500/s");
    FORMAT(0.5, AF_DIM_RATE, "0.5/s");
    FORMAT(18e6, AF_DIM_ENERGY, "5 kWh");
    FORMAT(5.4e9, AF_DIM_ENERGY, "1.5 MWh");
    FORMAT(18000, AF_DIM_ENERGY, "18 kJ");
    FORMAT(5, AF_DIM_ENERGY, "5 J");
    FORMAT(4194304, AF_DIM_COUNT, "4194304");
    FORMAT(70e9, AF_DIM_COUNT, "70000000000");
    FORMAT(128, AF_DIM_COUNT, "128");
    FORMAT(0.4, AF_DIM_NUMBER, "0.4");
    FORMAT(123456.7, AF_DIM_NUMBER, "123457");
    FORMAT(1.234e-5, AF_DIM_NUMBER, "1.234e-5");
    FORMAT(1e20, AF_DIM_NUMBER, "1e20");
    FORMAT(1048576, AF_DIM_SIZE, "1.049 MB"); /* sizes print with decimal prefixes */
    FORMAT(318, AF_DIM_CARBON, "318 kg CO2e");
    FORMAT(1250, AF_DIM_CARBON, "1.25 t CO2e");
    FORMAT(0.012, AF_DIM_CARBON, "12 g CO2e");
    FORMAT(1.5, AF_DIM_CARBON, "1.5 kg CO2e");
    FORMAT(999.5, AF_DIM_CARBON, "999.5 kg CO2e");
    FORMAT(4.2e6, AF_DIM_CARBON, "4.2 kt CO2e");
    FORMAT(1.234567e9, AF_DIM_CARBON, "1.235 Mt CO2e"); /* 4 significant digits */
    FORMAT(0.367 / 3.6e6, AF_DIM_CARBON_INTENSITY, "0.367 kg CO2e/kWh");
    FORMAT(0.012 / 3.6e6, AF_DIM_CARBON_INTENSITY, "0.012 kg CO2e/kWh"); /* as USD/kWh */
    FORMAT(1.2 / 3.6e6, AF_DIM_CARBON_INTENSITY, "1.2 kg CO2e/kWh");
}

static void test_format_edges(void)
{
    /* Zero prints the base unit, without a sign. */
    FORMAT(0.0, AF_DIM_TIME, "0 s");
    FORMAT(-0.0, AF_DIM_SIZE, "0 B");
    FORMAT(0.0, AF_DIM_BANDWIDTH, "0 B/s");
    FORMAT(0.0, AF_DIM_RATE, "0/s");
    FORMAT(0.0, AF_DIM_POWER, "0 W");
    FORMAT(0.0, AF_DIM_ENERGY, "0 J");
    FORMAT(0.0, AF_DIM_FLOPS, "0 FLOP/s");
    FORMAT(0.0, AF_DIM_MONEY, "0 USD");
    FORMAT(0.0, AF_DIM_ENERGY_PRICE, "0 USD/kWh");
    FORMAT(0.0, AF_DIM_HOURLY_PRICE, "0 USD/h");
    FORMAT(0.0, AF_DIM_CARBON, "0 kg CO2e");
    FORMAT(-0.0, AF_DIM_CARBON_INTENSITY, "0 kg CO2e/kWh");
    FORMAT(0.0, AF_DIM_RATIO, "0%");
    FORMAT(0.0, AF_DIM_COUNT, "0");
    FORMAT(0.0, AF_DIM_NUMBER, "0");
    /* Negative values keep the sign. */
    FORMAT(-25e9, AF_DIM_BANDWIDTH, "-25 GB/s");
    FORMAT(-90, AF_DIM_TIME, "-1.5 min");
    FORMAT(-0.1, AF_DIM_RATIO, "-10%");
    FORMAT(-1.2e6, AF_DIM_MONEY, "-1.2 M USD");
    FORMAT(-3, AF_DIM_NUMBER, "-3");
    FORMAT(-1250, AF_DIM_CARBON, "-1.25 t CO2e");
    /* NaN and infinity. */
    FORMAT(NAN, AF_DIM_SIZE, "nan");
    FORMAT(INFINITY, AF_DIM_TIME, "inf");
    FORMAT(-INFINITY, AF_DIM_MONEY, "-inf");
    FORMAT(DBL_MAX, AF_DIM_RATIO, "inf"); /* finite, but not as a percentage */
    /* Rounding to 4 digits moves to the next prefix. */
    FORMAT(999.96, AF_DIM_SIZE, "1 kB");
    FORMAT(999.94, AF_DIM_SIZE, "999.9 B");
    FORMAT(0.99996, AF_DIM_TIME, "1 s");
    FORMAT(999.96, AF_DIM_MONEY, "1 k USD");
    FORMAT(1.5e9, AF_DIM_SIZE, "1.5 GB");
    FORMAT(1.0005e9, AF_DIM_SIZE, "1 GB");
    FORMAT(1.0015e9, AF_DIM_SIZE, "1.002 GB");
    /* Beyond the prefixes: exponent form, still parseable. */
    FORMAT(1e-20, AF_DIM_SIZE, "1e-20 B");
    FORMAT(0.5, AF_DIM_SIZE, "0.5 B");
    FORMAT(0.0005, AF_DIM_SIZE, "0.0005 B");
    FORMAT(1.5e20, AF_DIM_SIZE, "150000 PB");
    FORMAT(1e22, AF_DIM_SIZE, "1e7 PB");
    FORMAT(1e15, AF_DIM_MONEY, "1e6 B USD");
    FORMAT(1e-13, AF_DIM_TIME, "0.0001 ns");
    FORMAT(1.5e-15, AF_DIM_TIME, "1.5e-6 ns");
    FORMAT(1e12, AF_DIM_TIME, "31710 y");
    FORMAT(5e-324, AF_DIM_NUMBER, "4.941e-324");
    FORMAT(1.5e-10, AF_DIM_CARBON, "1.5e-7 g CO2e");
    FORMAT(2e13, AF_DIM_CARBON, "20000 Mt CO2e");
    FORMAT(999.96, AF_DIM_CARBON, "1 t CO2e");
    /* The buffer is never overrun and always terminated. */
    char small[5];
    memset(small, 'Z', sizeof small);
    CU_ASSERT(af_units_format(25e9, AF_DIM_BANDWIDTH, small, sizeof small) == small);
    CU_ASSERT_STRING_EQUAL(small, "25 G");
    char one[1] = {'Z'};
    af_units_format(25e9, AF_DIM_BANDWIDTH, one, 1);
    CU_ASSERT(one[0] == '\0');
    CU_ASSERT(af_units_format(25e9, AF_DIM_BANDWIDTH, NULL, 0) == NULL);
    char buf[32];
    CU_ASSERT_STRING_EQUAL(af_units_format(5, AF_DIM__COUNT, buf, sizeof buf), "5");
}

/* parse(format(x)) is within 0.05% of x. */
static int round_trips(double x, af_dim dim)
{
    char buf[64], err[256];
    af_units_format(x, dim, buf, sizeof buf);
    double y = SENTINEL;
    if (af_units_parse(buf, dim, &y, err, sizeof err) != 0) {
        fprintf(stderr, "\n  %.17g formats as \"%s\", which does not parse: %s\n", x, buf, err);
        return 0;
    }
    if (fabs(y - x) > 5e-4 * fabs(x)) {
        fprintf(stderr, "\n  %.17g -> \"%s\" -> %.17g\n", x, buf, y);
        return 0;
    }
    return 1;
}

static void test_round_trip(void)
{
    rng_state = 7;
    for (int d = 0; d < AF_DIM__COUNT; d++) {
        af_dim dim = (af_dim)d;
        int bad = 0;
        for (int i = 0; i < 20000; i++) {
            double x;
            if (dim == AF_DIM_COUNT) {
                /* whole numbers from 0 to 1e15 */
                x = floor(pow(10, rng_unit() * 15));
            } else {
                /* log-uniform magnitudes from 1e-15 to 1e21, either sign */
                x = pow(10, -15 + rng_unit() * 36);
                if (rng_next() & 1)
                    x = -x;
            }
            bad += !round_trips(x, dim);
        }
        /* Decade boundaries and the places where units change. */
        static const double edges[] = {1,      9.9995,  999.95, 999.96, 59.9999, 60,   3599.99,
                                       3600,   86399.9, 86400,  3.6e6,  3.59e6,  1e-9, 1e-6,
                                       1.0005, 1.00049, 2e-3,   1e15,   1e18,    1e12};
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
            if (dim != AF_DIM_COUNT || edges[i] <= 1e15)
                bad += !round_trips(dim == AF_DIM_COUNT ? floor(edges[i]) : edges[i], dim);
        CU_ASSERT_EQUAL(bad, 0);
    }
}

/* Carbon masses and intensities print in every prefix and parse back within the 4 printed
 * digits, across the g/kg/t/kt/Mt boundaries and far outside them. */
static void test_carbon_round_trip(void)
{
    static const double mass[] = {1e-9,  1e-3,   0.0009999, 0.012,   0.99995, 1,      318,
                                  999.4, 999.96, 1250,      1.2e3,   4.2e6,   1e9,    1.2345e9,
                                  7e12,  1e18,   123.456e6, 9.999e5, 0.5,     31.4159};
    for (size_t i = 0; i < sizeof mass / sizeof mass[0]; i++) {
        CU_ASSERT(round_trips(mass[i], AF_DIM_CARBON));
        CU_ASSERT(round_trips(-mass[i], AF_DIM_CARBON));
        /* intensities from 1e-9 to 1e18 kg/kWh */
        CU_ASSERT(round_trips(mass[i] / 3.6e6, AF_DIM_CARBON_INTENSITY));
    }
    /* Every unit, formatted and read back. */
    static const struct {
        const char *text;
        af_dim dim;
    } forms[] = {
        {"318 kg", AF_DIM_CARBON},
        {"1.2 t CO2e", AF_DIM_CARBON},
        {"500 g CO2e", AF_DIM_CARBON},
        {"7 kt", AF_DIM_CARBON},
        {"3.3 Mt CO2e", AF_DIM_CARBON},
        {"0.367 kg/kWh", AF_DIM_CARBON_INTENSITY},
        {"367 g/kWh", AF_DIM_CARBON_INTENSITY},
        {"0.367 kg CO2e/kWh", AF_DIM_CARBON_INTENSITY},
        {"367 g CO2e/kWh", AF_DIM_CARBON_INTENSITY},
        {"367 kg/MWh", AF_DIM_CARBON_INTENSITY},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        double v = parse(forms[i].text, forms[i].dim);
        CU_ASSERT(!isnan(v) && round_trips(v, forms[i].dim));
    }
    FORMAT(parse("367 g CO2e/kWh", AF_DIM_CARBON_INTENSITY), AF_DIM_CARBON_INTENSITY,
           "0.367 kg CO2e/kWh");
    FORMAT(parse("1.2 t", AF_DIM_CARBON), AF_DIM_CARBON, "1.2 t CO2e");
}

/* Every accepted spelling of the examples in units.h parses back from its formatted form. */
static void test_header_examples(void)
{
    ACCEPT_EXACT("90 d", AF_DIM_TIME, 7776000.0);
    ACCEPT_EXACT("61.44 TB", AF_DIM_SIZE, 61.44e12);
    ACCEPT_EXACT("5 k/s", AF_DIM_RATE, 5000.0);
    ACCEPT_EXACT("1.2 M USD", AF_DIM_MONEY, 1.2e6);
    ACCEPT_EXACT("4Mi", AF_DIM_COUNT, 4194304.0);
    REFUSE("$1200", AF_DIM_MONEY, "\"1200 USD\"");
    REFUSE("5 m", AF_DIM_TIME, "\"m\" is ambiguous: write \"min\" for minutes");
    REFUSE("25", AF_DIM_BANDWIDTH, "add a unit, e.g. \"25 GB/s\"");
}

static const af_test tests[] = {
    {"time: every unit accepted with its SI value", test_time_accepts},
    {"time: m, bare numbers, words and other units refused", test_time_refuses},
    {"size: every decimal and binary unit accepted", test_size_accepts},
    {"size: KB, bits, bandwidths and near misses refused", test_size_refuses},
    {"bandwidth: bits and bytes over every time unit", test_bandwidth_accepts},
    {"bandwidth: sizes, Gbps, KB/s, case slips refused with hints", test_bandwidth_refuses},
    {"rate: /time, prefixes and IOPS", test_rate},
    {"power: W kW MW GW and refusals", test_power},
    {"energy: J and Wh families and refusals", test_energy},
    {"flops: FLOP/s and FLOPS with every prefix", test_flops},
    {"money: USD with k M B, kUSD and $ refused", test_money},
    {"energy price: USD per energy unit", test_energy_price},
    {"hourly price: USD per time unit", test_hourly_price},
    {"carbon: g kg t kt Mt with or without CO2e", test_carbon},
    {"carbon intensity: mass per energy unit", test_carbon_intensity},
    {"ratio: plain and percent", test_ratio},
    {"count: whole numbers, suffixes, 2^53, fractions refused", test_count},
    {"number: plain reals, no unit", test_number},
    {"whitespace is optional and trimmed", test_whitespace},
    {"malformed numbers get precise hints", test_malformed_numbers},
    {"NaN and infinity refused in every dimension", test_nan_inf},
    {"overflow and underflow refused", test_range},
    {"million-character inputs", test_long_inputs},
    {"message buffer bounds and escaping", test_message_buffer},
    {"random bytes never break the parser", test_random_bytes},
    {"af_units_si and af_units_expected", test_si_and_expected},
    {"format: the documented examples", test_format_examples},
    {"format: zero, signs, nan, rounding, extremes, small buffers", test_format_edges},
    {"round trip parse(format(x)) within 0.05%", test_round_trip},
    {"carbon and carbon intensity round trips", test_carbon_round_trip},
    {"the examples in units.h", test_header_examples},
    {NULL, NULL},
};

AF_TEST_MAIN("units", tests)
