/*
 * arrivals: a non-homogeneous Poisson process with a piecewise-constant rate (a daily profile of
 * 24 hourly weights times periodic bursts), drawn exactly by inverting its integral, or a
 * recorded trace; see arrivals.h for the model.
 *
 * The rate changes only at hour edges (of the time of day start_hour + t / 3600) and at burst
 * edges (start_s + k every_s and start_s + k every_s + burst_s, k >= 0), so its integral over
 * [t0, t1) is a sum over those pieces, computed exactly rather than by quadrature:
 *   - without bursts, whole days contribute sum(hourly) x 3600 each and at most two days of hours
 *     are summed one by one, so a window of a century costs as much as one of two days;
 *   - bursts alone: the burst time in [0, t) is k burst_s + min(r, burst_s) for t - start_s =
 *     k every_s + r, a continuous function, so the rounding of k at an edge cannot move it; the
 *     time outside bursts is counted the same way (not as t less the burst time, which would
 *     leave a rounding residue of t where a lull covers the whole period), and the integral is
 *     rate x (time outside + factor x time inside);
 *   - a profile with bursts sums the hours of the window, each hour's time outside bursts plus
 *     factor times its time inside (a century is 876,600 hours: a few milliseconds).
 * Hour edges are computed from whole hours (edge j at j x 3600 - start_hour x 3600, j a double
 * holding an integer), never by accumulating hour lengths, so a long window does not drift off
 * the edges; the hour of day is j mod 24 taken in double (fmod), so no time overflows an integer.
 *
 * Drawing [Cinlar 1975, the time change of a Poisson process]: with Lambda(t) the integral of the
 * rate from 0, the points Lambda^-1(S_k), S_k the arrivals of a Poisson process of rate 1, are
 * exactly the non-homogeneous process. So each arrival draws E ~ Exp(1) and walks on from the
 * last one, spending E on the pieces where the rate is constant, rate x length each, until a
 * piece holds what is left: the arrival is that piece's start + remainder / its rate. The walk
 * skips whatever it can count whole: a day of a profile without bursts (Lambda of any day is the
 * same); an hour of a profile with bursts (Lambda of an hour from the burst time in it, as
 * af_arrivals_expected sums it); and burst periods (any window of one period from the first
 * burst on holds (every - length + factor x length) x rate). An arrival so costs O(1) without a
 * profile, O(1) plus at most two days' hours with one alone, and the hours crossed with both,
 * bounded by the stream's end, which the walk never passes. Thinning against the peak rate [Lewis
 * & Shedler 1979], which this replaced, spent 1e11 candidates on a profile of weight 1e-300 until
 * noon (tests/fuzz/findings/arrivals-thinning-hang.yaml).
 * Periods too short for the resolution of a double at the current time (every 2.2e-308 s) are
 * seen through their mean, which is all a window of many of them can show. A constant rate (no
 * profile, no bursts) draws gsl_ran_exponential with mean 1 / rate per arrival: the same draws
 * the look-ups made before this module existed, on an exact clock of seconds.
 */
#include "workload/arrivals.h"

#include <assert.h>
#include <gsl/gsl_math.h> /* M_PI, which POSIX leaves out */
#include <gsl/gsl_randist.h>
#include <math.h>

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

/* Periods beyond this count from the first burst are below the resolution of a double at
 * their time: a window there holds the periods' mean. */
#define ARR_FINE 0x1p52

