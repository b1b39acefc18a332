/*
 * reliability: checkpoint intervals (Young, Daly, and the numerical optimum of Daly's wall
 * time), failure draws for groups of components, cause picking, and the slowest member of a
 * lock-step group; see reliability.h for the models and their sources.
 */
#include "model/reliability.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

/* Relative width at which the minimizer stops: Brent's method itself steps by no less than
 * sqrt(DBL_EPSILON) = 1.5e-8 of the abscissa, so asking for less only spends iterations. */
#define AF_REL_MIN_EPSREL 1e-8

/* Iterations the minimizer may take; Brent converges superlinearly and needs ~30 here. */
#define AF_REL_MIN_ITER 100

/* Largest (tau + delta) / M for which e^((tau + delta)/M) is a finite double, with margin. */
#define AF_REL_MAX_EXP 700.0

/* Accuracy asked of the quadrature of af_straggler_expected_max. */
#define AF_REL_QUAD_EPSREL 1e-10
#define AF_REL_QUAD_EPSABS 1e-13

/* Subintervals the quadrature may use on each half-line. */
#define AF_REL_QUAD_LIMIT 256

/* ln sqrt(2 pi), for the log of the standard normal density, and ln(1/2). */
#define AF_REL_LN_SQRT_2PI 0.91893853320467274178
#define AF_REL_LN_HALF (-0.69314718055994530942)

/* GSL's error handler is one setting for the whole process: the functions that switch it off
 * around a minimizer or a quadrature and put it back hold this lock meanwhile, so two worlds
 * built at once in a threaded sweep (plan/sweep.h) cannot put back each other's "off" for good
 * or leave a default (aborting) handler in place under the other. The one mutable static in
 * the model layer; it holds no state of a simulation. */
static pthread_mutex_t rel_gsl_lock = PTHREAD_MUTEX_INITIALIZER;

/* x is a finite number > 0. */
static int rel_pos(double x)
{
    return x > 0 && isfinite(x);
}

/* x is a finite number >= 0. */
static int rel_nonneg(double x)
{
    return x >= 0 && isfinite(x);
}

/* ---- checkpoint intervals ------------------------------------------------------------------ */

double af_young_interval_s(double delta_s, double mtbf_s)
{
    if (!rel_nonneg(delta_s) || !rel_pos(mtbf_s))
        return NAN;
    return sqrt(2 * delta_s * mtbf_s);
}

double af_daly_interval_s(double delta_s, double mtbf_s)
{
    if (!rel_nonneg(delta_s) || !rel_pos(mtbf_s))
        return NAN;
    /* Daly's series is in sqrt(delta / (2M)), which reaches 1 at delta = 2M; there and beyond
     * he takes M, the limit the exact optimum approaches as delta / M grows (0.95 M at 2M). */
    if (delta_s >= 2 * mtbf_s)
        return mtbf_s;
    double x = delta_s / (2 * mtbf_s);
    return sqrt(2 * delta_s * mtbf_s) * (1 + sqrt(x) / 3 + x / 9) - delta_s;
}

double af_daly_wall_s(double solve_s, double tau_s, double delta_s, double restart_s, double mtbf_s)
{
    if (!rel_nonneg(solve_s) || !rel_pos(tau_s) || !rel_nonneg(delta_s) || !rel_nonneg(restart_s) ||
        !rel_pos(mtbf_s))
        return NAN;
    /* expm1, not exp - 1: with M in days and tau + delta in minutes the exponent is ~1e-3 and
     * the subtraction would throw away three of the sixteen digits. */
    return mtbf_s * exp(restart_s / mtbf_s) * expm1((tau_s + delta_s) / mtbf_s) * (solve_s / tau_s);
}

double af_waste_first_order(double tau_s, double delta_s, double restart_s, double mtbf_s)
{
    if (!rel_pos(tau_s) || !rel_nonneg(delta_s) || !rel_nonneg(restart_s) || !rel_pos(mtbf_s))
        return NAN;
    return delta_s / tau_s + (tau_s + delta_s) / (2 * mtbf_s) + restart_s / mtbf_s;
}

