/*
 * arrivals: a non-homogeneous Poisson process with a piecewise-constant rate (a daily profile of
 * 24 hourly weights times periodic bursts), drawn by thinning, or a recorded trace; see
 * arrivals.h for the model.
 *
 * The rate changes only at hour edges (of the time of day start_hour + t / 3600) and at burst
 * edges (start_s + k every_s and start_s + k every_s + burst_s, k >= 0), so its integral over
 * [t0, t1) is a sum over those pieces, computed exactly rather than by quadrature:
 *   - without bursts, whole days contribute sum(hourly) x 3600 each and at most two days of hours
 *     are summed one by one, so a window of a century costs as much as one of two days;
 *   - bursts alone: the burst time in [0, t) is k burst_s + min(r, burst_s) for t - start_s =
 *     k every_s + r, a continuous function, so the rounding of k at an edge cannot move it;
 *   - a profile with bursts sums the hours of the window, each hour's length plus (factor - 1)
 *     times the burst time inside it (a century is 876,600 hours: a few milliseconds).
 * Hour edges are computed from integers (edge j at j x 3600 - start_hour x 3600), never by
 * accumulating hour lengths, so a long window does not drift off the edges.
 *
 * Thinning [Lewis & Shedler 1979]: candidates come as a Poisson process at the peak rate, each
 * kept with probability rate(t) / peak (one uniform draw); the kept ones are exactly the
 * non-homogeneous process. A constant rate (no profile, no bursts) skips the draw, so a plain
 * Poisson stream makes one exponential draw per arrival: the same draws the look-ups made before
 * this module existed (gsl_ran_exponential with mean 1 / rate on an exact clock of seconds).
 */
#include "workload/arrivals.h"

#include <assert.h>
#include <gsl/gsl_math.h> /* M_PI, which POSIX leaves out */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>

#define HOUR_S 3600.0
#define DAY_S 86400.0

void af_arrivals_diurnal(double hourly[24], double ratio, double peak_hour)
{
    assert(ratio >= 1);
    /* The cosines at mid-hour: their largest is cos(pi / 24) when the peak falls on the hour,
     * and the smallest likewise above -1, so a = (r - 1) / (r + 1) would give a ratio below r
     * (2.97 for 3). Solving (1 + a c_max) / (1 + a c_min) = r instead makes the weights' ratio
     * exactly r; c_max >= cos(pi / 24) > 0 > -cos(pi / 24) >= c_min, so 1 + a c_min stays
     * positive. */
    double c[24], cmax = -1, cmin = 1, sum = 0;
    for (int h = 0; h < 24; h++) {
        c[h] = cos(2 * M_PI * (h + 0.5 - peak_hour) / 24);
        cmax = c[h] > cmax ? c[h] : cmax;
        cmin = c[h] < cmin ? c[h] : cmin;
    }
    double a = (ratio - 1) / (cmax - ratio * cmin);
    for (int h = 0; h < 24; h++) {
        hourly[h] = 1 + a * c[h];
        sum += hourly[h];
    }
    for (int h = 0; h < 24; h++)
        hourly[h] *= 24 / sum;
}

/* Whether the configuration has periodic bursts. */
static bool arr_bursts(const af_arrivals_config *cfg)
{
    return cfg->burst_every_s > 0 && cfg->burst_factor != 1;
}

/* The burst time in [0, t), s: continuous and non-decreasing in t. */
static double arr_burst_time(const af_arrivals_config *cfg, double t)
{
    double u = t - cfg->burst_start_s;
    if (!(u > 0))
        return 0;
    double k = floor(u / cfg->burst_every_s);
    double r = u - k * cfg->burst_every_s;
    /* r can land a rounding outside [0, every) when u is at an edge; the clamp keeps the sum
     * continuous (k bursts and a whole one equal k + 1 bursts and none). */
    r = r < 0 ? 0 : r;
    return k * cfg->burst_s + (r < cfg->burst_s ? r : cfg->burst_s);
}

/* Whether t falls inside a burst. */
static bool arr_in_burst(const af_arrivals_config *cfg, double t)
{
    double u = t - cfg->burst_start_s;
    if (u < 0)
        return false;
    double r = u - floor(u / cfg->burst_every_s) * cfg->burst_every_s;
    return r < cfg->burst_s;
}

/* The index of the hour (counted from midnight of the run's first day) that holds t. */
static int64_t arr_hour(const af_arrivals_config *cfg, double t)
{
    return (int64_t)floor((cfg->start_hour * HOUR_S + t) / HOUR_S);
}