/* The burst time in [0, t), s: continuous and non-decreasing in t. */
static double arr_burst_time(const af_arrivals_config *cfg, double t)
{
    double u = t - cfg->burst_start_s;
    if (!(u > 0))
        return 0;
    if (u / cfg->burst_every_s >= ARR_FINE)
        return u * (cfg->burst_s / cfg->burst_every_s);
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

/* The time outside bursts in [0, t), s: t less arr_burst_time, counted apart so that a lull
 * over all of the period (length = every) leaves 0, not a rounding residue of t. */
static double arr_gap_time(const af_arrivals_config *cfg, double t)
{
    double u = t - cfg->burst_start_s;
    if (!(u > 0))
        return t;
    double P = cfg->burst_every_s, L = cfg->burst_s;
    if (u / P >= ARR_FINE)
        return cfg->burst_start_s + u * ((P - L) / P);
    double k = floor(u / P);
    double r = u - k * P;
    r = r < 0 ? 0 : r;
    return cfg->burst_start_s + k * (P - L) + (r > L ? r - L : 0);
}

/* The index of the hour (counted from midnight of the run's first day) that holds t, a whole
 * number in a double: no time overflows it. */
static double arr_hour(const af_arrivals_config *cfg, double t)
{
    return floor((cfg->start_hour * HOUR_S + t) / HOUR_S);
}

/* The weight of hour j (from arr_hour) of the profile: j mod 24 in double. */
static double arr_weight(const af_arrivals_config *cfg, double j)
{
    double h = fmod(j, 24);
    return cfg->hourly[h >= 0 && h < 24 ? (int)h : 0];
}

double af_arrivals_rate_at(const af_arrivals_config *cfg, double t)
{
    if (cfg->trace_s)
        return 0;
    double r = cfg->rate_per_s;
    if (cfg->diurnal)
        r *= arr_weight(cfg, arr_hour(cfg, t));
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
    double j = arr_hour(cfg, t0);
    double t = t0;
    while (t < t1) {
        double e = (j + 1) * HOUR_S - x0; /* end of hour j, in run time */
        if (e <= t) {                     /* t0 rounded onto the edge */
            j++;
            continue;
        }
        double b = e < t1 ? e : t1;
        double piece = b - t;
        if (bursts)
            piece = arr_gap_time(cfg, b) - arr_gap_time(cfg, t) +
                    cfg->burst_factor * (arr_burst_time(cfg, b) - arr_burst_time(cfg, t));
        sum += arr_weight(cfg, j) * piece;
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
    if (arr_bursts(cfg))
        return cfg->rate_per_s *
               (arr_gap_time(cfg, t1) - arr_gap_time(cfg, t0) +
                cfg->burst_factor * (arr_burst_time(cfg, t1) - arr_burst_time(cfg, t0)));
    return cfg->rate_per_s * (t1 - t0);
}

void af_arrivals_init(af_arrivals *a, const af_arrivals_config *cfg, double end_s)
{
    assert(end_s >= 0);
    a->cfg = cfg;
    a->t = 0;
    a->end_s = end_s < AF_ARRIVALS_MAX_S ? end_s : AF_ARRIVALS_MAX_S;
    a->day_n = 0;
    if (cfg->diurnal && !arr_bursts(cfg)) {
        for (int h = 0; h < 24; h++)
            a->day_n += cfg->hourly[h];
        a->day_n *= cfg->rate_per_s * HOUR_S;
    }
    a->next = 0;
}

/* Spends *E (expected arrivals) at a constant rate from *t towards e > *t: true with *t the
 * arrival when it lies before e, else false with *t = e and *E less rate x (e - *t). e may be
 * infinite. */
static bool arr_piece(double *t, double e, double rate, double *E)
{
    if (!(rate > 0)) {
        *t = e;
        return false;
    }
    double m = rate * (e - *t);
    if (*E < m) {
        double x = *t + *E / rate;
        /* rounding may carry x onto e; the arrival stays inside its piece, at or after *t */
        x = x < e ? x : nextafter(e, -INFINITY);
        *t = x > *t ? x : *t;
        return true;
    }
    *E -= m;
    *t = e;
    return false;
}

/* The most pieces the walk inside one stretch takes: what is left of the current period (two
 * pieces, three with an edge rounded across), one skip of whole periods and the two periods it
 * leaves (four); past it (rounding), the periods' mean finishes the stretch. */
#define ARR_STEPS 16

/* Spends *E at base rate r (times the burst factor inside bursts) from *t towards e > *t: true
 * with *t the arrival when it lies before e, else false with *t = e and *E less the expected
 * arrivals in [*t, e). e may be infinite (no profile). */
static bool arr_walk(const af_arrivals_config *cfg, double *t, double e, double r, double *E)
{
    if (!(r > 0)) {
        *t = e;
        return false;
    }
    if (!arr_bursts(cfg))
        return arr_piece(t, e, r, E);
    double P = cfg->burst_every_s, L = cfg->burst_s, f = cfg->burst_factor;
    double s0 = cfg->burst_start_s;
    /* The whole stretch at once, from the burst and gap time in it, when it holds too little. */
    if (isfinite(e)) {
        double m = r * (arr_gap_time(cfg, e) - arr_gap_time(cfg, *t)) +
                   r * f * (arr_burst_time(cfg, e) - arr_burst_time(cfg, *t));
        if (!(*E < m)) {
            *E -= m;
            *t = e;
            return false;
        }
    }
    /* Before the first burst. */
    if (*t < s0) {
        if (arr_piece(t, s0 < e ? s0 : e, r, E))
            return true;
        if (!(*t < e))
            return false;
    }
    double per = r * ((P - L) + f * L); /* expected arrivals in any window of one period */
    for (int step = 0; step < ARR_STEPS; step++) {
        double k = floor((*t - s0) / P);
        if (!(k < ARR_FINE))
            break;
        /* Whole periods, leaving one to two of them (of E and of the stretch) to walk. */
        double n = floor(*E / per) - 1;
        if (isfinite(e))
            n = fmin(n, floor((e - *t) / P) - 1);
        if (n >= 1) {
            if (!(k + n < ARR_FINE))
                break;
            *t += n * P;
            *E -= n * per;
            continue;
        }
        /* The period that holds t, its edges from whole periods; the rounding of k at an edge
         * moves it by one. */
        double ps = s0 + k * P;
        if (*t < ps)
            ps = s0 + --k * P;
        else if (!(*t < s0 + (k + 1) * P))
            ps = s0 + ++k * P;
        double be = ps + L; /* the burst's end, compared as computed: t set onto it is past it */
        bool in = *t < be;
        double pe = in ? be : s0 + (k + 1) * P;
        pe = pe < e ? pe : e;
        if (!(pe > *t))
            break; /* below the resolution of t */
        if (arr_piece(t, pe, in ? r * f : r, E))
            return true;
        if (!(*t < e))
            return false;
    }
    /* Periods below the resolution of t: their mean rate. */
    double mean = per / P;
    if (arr_piece(t, e, mean, E))
        return true;
    *t = e;
    return false;
}

double af_arrivals_next(af_arrivals *a, gsl_rng *rng, double *size)
{
    const af_arrivals_config *cfg = a->cfg;
    if (size)
        *size = 0;
    if (cfg->trace_s) {
        if (a->next >= cfg->trace_n || !(cfg->trace_s[a->next] < a->end_s))
            return INFINITY;
        size_t i = a->next++;
        if (size && cfg->trace_size)
            *size = cfg->trace_size[i];
        a->t = cfg->trace_s[i];
        return a->t;
    }
    if (!(a->t < a->end_s) || !(cfg->rate_per_s > 0))
        return INFINITY;
    if (!cfg->diurnal && !arr_bursts(cfg)) {
        a->t += gsl_ran_exponential(rng, 1 / cfg->rate_per_s);
        return a->t < a->end_s ? a->t : INFINITY;
    }
    if (cfg->diurnal && !arr_bursts(cfg) && !(a->day_n > 0))
        return INFINITY; /* a day of weights 0 */
    double E = gsl_ran_exponential(rng, 1), t = a->t, end = a->end_s;
    if (E > 2 * a->day_n && a->day_n > 0) {
        /* Whole days, leaving one to two of them to walk hour by hour. */
        double n = floor(E / a->day_n) - 1;
        t += n * DAY_S;
        E -= n * a->day_n;
    }
    while (t < end) {
        double e = end, w = 1;
        if (cfg->diurnal) {
            double x0 = cfg->start_hour * HOUR_S, j = arr_hour(cfg, t);
            double he = (j + 1) * HOUR_S - x0; /* end of hour j, in run time */
            while (!(he > t))                  /* t rounded onto the edge */
                he = (++j + 1) * HOUR_S - x0;
            w = arr_weight(cfg, j);
            e = he < end ? he : end;
        }
        if (arr_walk(cfg, &t, e, cfg->rate_per_s * w, &E))
            return a->t = t;
    }
    a->t = end;
    return INFINITY;
}