/* The arguments of Daly's wall time other than tau, for the minimizer. */
typedef struct rel_wall_args {
    double delta_s, restart_s, mtbf_s;
} rel_wall_args;

/* af_daly_wall_s per second of solve time as a function of tau alone. */
static double rel_wall_of_tau(double tau_s, void *p)
{
    const rel_wall_args *a = p;
    return af_daly_wall_s(1, tau_s, a->delta_s, a->restart_s, a->mtbf_s);
}

double af_best_interval_s(double delta_s, double restart_s, double mtbf_s)
{
    if (!rel_pos(delta_s) || !rel_nonneg(restart_s) || !rel_pos(mtbf_s))
        return NAN;
    rel_wall_args args = {delta_s, restart_s, mtbf_s};
    gsl_function fn = {rel_wall_of_tau, &args};
    /* Daly's estimate is within 7% of the optimum wherever the series applies and equals M
     * (the optimum's limit) beyond, and T_w is unimodal in tau (its derivative changes sign
     * once, where e^((tau + delta)/M) (1 - tau/M) = 1), so a factor of 16 either side brackets
     * the minimum with room to spare. The upper end stays where e^((tau + delta)/M) is finite. */
    double x = af_daly_interval_s(delta_s, mtbf_s);
    double a = x / 16, b = fmin(16 * x, AF_REL_MAX_EXP * mtbf_s - delta_s);
    if (!(b > x) || !(a > 0))
        return NAN;
    double fa = rel_wall_of_tau(a, &args), fx = rel_wall_of_tau(x, &args);
    double fb = rel_wall_of_tau(b, &args);
    if (!(fx < fa && fx < fb) || !isfinite(fa + fx + fb))
        return NAN;
    /* GSL's default error handler aborts the program; here a failure is reported as NaN, so the
     * handler is off while the minimizer runs and restored after. The handler is process-wide,
     * so it is switched under rel_gsl_lock. */
    pthread_mutex_lock(&rel_gsl_lock);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double best = NAN;
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (m && gsl_min_fminimizer_set_with_values(m, &fn, x, fx, a, fa, b, fb) == GSL_SUCCESS) {
        for (int i = 0; i < AF_REL_MIN_ITER; i++) {
            if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
                break;
            double lo = gsl_min_fminimizer_x_lower(m), hi = gsl_min_fminimizer_x_upper(m);
            if (gsl_min_test_interval(lo, hi, 0, AF_REL_MIN_EPSREL) == GSL_SUCCESS)
                break;
        }
        best = gsl_min_fminimizer_x_minimum(m);
    }
    if (m)
        gsl_min_fminimizer_free(m);
    gsl_set_error_handler(old);
    pthread_mutex_unlock(&rel_gsl_lock);
    return best;
}

double af_job_mtbf_s(double component_mtbf_s, double n)
{
    if (!rel_pos(component_mtbf_s) || !rel_pos(n))
        return NAN;
    return component_mtbf_s / n;
}

/* ---- failure processes --------------------------------------------------------------------- */

int af_failure_check(const af_failure_spec *f, const char *what, af_diag *d)
{
    const char *name = what ? what : "failures";
    int bad = 0;
    if (f->dist != AF_FAIL_EXPONENTIAL && f->dist != AF_FAIL_WEIBULL) {
        af_diag_error(d, "%s: unknown lifetime distribution %d", name, (int)f->dist);
        bad++;
    }
    if (!rel_pos(f->mean_s)) {
        af_diag_error(d,
                      "%s: mean time between failures must be a positive number of seconds, "
                      "got %g",
                      name, f->mean_s);
        bad++;
    }
    if (f->dist == AF_FAIL_WEIBULL &&
        !(f->shape >= AF_FAIL_SHAPE_MIN && f->shape <= AF_FAIL_SHAPE_MAX)) {
        af_diag_error(d, "%s: Weibull shape must be between %g and %g, got %g", name,
                      AF_FAIL_SHAPE_MIN, AF_FAIL_SHAPE_MAX, f->shape);
        bad++;
    }
    return bad ? AF_EINPUT : AF_OK;
}