double af_arrivals_rate_at(const af_arrivals_config *cfg, double t)
{
    if (cfg->trace_s)
        return 0;
    double r = cfg->rate_per_s;
    if (cfg->diurnal)
        r *= cfg->hourly[arr_hour(cfg, t) % 24];
    if (arr_bursts(cfg) && arr_in_burst(cfg, t))
        r *= cfg->burst_factor;
    return r;
}

double af_arrivals_peak_rate(const af_arrivals_config *cfg)
{
    if (cfg->trace_s)
        return 0;
    double r = cfg->rate_per_s;
    if (cfg->diurnal) {
        double m = cfg->hourly[0];
        for (int h = 1; h < 24; h++)
            m = cfg->hourly[h] > m ? cfg->hourly[h] : m;
        r *= m;
    }
    /* A factor below 1 (a lull) still leaves the time outside bursts at the plain rate, unless
     * the bursts cover all of the time from the start. */
    if (arr_bursts(cfg)) {
        bool always = cfg->burst_s >= cfg->burst_every_s && cfg->burst_start_s <= 0;
        if (cfg->burst_factor > 1 || always)
            r *= cfg->burst_factor;
    }
    return r;
}

/* The integral of day(t) x burst(t) over [t0, t1) with a diurnal profile, by hours. */
static double arr_diurnal_integral(const af_arrivals_config *cfg, double t0, double t1)
{
    bool bursts = arr_bursts(cfg);
    double x0 = cfg->start_hour * HOUR_S, sum = 0;
    if (!bursts && t1 - t0 > 2 * DAY_S) {
        /* Whole days at the front: the profile repeats every day. */
        double day = 0;
        for (int h = 0; h < 24; h++)
            day += cfg->hourly[h] * HOUR_S;
        double n = floor((t1 - t0) / DAY_S) - 1;
        sum = n * day;
        t0 += n * DAY_S;
    }
    int64_t j = arr_hour(cfg, t0);
    double t = t0;
    while (t < t1) {
        double e = (double)(j + 1) * HOUR_S - x0; /* end of hour j, in run time */
        if (e <= t) {                             /* t0 rounded onto the edge */
            j++;
            continue;
        }
        double b = e < t1 ? e : t1;
        double piece = b - t;
        if (bursts)
            piece += (cfg->burst_factor - 1) * (arr_burst_time(cfg, b) - arr_burst_time(cfg, t));
        sum += cfg->hourly[j % 24] * piece;
        t = b;
        j++;
    }
    return sum;
}

/* The first trace entry at or after t (binary search; trace_n when none). */
static size_t arr_trace_lower(const af_arrivals_config *cfg, double t)
{
    size_t lo = 0, hi = cfg->trace_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cfg->trace_s[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double af_arrivals_expected(const af_arrivals_config *cfg, double t0, double t1)
{
    assert(t0 >= 0 && t0 <= t1);
    if (cfg->trace_s)
        return (double)(arr_trace_lower(cfg, t1) - arr_trace_lower(cfg, t0));
    if (!(t1 > t0))
        return 0;
    if (cfg->diurnal)
        return cfg->rate_per_s * arr_diurnal_integral(cfg, t0, t1);
    double n = cfg->rate_per_s * (t1 - t0);
    if (arr_bursts(cfg))
        n += cfg->rate_per_s * (cfg->burst_factor - 1) *
             (arr_burst_time(cfg, t1) - arr_burst_time(cfg, t0));
    return n;
}

void af_arrivals_init(af_arrivals *a, const af_arrivals_config *cfg)
{
    a->cfg = cfg;
    a->t = 0;
    a->peak = af_arrivals_peak_rate(cfg);
    a->next = 0;
}

double af_arrivals_next(af_arrivals *a, gsl_rng *rng, double *size)
{
    const af_arrivals_config *cfg = a->cfg;
    if (size)
        *size = 0;
    if (cfg->trace_s) {
        if (a->next >= cfg->trace_n)
            return INFINITY;
        size_t i = a->next++;
        if (size && cfg->trace_size)
            *size = cfg->trace_size[i];
        a->t = cfg->trace_s[i];
        return a->t;
    }
    if (!(a->peak > 0))
        return a->t = INFINITY;
    double mean = 1 / a->peak;
    if (!cfg->diurnal && !arr_bursts(cfg)) {
        a->t += gsl_ran_exponential(rng, mean);
        return a->t;
    }
    for (;;) {
        a->t += gsl_ran_exponential(rng, mean);
        if (!isfinite(a->t))
            return a->t;
        if (gsl_rng_uniform(rng) * a->peak < af_arrivals_rate_at(cfg, a->t))
            return a->t;
    }
}