double af_failure_scale_s(const af_failure_spec *f)
{
    if (f->dist == AF_FAIL_EXPONENTIAL)
        return f->mean_s;
    /* lambda = mean / Gamma(1 + 1/k), through the log so that no shape can overflow Gamma. */
    return f->mean_s * exp(-gsl_sf_lngamma(1 + 1 / f->shape));
}

double af_failure_group_mean_s(const af_failure_spec *f, double n)
{
    assert(n > 0);
    if (f->dist == AF_FAIL_EXPONENTIAL)
        return f->mean_s / n;
    return f->mean_s * pow(n, -1 / f->shape);
}

double af_failure_first_s(const af_failure_spec *f, double n, gsl_rng *r)
{
    assert(n > 0 && f->mean_s > 0);
    if (f->dist == AF_FAIL_EXPONENTIAL)
        return gsl_ran_exponential(r, f->mean_s / n);
    /* GSL's Weibull takes the scale first and the shape second: a (-ln U)^(1/b). */
    return gsl_ran_weibull(r, af_failure_scale_s(f) * pow(n, -1 / f->shape), f->shape);
}

size_t af_cause_pick(const double *weights, size_t n, gsl_rng *r)
{
    double sum = 0;
    size_t last = n;
    for (size_t i = 0; i < n; i++)
        if (weights[i] > 0) {
            sum += weights[i];
            last = i;
        }
    if (!(sum > 0))
        return n;
    double u = gsl_rng_uniform(r) * sum; /* in [0, sum) */
    double acc = 0;
    for (size_t i = 0; i < n; i++)
        if (weights[i] > 0) {
            acc += weights[i];
            if (u < acc)
                return i;
        }
    /* Summing again in the same order gives the same total, but u = (1 - 2^-32) sum may still
     * round up to it; that sliver belongs to the last cause that can be picked. */
    return last;
}

/* ---- stragglers ---------------------------------------------------------------------------- */

af_straggler_spec af_straggler_lognormal(double mean_s, double cv)
{
    double var = log1p(cv * cv);
    return (af_straggler_spec){AF_STEP_LOGNORMAL, log(mean_s) - var / 2, sqrt(var)};
}

int af_straggler_check(const af_straggler_spec *s, const char *what, af_diag *d)
{
    const char *name = what ? what : "step time";
    int bad = 0;
    if (s->dist != AF_STEP_NORMAL && s->dist != AF_STEP_LOGNORMAL) {
        af_diag_error(d, "%s: unknown step time distribution %d", name, (int)s->dist);
        bad++;
    }
    if (!isfinite(s->mu)) {
        af_diag_error(d, "%s: mu must be a finite number, got %g", name, s->mu);
        bad++;
    }
    if (!rel_nonneg(s->sigma)) {
        af_diag_error(d, "%s: sigma must be a finite number >= 0, got %g", name, s->sigma);
        bad++;
    }
    return bad ? AF_EINPUT : AF_OK;
}

/* The member step time at standard normal quantile z. */
static double rel_step_at(const af_straggler_spec *s, double z)
{
    return s->dist == AF_STEP_NORMAL ? s->mu + s->sigma * z : exp(s->mu + s->sigma * z);
}

double af_straggler_max_quantile(const af_straggler_spec *s, double n, double p)
{
    assert(n >= 1);
    if (!(p > 0 && p < 1))
        return NAN;
    if (s->sigma == 0)
        return rel_step_at(s, 0);
    /* The max of n members lies at F^(-1)(p^(1/n)), deep in F's upper tail for large n (beyond
     * 1 - 1e-4 at n = 16384 for p = 1/2). Forming p^(1/n) and then 1 - it would cancel four or
     * more digits, so in the upper half the tail probability 1 - p^(1/n) is computed directly
     * and inverted with the upper-tail inverse; in the lower half (small n and p) p^(1/n) is
     * itself the small number and goes to the lower-tail inverse. */
    double lp = log(p) / n;
    if (lp < AF_REL_LN_HALF)
        return rel_step_at(s, gsl_cdf_ugaussian_Pinv(exp(lp)));
    return rel_step_at(s, gsl_cdf_ugaussian_Qinv(-expm1(lp)));
}

double af_straggler_max_draw(const af_straggler_spec *s, double n, gsl_rng *r)
{
    /* uniform_pos: U = 0 would put the slowest member at minus infinity. */
    return af_straggler_max_quantile(s, n, gsl_rng_uniform_pos(r));
}

/* The spec and group size for the integrand of the expected maximum. */
typedef struct rel_max_args {
    const af_straggler_spec *s;
    double n;
} rel_max_args;

/* ln Phi(z) without the cancellation of ln(1 - Q(z)) for z below 0 or of ln P(z) above. */
static double rel_log_Phi(double z)
{
    return z < 0 ? log(gsl_cdf_ugaussian_P(z)) : log1p(-gsl_cdf_ugaussian_Q(z));
}

/* The density of the max of n standard normals, n Phi^(n-1) phi, times z (normal) or
 * e^(sigma z) (lognormal; the factor e^mu is applied outside). Formed in logs: on the half-lines
 * the quadrature maps to (0, 1], z reaches 1e10 and beyond, where e^(sigma z) alone overflows
 * while the product is 0. */
static double rel_max_integrand(double z, void *p)
{
    const rel_max_args *a = p;
    double lg = log(a->n) - 0.5 * z * z - AF_REL_LN_SQRT_2PI;
    if (a->n > 1) /* Phi^0 = 1 even where Phi underflows to 0, whose log would give NaN. */
        lg += (a->n - 1) * rel_log_Phi(z);
    if (a->s->dist == AF_STEP_NORMAL)
        return z * exp(lg);
    return exp(lg + a->s->sigma * z);
}

double af_straggler_expected_max(const af_straggler_spec *s, double n)
{
    assert(n >= 1);
    if (s->sigma == 0)
        return rel_step_at(s, 0);
    rel_max_args args = {s, n};
    gsl_function fn = {rel_max_integrand, &args};
    /* Split at the median of the max, where its density peaks for large n: each half-line is
     * then one smooth tail for the mapping of QAGIU/QAGIL. */
    double c = gsl_cdf_ugaussian_Qinv(-expm1(AF_REL_LN_HALF / n));
    double lo = NAN, hi = NAN, elo = 0, ehi = 0;
    pthread_mutex_lock(&rel_gsl_lock);
    gsl_error_handler_t *old = gsl_set_error_handler_off(); /* see af_best_interval_s */
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(AF_REL_QUAD_LIMIT);
    int st = GSL_ENOMEM;
    if (w) {
        st = gsl_integration_qagil(&fn, c, AF_REL_QUAD_EPSABS, AF_REL_QUAD_EPSREL,
                                   AF_REL_QUAD_LIMIT, w, &lo, &elo);
        if (st == GSL_SUCCESS)
            st = gsl_integration_qagiu(&fn, c, AF_REL_QUAD_EPSABS, AF_REL_QUAD_EPSREL,
                                       AF_REL_QUAD_LIMIT, w, &hi, &ehi);
    }
    if (w)
        gsl_integration_workspace_free(w);
    gsl_set_error_handler(old);
    pthread_mutex_unlock(&rel_gsl_lock);
    if (st != GSL_SUCCESS)
        return NAN;
    if (s->dist == AF_STEP_NORMAL)
        return s->mu + s->sigma * (lo + hi);
    return exp(s->mu) * (lo + hi);
}
