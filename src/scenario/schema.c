/*
 * schema: checking helpers and the catalog field table; see schema.h.
 *
 * Ranges in the table are "physically possible with a wide margin": they catch a unit or a
 * digit gone wrong (a 700 kW GPU, a 4 EB drive), not unusual hardware. Lower bounds follow from
 * meaning: a peak, a size or a bandwidth must be above zero; an FP8 peak, an idle power, a price
 * may be zero (no FP8 units, a gift); a node has at least one GPU and one storage port.
 */
#include "scenario/schema.h"

#include "base/alloc.h"
#include "model/fabric.h"
#include "model/facility.h"
#include "model/gpu.h"
#include "model/link.h"
#include "model/llm.h"
#include "model/node.h"
#include "model/server.h"
#include "model/storage.h"
#include "workload/mlperf.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(af_link_kind) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(af_media) == sizeof(int), "enum fields are stored as int");

/* ---------------------------------------------------------------------------------------------
 * Paths and errors. */

/* Records that n more bytes were written at the end of p (cut at the buffer's end). */
static size_t path_grew(af_path *p, size_t old, int n)
{
    if (n > 0)
        p->len += (size_t)n;
    if (p->len >= sizeof p->s)
        p->len = sizeof p->s - 1;
    return old;
}

size_t af_path_key(af_path *p, const char *key)
{
    size_t old = p->len;
    return path_grew(p, old, snprintf(p->s + old, sizeof p->s - old, "%s%s", old ? "." : "", key));
}

size_t af_path_index(af_path *p, size_t i)
{
    size_t old = p->len;
    return path_grew(p, old, snprintf(p->s + old, sizeof p->s - old, "[%zu]", i));
}

void af_path_pop(af_path *p, size_t len)
{
    p->len = len;
    p->s[len] = '\0';
}

void af_check_error(af_check *c, const af_node *at, const af_path *path, const char *fmt, ...)
{
    c->errors++;
    if (c->errors > AF_CHECK_MAX_ERRORS) {
        if (c->errors == AF_CHECK_MAX_ERRORS + 1)
            af_diag_error_at(c->d, at->file, at->line, at->col, NULL,
                             "more than %d errors; not reporting the rest", AF_CHECK_MAX_ERRORS);
        return;
    }
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    af_diag_error_at(c->d, at->file, at->line, at->col, path ? path->s : NULL, "%s", text);
}

/* A message's place in document order, for af_check_flush. */
typedef struct msg_order {
    size_t file;  /* rank of the file by first appearance */
    int line;     /* line, INT_MAX for none */
    int col;      /* column */
    size_t index; /* insertion order */
} msg_order;

static int msg_order_cmp(const void *a, const void *b)
{
    const msg_order *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void af_check_flush(af_diag *from, af_diag *to)
{
    size_t n = af_diag_count(from);
    msg_order *order = af_malloc_array(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        const af_diag_msg *m = af_diag_get(from, i);
        size_t rank = 0;
        while (rank < i) {
            const af_diag_msg *o = af_diag_get(from, rank);
            if ((!o->file && !m->file) || (o->file && m->file && strcmp(o->file, m->file) == 0))
                break;
            rank++;
        }
        /* The rank is the index of the first message with this file, which orders files by
         * first appearance. */
        order[i] = (msg_order){rank, m->line > 0 ? m->line : INT_MAX, m->col, i};
    }
    qsort(order, n, sizeof *order, msg_order_cmp);
    for (size_t i = 0; i < n; i++) {
        const af_diag_msg *m = af_diag_get(from, order[i].index);
        af_diag_add(to, m->sev, m->file, m->line, m->col, m->path, "%s", m->text);
    }
    af_free(order);
    af_diag_clear(from);
}

/* Describes what a node is, for "got ...": the quoted text of a scalar, "nothing" for an empty
 * one, or "a list" / "a mapping". */
static const char *check_got(const af_node *node, char *buf, size_t n)
{
    if (node->kind != AF_NODE_SCALAR)
        return af_node_kind_name(node->kind);
    if (node->n == 0)
        return "nothing";
    char q[128];
    snprintf(buf, n, "\"%s\"", af_doc_quote(node->text, q, sizeof q));
    return buf;
}

static bool check_kind(af_check *c, const af_node *node, const af_path *path, const char *what,
                       af_node_kind kind)
{
    if (!node)
        return false;
    if (node->kind == kind)
        return true;
    char got[160];
    af_check_error(c, node, path, "expected %s, got %s", what, check_got(node, got, sizeof got));
    return false;
}

bool af_check_map(af_check *c, const af_node *node, const af_path *path, const char *what)
{
    return check_kind(c, node, path, what, AF_NODE_MAP);
}

bool af_check_seq(af_check *c, const af_node *node, const af_path *path, const char *what)
{
    return check_kind(c, node, path, what, AF_NODE_SEQ);
}

bool af_check_scalar(af_check *c, const af_node *node, const af_path *path, const char *what)
{
    return check_kind(c, node, path, what, AF_NODE_SCALAR);
}

/* Appends the n words to buf as "a, b, c". */
static void check_list(char *buf, size_t size, const char *const *words, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        int k = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", words[i]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
    if (o >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

/* The key of keys[0..n) that `word` is most likely a typo of, or NULL: the nearest by edit
 * distance within af_did_you_mean's threshold; among equals, one not yet given in map ("nodez"
 * next to "node" means "nodes"), then one of the same length (a slip of one letter). */
static const char *check_suggest(const char *word, const char *const *keys, size_t n,
                                 const af_node *map)
{
    const char *best = NULL;
    int best_score = INT_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!af_did_you_mean(word, &keys[i], 1))
            continue;
        int score = 4 * af_edit_distance(word, keys[i]) + (af_node_find(map, keys[i]) ? 2 : 0) +
                    (strlen(keys[i]) != strlen(word));
        if (score < best_score) {
            best_score = score;
            best = keys[i];
        }
    }
    return best;
}

void af_check_keys(af_check *c, const af_node *map, const af_path *path, const char *const *keys,
                   size_t n, af_node **vals)
{
    for (size_t k = 0; k < n; k++)
        vals[k] = NULL;
    for (size_t i = 0; i < map->n; i++) {
        const af_pair *p = &map->pairs[i];
        size_t k = 0;
        while (k < n && strcmp(keys[k], p->key->text) != 0)
            k++;
        if (k < n) {
            vals[k] = p->value;
            continue;
        }
        char q[128], list[512];
        const char *best = check_suggest(p->key->text, keys, n, map);
        af_doc_quote(p->key->text, q, sizeof q);
        if (best) {
            af_check_error(c, p->key, path, "unknown key \"%s\"; did you mean \"%s\"?", q, best);
        } else {
            check_list(list, sizeof list, keys, n);
            af_check_error(c, p->key, path, "unknown key \"%s\"; expected one of: %s", q, list);
        }
    }
}

bool af_check_required(af_check *c, const af_node *map, const af_path *path, const char *key,
                       const af_node *val)
{
    if (val)
        return true;
    af_check_error(c, map, path, "missing required field \"%s\"", key);
    return false;
}

/* Formats a range bound for a message. Long times read better in years than in days. */
static const char *check_fmt(af_dim dim, double v, char *buf, size_t n)
{
    if (dim == AF_DIM_NUMBER || dim == AF_DIM_COUNT || dim == AF_DIM_RATIO)
        snprintf(buf, n, "%.10g", v);
    else if (dim == AF_DIM_TIME && v >= AF_YEAR_S)
        snprintf(buf, n, "%.4g y", v / AF_YEAR_S);
    else
        af_units_format(v, dim, buf, n);
    return buf;
}

/* Records how the watched node was read (the first valid reading). */
static void check_seen(af_check *c, const af_node *node, bool integer, af_dim dim, af_range r,
                       double v)
{
    if (!c->watch || node != c->watch || c->seen->seen)
        return;
    *c->seen = (af_check_seen){.seen = true,
                               .integer = integer,
                               .dim = dim,
                               .min = r.min,
                               .max = r.max,
                               .min_open = r.min_open,
                               .value = v};
}

bool af_check_quantity(af_check *c, const af_node *node, const af_path *path, af_dim dim,
                       af_range r, double *out)
{
    if (!af_check_scalar(c, node, path, af_units_expected(dim)))
        return false;
    char err[256], q[128], lo[64], hi[64];
    double v;
    if (node->n == 0) {
        af_check_error(c, node, path, "expected %s, got nothing", af_units_expected(dim));
        return false;
    }
    if (af_units_parse(node->text, dim, &v, err, sizeof err) != 0) {
        af_check_error(c, node, path, "%s", err);
        return false;
    }
    af_doc_quote(node->text, q, sizeof q);
    if (!isfinite(v)) {
        af_check_error(c, node, path, "expected a finite %s, got \"%s\"", af_units_expected(dim),
                       q);
        return false;
    }
    bool low = r.min_open ? !(v > r.min) : !(v >= r.min);
    if (!low && v <= r.max) {
        check_seen(c, node, false, dim, r, v);
        *out = v;
        return true;
    }
    check_fmt(dim, r.min, lo, sizeof lo);
    check_fmt(dim, r.max, hi, sizeof hi);
    if (dim == AF_DIM_RATIO)
        af_check_error(c, node, path, "expected a value in %s%s, %s], got \"%s\"",
                       r.min_open ? "(" : "[", lo, hi, q);
    else if (low)
        af_check_error(c, node, path, "expected %s %s, got \"%s\"",
                       r.min_open ? "more than" : "at least", lo, q);
    else
        af_check_error(c, node, path, "expected at most %s, got \"%s\"", hi, q);
    return false;
}

bool af_check_integer(af_check *c, const af_node *node, const af_path *path, int64_t min,
                      int64_t max, int64_t *out)
{
    char what[64];
    if (min == 1)
        snprintf(what, sizeof what, "a positive integer");
    else if (min == 0)
        snprintf(what, sizeof what, "a non-negative integer");
    else
        snprintf(what, sizeof what, "an integer of at least %lld", (long long)min);
    if (!af_check_scalar(c, node, path, what))
        return false;
    char err[256], got[160];
    double v;
    if (node->n == 0 || af_units_parse(node->text, AF_DIM_COUNT, &v, err, sizeof err) != 0 ||
        !isfinite(v) || v != floor(v) || v < (double)min) {
        af_check_error(c, node, path, "expected %s, got %s", what,
                       check_got(node, got, sizeof got));
        return false;
    }
    if (v > (double)max) {
        af_check_error(c, node, path, "expected at most %lld, got %s", (long long)max,
                       check_got(node, got, sizeof got));
        return false;
    }
    check_seen(c, node, true, AF_DIM_COUNT, (af_range){(double)min, (double)max, false}, v);
    *out = (int64_t)v;
    return true;
}

const char *af_check_string(af_check *c, const af_node *node, const af_path *path, const char *what)
{
    if (!af_check_scalar(c, node, path, what))
        return NULL;
    if (node->n == 0) {
        af_check_error(c, node, path, "expected %s, got nothing", what);
        return NULL;
    }
    return node->text;
}

/* Reports the first control character of the scalar at node (see af_check_label) and returns
 * false; true when there is none. Besides the C0 controls and DEL (single bytes) this finds the
 * C1 controls U+0080..U+009F, which some terminals obey too (U+009B starts an escape sequence
 * like ESC [); in the UTF-8 that libyaml hands over they are the pairs C2 80..C2 9F. */
static bool check_printable(af_check *c, const af_node *node, const af_path *path,
                            const char *example)
{
    for (const unsigned char *p = (const unsigned char *)node->text; *p; p++) {
        unsigned code;
        if (*p < 0x20 || *p == 0x7f)
            code = *p;
        else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            code = p[1];
        else
            continue;
        af_check_error(c, node, path,
                       "control character U+%04X is not allowed; expected printable text such "
                       "as \"%s\"",
                       code, example);
        return false;
    }
    return true;
}

const char *af_check_label(af_check *c, const af_node *node, const af_path *path, const char *what,
                           const char *example)
{
    const char *s = af_check_string(c, node, path, what);
    return s && check_printable(c, node, path, example) ? s : NULL;
}

const char *af_check_name(af_check *c, const af_node *node, const af_path *path)
{
    static const char what[] = "a name of letters, digits, \"-\" and \"_\" such as \"train\"";
    const char *s = af_check_label(c, node, path, what, "train");
    if (!s)
        return NULL;
    bool ok = node->n <= 64 && s[0] != '-' && s[0] != '_';
    for (size_t i = 0; ok && i < node->n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_';
    if (ok)
        return s;
    char got[160];
    af_check_error(c, node, path, "expected %s (at most 64), got %s", what,
                   check_got(node, got, sizeof got));
    return NULL;
}

int af_check_word(af_check *c, const af_node *node, const af_path *path, const char *const *words)
{
    size_t n = 0;
    while (words[n])
        n++;
    char list[256], got[160];
    check_list(list, sizeof list, words, n);
    char what[300];
    snprintf(what, sizeof what, "one of %s", list);
    if (!af_check_scalar(c, node, path, what))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(node->text, words[i]) == 0)
            return (int)i;
    const char *best = af_did_you_mean(node->text, words, n);
    if (best)
        af_check_error(c, node, path, "expected %s, got %s; did you mean \"%s\"?", what,
                       check_got(node, got, sizeof got), best);
    else
        af_check_error(c, node, path, "expected %s, got %s", what,
                       check_got(node, got, sizeof got));
    return -1;
}

void af_check_unknown(af_check *c, const af_node *node, const af_path *path, const char *noun,
                      const char *name, const char *const *cands, size_t n, const char *see_section)
{
    char q[128], list[256];
    const char *best = af_did_you_mean(name, cands, n);
    af_doc_quote(name, q, sizeof q);
    if (best)
        af_check_error(c, node, path, "unknown %s \"%s\"; did you mean \"%s\"?", noun, q, best);
    else if (see_section)
        af_check_error(c, node, path, "unknown %s \"%s\"; see \"aifsim catalog %s\"", noun, q,
                       see_section);
    else if (n) {
        check_list(list, sizeof list, cands, n);
        af_check_error(c, node, path, "unknown %s \"%s\"; defined: %s", noun, q, list);
    } else {
        af_check_error(c, node, path, "unknown %s \"%s\"", noun, q);
    }
}

/* ---------------------------------------------------------------------------------------------
 * The field table. */

#define AF_INF 1e300
/* The initializer macros read better unwrapped. */
/* clang-format off */
#define AF_RANGE(lo, hi, open) {(lo), (hi), (open)}
#define AF_POSITIVE(max) AF_RANGE(0, max, true)
#define AF_NONNEG(max) AF_RANGE(0, max, false)

#define AF_REAL(spec, key, dim, member, range)                                                     \
    {key, AF_FIELD_REAL, dim, offsetof(spec, member), range, NULL, AF_SECTION__COUNT}
#define AF_INT(spec, key, member, lo, hi)                                                          \
    {key, AF_FIELD_INT, AF_DIM_COUNT, offsetof(spec, member), {lo, hi, false}, NULL,               \
     AF_SECTION__COUNT}
#define AF_ENUM(spec, key, member, words)                                                          \
    {key, AF_FIELD_ENUM, AF_DIM_NUMBER, offsetof(spec, member), {0, 0, false}, words,              \
     AF_SECTION__COUNT}
#define AF_REF(spec, key, member, sec)                                                             \
    {key, AF_FIELD_REF, AF_DIM_NUMBER, offsetof(spec, member), {0, 0, false}, NULL, sec}
/* clang-format on */

static const af_field gpu_fields[] = {
    AF_REAL(af_gpu_spec, "bf16", AF_DIM_FLOPS, bf16_flops, AF_RANGE(1e9, 1e18, false)),
    AF_REAL(af_gpu_spec, "fp8", AF_DIM_FLOPS, fp8_flops, AF_NONNEG(1e18)),
    AF_REAL(af_gpu_spec, "hbm", AF_DIM_SIZE, hbm_B, AF_POSITIVE(1e15)),
    AF_REAL(af_gpu_spec, "hbm_bandwidth", AF_DIM_BANDWIDTH, hbm_Bps, AF_POSITIVE(1e15)),
    AF_REAL(af_gpu_spec, "tdp", AF_DIM_POWER, tdp_W, AF_POSITIVE(1e5)),
    AF_REAL(af_gpu_spec, "idle_power", AF_DIM_POWER, idle_W, AF_NONNEG(1e5)),
    AF_REAL(af_gpu_spec, "price", AF_DIM_MONEY, price_usd, AF_NONNEG(1e9)),
    AF_REAL(af_gpu_spec, "min_power_limit", AF_DIM_POWER, min_limit_W, AF_POSITIVE(1e5)),
    AF_REAL(af_gpu_spec, "capped_power", AF_DIM_POWER, capped_W, AF_POSITIVE(1e5)),
    AF_REAL(af_gpu_spec, "capped_throughput", AF_DIM_RATIO, capped_share, AF_POSITIVE(1)),
};
/* No order ties the power-limit fields to tdp: an override of tdp alone must not be refused for
 * the catalog's curve point; a point at or above tdp is treated as no point (model/gpu.h). */
static const af_field_order gpu_orders[] = {{"idle_power", "tdp"}};

static const char *const link_kinds[] = {"infiniband", "ethernet", "nvlink", "pcie", NULL};
static const af_field link_fields[] = {
    AF_ENUM(af_link_spec, "kind", kind, link_kinds),
    AF_REAL(af_link_spec, "rate", AF_DIM_BANDWIDTH, rate_Bps, AF_RANGE(1e3, 1e14, false)),
    AF_REAL(af_link_spec, "latency", AF_DIM_TIME, latency_s, AF_NONNEG(1)),
    AF_REAL(af_link_spec, "port_power", AF_DIM_POWER, port_power_W, AF_NONNEG(1e4)),
};

static const af_field node_fields[] = {
    AF_REF(af_node_spec, "gpu", gpu, AF_SECTION_GPUS),
    AF_INT(af_node_spec, "gpus", gpus, 1, 1024),
    AF_REF(af_node_spec, "nic", nic, AF_SECTION_LINKS),
    AF_INT(af_node_spec, "nics", nics, 0, 1024),
    AF_REF(af_node_spec, "storage_nic", storage_nic, AF_SECTION_LINKS),
    AF_INT(af_node_spec, "storage_nics", storage_nics, 1, 1024),
    AF_REAL(af_node_spec, "max_power", AF_DIM_POWER, max_power_W, AF_POSITIVE(1e7)),
    AF_REAL(af_node_spec, "host_power", AF_DIM_POWER, host_W, AF_NONNEG(1e7)),
    AF_REAL(af_node_spec, "rack_units", AF_DIM_NUMBER, rack_units, AF_POSITIVE(1000)),
    AF_REAL(af_node_spec, "price", AF_DIM_MONEY, price_usd, AF_NONNEG(1e10)),
    AF_REAL(af_node_spec, "embodied_carbon", AF_DIM_CARBON, embodied_kg, AF_NONNEG(1e9)),
    AF_REF(af_node_spec, "nvlink", nvlink, AF_SECTION_LINKS),
    AF_REF(af_node_spec, "host_link", host_link, AF_SECTION_LINKS),
};
static const af_field_order node_orders[] = {{"host_power", "max_power"}};

static const char *const media_words[] = {"tlc", "qlc", "hdd", NULL};
static const af_field storage_fields[] = {
    AF_ENUM(af_storage_spec, "media", media, media_words),
    AF_INT(af_storage_spec, "devices", devices, 1, 100000),
    AF_REAL(af_storage_spec, "device_capacity", AF_DIM_SIZE, device_B, AF_POSITIVE(1e15)),
    AF_REAL(af_storage_spec, "device_read", AF_DIM_BANDWIDTH, device_read_Bps,
            AF_RANGE(1e3, 1e12, false)),
    AF_REAL(af_storage_spec, "device_write", AF_DIM_BANDWIDTH, device_write_Bps,
            AF_RANGE(1e3, 1e12, false)),
    AF_REAL(af_storage_spec, "device_read_iops", AF_DIM_RATE, device_read_iops,
            AF_RANGE(1, 1e9, false)),
    AF_REAL(af_storage_spec, "device_write_iops", AF_DIM_RATE, device_write_iops,
            AF_RANGE(1, 1e9, false)),
    AF_REAL(af_storage_spec, "device_latency", AF_DIM_TIME, device_latency_s, AF_NONNEG(10)),
    /* Flash die operations (0 for a disk): a program or erase, or a suspend, of a second or more
     * is a typo (they take microseconds to milliseconds); no block takes a million programs. */
    AF_REAL(af_storage_spec, "program_time", AF_DIM_TIME, program_s, AF_NONNEG(1)),
    AF_REAL(af_storage_spec, "erase_time", AF_DIM_TIME, erase_s, AF_NONNEG(1)),
    AF_REAL(af_storage_spec, "program_suspend", AF_DIM_TIME, program_suspend_s, AF_NONNEG(1)),
    AF_REAL(af_storage_spec, "erase_suspend", AF_DIM_TIME, erase_suspend_s, AF_NONNEG(1)),
    AF_REAL(af_storage_spec, "programs_per_erase", AF_DIM_NUMBER, programs_per_erase,
            AF_NONNEG(1e6)),
    AF_REAL(af_storage_spec, "device_idle_power", AF_DIM_POWER, device_idle_W, AF_NONNEG(1e4)),
    AF_REAL(af_storage_spec, "device_read_power", AF_DIM_POWER, device_read_W, AF_NONNEG(1e4)),
    AF_REAL(af_storage_spec, "device_write_power", AF_DIM_POWER, device_write_W, AF_NONNEG(1e4)),
    AF_REF(af_storage_spec, "nic", nic, AF_SECTION_LINKS),
    AF_INT(af_storage_spec, "nics", nics, 1, 1024),
    AF_REAL(af_storage_spec, "usable_fraction", AF_DIM_RATIO, usable_fraction, AF_POSITIVE(1)),
    AF_REAL(af_storage_spec, "server_power", AF_DIM_POWER, server_W, AF_NONNEG(1e6)),
    AF_REAL(af_storage_spec, "enclosure_power", AF_DIM_POWER, enclosure_W, AF_NONNEG(1e6)),
    AF_REAL(af_storage_spec, "rack_units", AF_DIM_NUMBER, rack_units, AF_POSITIVE(1000)),
    AF_REAL(af_storage_spec, "device_price", AF_DIM_MONEY, device_price_usd, AF_NONNEG(1e8)),
    AF_REAL(af_storage_spec, "chassis_price", AF_DIM_MONEY, chassis_price_usd, AF_NONNEG(1e10)),
    AF_REAL(af_storage_spec, "device_embodied_carbon", AF_DIM_CARBON, device_embodied_kg,
            AF_NONNEG(1e7)),
    AF_REAL(af_storage_spec, "chassis_embodied_carbon", AF_DIM_CARBON, chassis_embodied_kg,
            AF_NONNEG(1e8)),
};
static const af_field_order storage_orders[] = {{"device_idle_power", "device_read_power"},
                                                {"device_idle_power", "device_write_power"}};

static const af_field facility_fields[] = {
    AF_REAL(af_facility_spec, "pue", AF_DIM_NUMBER, pue, AF_RANGE(1, 10, false)),
    /* 10 USD/kWh */
    AF_REAL(af_facility_spec, "energy_price", AF_DIM_ENERGY_PRICE, energy_price_usd_J,
            AF_NONNEG(10 / 3.6e6)),
    AF_REAL(af_facility_spec, "amortization", AF_DIM_TIME, amortization_s,
            AF_RANGE(86400, 100 * AF_YEAR_S, false)),
    AF_REAL(af_facility_spec, "rack_power", AF_DIM_POWER, rack_power_W, AF_RANGE(100, 1e7, false)),
    AF_REAL(af_facility_spec, "rack_units", AF_DIM_NUMBER, rack_units, AF_RANGE(1, 1000, false)),
    /* 1e6 USD/h */
    AF_REAL(af_facility_spec, "space_cost", AF_DIM_HOURLY_PRICE, space_usd_s_per_rack,
            AF_NONNEG(1e6 / 3600)),
    AF_REAL(af_facility_spec, "storage_life", AF_DIM_TIME, storage_life_s,
            AF_RANGE(86400, 100 * AF_YEAR_S, false)),
    AF_REAL(af_facility_spec, "network_life", AF_DIM_TIME, network_life_s,
            AF_RANGE(86400, 100 * AF_YEAR_S, false)),
    /* Maintenance above the purchase price every year is a typo. */
    AF_REAL(af_facility_spec, "maintenance", AF_DIM_RATIO, maintenance, AF_NONNEG(1)),
    /* 10 kg CO2e/kWh: ten times the dirtiest grid. */
    AF_REAL(af_facility_spec, "carbon_intensity", AF_DIM_CARBON_INTENSITY, carbon_kg_J,
            AF_NONNEG(10 / 3.6e6)),
    AF_REAL(af_facility_spec, "lifetime", AF_DIM_TIME, lifetime_s,
            AF_RANGE(86400, 100 * AF_YEAR_S, false)),
    /* 0 W: no cap; 100 GW is past any site. */
    AF_REAL(af_facility_spec, "power_cap", AF_DIM_POWER, power_cap_W, AF_NONNEG(1e11)),
};

/* A switch has at least two ports (a radix below 2 switches nothing, af_fabric_init refuses it);
 * 10,000 ports are far past any chassis, and a port is held to the links' limit. Power may not
 * be zero: a switch with no draw is a typo. */
static const af_field switch_fields[] = {
    AF_INT(af_switch_spec, "ports", ports, 2, 10000),
    AF_REAL(af_switch_spec, "port_rate", AF_DIM_BANDWIDTH, port_rate_Bps, AF_RANGE(1e3, 1e14, false)),
    AF_REAL(af_switch_spec, "typical_power", AF_DIM_POWER, typical_W, AF_POSITIVE(1e6)),
    AF_REAL(af_switch_spec, "max_power", AF_DIM_POWER, max_W, AF_POSITIVE(1e6)),
    AF_REAL(af_switch_spec, "rack_units", AF_DIM_NUMBER, rack_units, AF_POSITIVE(1000)),
    AF_REAL(af_switch_spec, "price", AF_DIM_MONEY, price_usd, AF_NONNEG(1e10)),
};
static const af_field_order switch_orders[] = {{"typical_power", "max_power"}};

/* A language model's shape, as its config.json gives it. The bounds are far past any published
 * model (Llama 3.1 405B: 126 layers of 16,384, 128k context) and only catch typos; a model needs
 * at least one KV head, and no more KV heads than query heads. */
static const af_field llm_fields[] = {
    AF_REAL(af_llm_spec, "params", AF_DIM_COUNT, params, AF_POSITIVE(1e15)),
    AF_INT(af_llm_spec, "layers", layers, 1, 100000),
    AF_INT(af_llm_spec, "hidden", hidden, 1, 10000000),
    AF_INT(af_llm_spec, "ffn", ffn, 1, 100000000),
    AF_INT(af_llm_spec, "heads", heads, 1, 100000),
    AF_INT(af_llm_spec, "kv_heads", kv_heads, 1, 100000),
    AF_INT(af_llm_spec, "head_dim", head_dim, 1, 100000),
    AF_INT(af_llm_spec, "vocab", vocab, 1, 100000000),
    AF_INT(af_llm_spec, "context", context, 1, 1000000000),
};
static const af_field_order llm_orders[] = {{"kv_heads", "heads"}};

/* An MLPerf Storage workload's published configuration (workload/mlperf.h). The keys are the
 * training job's that each figure fills. A record of 1 B to 1 TB, a step of 1 us to a day. */
static const af_field mlperf_fields[] = {
    AF_REAL(af_mlperf_spec, "sample_size", AF_DIM_SIZE, sample_B, AF_RANGE(1, 1e12, false)),
    AF_REAL(af_mlperf_spec, "sample_spread", AF_DIM_SIZE, sample_sd_B, AF_NONNEG(1e12)),
    AF_INT(af_mlperf_spec, "samples_per_file", samples_per_file, 1, 1000000000),
    AF_INT(af_mlperf_spec, "batch_per_gpu", batch, 1, 1000000000),
    AF_REAL(af_mlperf_spec, "step_time", AF_DIM_TIME, compute_s, AF_RANGE(1e-6, 86400, false)),
    AF_INT(af_mlperf_spec, "reader_threads", reader_threads, 1, 4096),
    AF_INT(af_mlperf_spec, "epochs", epochs, 1, 1000000),
    AF_REAL(af_mlperf_spec, "min_au", AF_DIM_RATIO, au_min, AF_POSITIVE(1)),
    AF_INT(af_mlperf_spec, "min_steps_per_epoch", min_steps, 1, 1000000000),
    AF_REAL(af_mlperf_spec, "memory_factor", AF_DIM_NUMBER, memory_factor, AF_NONNEG(1000)),
};

/* A CPU server (model/server.h): a GPU node's schema would ask it for GPUs, NVLink and a PCIe
 * host link it does not have, and has no idle power for the host, so CPU servers are a section
 * of their own. Idle may be zero (a gift of physics); a server of 100 kW or 1,000 U is a typo. */
static const af_field server_fields[] = {
    AF_REAL(af_server_spec, "idle_power", AF_DIM_POWER, idle_W, AF_NONNEG(1e5)),
    AF_REAL(af_server_spec, "busy_power", AF_DIM_POWER, busy_W, AF_POSITIVE(1e5)),
    AF_REAL(af_server_spec, "rack_units", AF_DIM_NUMBER, rack_units, AF_POSITIVE(1000)),
    AF_REAL(af_server_spec, "price", AF_DIM_MONEY, price_usd, AF_NONNEG(1e9)),
    AF_REAL(af_server_spec, "embodied_carbon", AF_DIM_CARBON, embodied_kg, AF_NONNEG(1e7)),
};
static const af_field_order server_orders[] = {{"idle_power", "busy_power"}};

#define AF_N(a) (sizeof(a) / sizeof((a)[0]))

static const af_spec_desc descs[AF_SECTION__COUNT] = {
    {AF_SECTION_GPUS, "gpus", "gpu", "h100-sxm", sizeof(af_gpu_spec), offsetof(af_gpu_spec, name),
     offsetof(af_gpu_spec, description), gpu_fields, AF_N(gpu_fields), gpu_orders,
     AF_N(gpu_orders)},
    {AF_SECTION_LINKS, "links", "link", "ib-ndr-400", sizeof(af_link_spec),
     offsetof(af_link_spec, name), offsetof(af_link_spec, description), link_fields,
     AF_N(link_fields), NULL, 0},
    {AF_SECTION_NODES, "nodes", "node", "dgx-h100", sizeof(af_node_spec),
     offsetof(af_node_spec, name), offsetof(af_node_spec, description), node_fields,
     AF_N(node_fields), node_orders, AF_N(node_orders)},
    {AF_SECTION_STORAGE, "storage", "storage system", "flash-qlc-node", sizeof(af_storage_spec),
     offsetof(af_storage_spec, name), offsetof(af_storage_spec, description), storage_fields,
     AF_N(storage_fields), storage_orders, AF_N(storage_orders)},
    {AF_SECTION_FACILITY, "facility", "facility preset", "hyperscale", sizeof(af_facility_spec),
     offsetof(af_facility_spec, name), offsetof(af_facility_spec, description), facility_fields,
     AF_N(facility_fields), NULL, 0},
    {AF_SECTION_SWITCHES, "switches", "switch", "qm9700", sizeof(af_switch_spec),
     offsetof(af_switch_spec, name), offsetof(af_switch_spec, description), switch_fields,
     AF_N(switch_fields), switch_orders, AF_N(switch_orders)},
    {AF_SECTION_LLMS, "llms", "language model", "llama3-8b", sizeof(af_llm_spec),
     offsetof(af_llm_spec, name), offsetof(af_llm_spec, description), llm_fields,
     AF_N(llm_fields), llm_orders, AF_N(llm_orders)},
    {AF_SECTION_MLPERF, "mlperf", "MLPerf Storage workload", "unet3d-h100", sizeof(af_mlperf_spec),
     offsetof(af_mlperf_spec, name), offsetof(af_mlperf_spec, description), mlperf_fields,
     AF_N(mlperf_fields), NULL, 0},
    {AF_SECTION_SERVERS, "servers", "CPU server", "epyc-9654-2s", sizeof(af_server_spec),
     offsetof(af_server_spec, name), offsetof(af_server_spec, description), server_fields,
     AF_N(server_fields), server_orders, AF_N(server_orders)},
};

/* Fields per section and bytes per spec at most (for stack arrays). */
#define AF_MAX_FIELDS 32
#define AF_MAX_SPEC 512
_Static_assert(AF_N(storage_fields) <= AF_MAX_FIELDS, "raise AF_MAX_FIELDS");
_Static_assert(sizeof(af_node_spec) <= AF_MAX_SPEC && sizeof(af_storage_spec) <= AF_MAX_SPEC &&
                   sizeof(af_switch_spec) <= AF_MAX_SPEC && sizeof(af_llm_spec) <= AF_MAX_SPEC &&
                   sizeof(af_mlperf_spec) <= AF_MAX_SPEC,
               "raise AF_MAX_SPEC");

const af_spec_desc *af_schema_desc(af_section sec)
{
    return sec < AF_SECTION__COUNT ? &descs[sec] : NULL;
}

const af_field *af_schema_field(const af_spec_desc *desc, const char *key)
{
    for (size_t i = 0; i < desc->nfields; i++)
        if (strcmp(desc->fields[i].key, key) == 0)
            return &desc->fields[i];
    return NULL;
}

static void *spec_member(void *spec, size_t offset)
{
    return (char *)spec + offset;
}

static const void *spec_cmember(const void *spec, size_t offset)
{
    return (const char *)spec + offset;
}

double af_schema_value(const af_field *f, const void *spec)
{
    if (f->kind == AF_FIELD_REAL)
        return *(const double *)spec_cmember(spec, f->offset);
    if (f->kind == AF_FIELD_INT)
        return *(const int *)spec_cmember(spec, f->offset);
    return 0;
}

const char *af_schema_format(const af_field *f, const void *spec, char *buf, size_t n)
{
    switch (f->kind) {
    case AF_FIELD_REAL:
        if (f->dim == AF_DIM_NUMBER)
            snprintf(buf, n, "%.4g", af_schema_value(f, spec));
        else
            af_units_format(af_schema_value(f, spec), f->dim, buf, n);
        break;
    case AF_FIELD_INT:
        snprintf(buf, n, "%d", *(const int *)spec_cmember(spec, f->offset));
        break;
    case AF_FIELD_ENUM: {
        int v = *(const int *)spec_cmember(spec, f->offset);
        int k = 0;
        while (f->words[k] && k < v)
            k++;
        snprintf(buf, n, "%s", f->words[k] ? f->words[k] : "?");
        break;
    }
    case AF_FIELD_REF: {
        const af_spec_desc *sub = af_schema_desc(f->ref);
        const char *name =
            *(const char *const *)spec_cmember(spec_cmember(spec, f->offset), sub->name_offset);
        snprintf(buf, n, "%s", name ? name : "?");
        break;
    }
    }
    return buf;
}

void af_schema_intern(af_section sec, void *spec, af_arena *arena)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    const char **name = spec_member(spec, desc->name_offset);
    const char **text = spec_member(spec, desc->description_offset);
    if (*name)
        *name = af_arena_strdup(arena, *name);
    if (*text)
        *text = af_arena_strdup(arena, *text);
    for (size_t i = 0; i < desc->nfields; i++)
        if (desc->fields[i].kind == AF_FIELD_REF)
            af_schema_intern(desc->fields[i].ref, spec_member(spec, desc->fields[i].offset), arena);
}

/* ---------------------------------------------------------------------------------------------
 * Reading a mapping through the table. */

/* Whether text is a date written YYYY-MM or YYYY-MM-DD (year 1990 to 2099). */
static bool schema_date_ok(const char *t)
{
    size_t n = strlen(t);
    if (n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? t[i] != '-' : !(t[i] >= '0' && t[i] <= '9'))
            return false;
    }
    int year = atoi(t), month = atoi(t + 5), day = n == 10 ? atoi(t + 8) : 1;
    return year >= 1990 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* A catalog figure `{ value: <quantity>, source: "<text>" }`, and for a price also
 * `date: YYYY-MM` (when it was quoted): reports what is wrong with its shape, stores the source
 * and the date and returns the value node (NULL when there is none). */
static const af_node *schema_figure(af_check *c, const af_node *node, af_path *path, bool priced,
                                    const char **source, const char **date)
{
    if (node->kind != AF_NODE_MAP) {
        char got[160];
        af_check_error(c, node, path,
                       "expected { value: <quantity>, source: \"<where it comes from>\"%s } "
                       "(every catalog figure has a source%s), got %s",
                       priced ? ", date: <YYYY-MM>" : "", priced ? " and a price a date" : "",
                       check_got(node, got, sizeof got));
        return NULL;
    }
    static const char *const keys[] = {"value", "source", "date"};
    af_node *vals[3];
    af_check_keys(c, node, path, keys, priced ? 3 : 2, vals);
    af_check_required(c, node, path, "value", vals[0]);
    af_check_required(c, node, path, "source", vals[1]);
    if (vals[1]) {
        size_t old = af_path_key(path, "source");
        const char *text = af_check_string(c, vals[1], path, "a source such as \"datasheet\"");
        af_path_pop(path, old);
        if (source)
            *source = text;
    }
    if (priced) {
        af_check_required(c, node, path, "date", vals[2]);
        size_t old = af_path_key(path, "date");
        const char *text =
            vals[2] ? af_check_string(c, vals[2], path, "a date such as \"2024-12\"") : NULL;
        if (text && !schema_date_ok(text)) {
            char q[128];
            af_check_error(c, vals[2], path,
                           "expected the month the price was quoted, such as \"2024-12\" "
                           "(YYYY-MM or YYYY-MM-DD), got \"%s\"",
                           af_doc_quote(text, q, sizeof q));
            text = NULL;
        }
        af_path_pop(path, old);
        if (date)
            *date = text;
    }
    /* The value is checked even without a source, so that one pass shows both mistakes. */
    return vals[0];
}

/* Reads one field's value node into spec; returns true when it was valid. */
static bool schema_field_read(af_check *c, const af_schema_refs *refs, const af_field *f,
                              const af_node *node, af_path *path, af_schema_mode mode, void *spec,
                              const char **source, const char **date)
{
    void *member = spec_member(spec, f->offset);
    switch (f->kind) {
    case AF_FIELD_REAL:
    case AF_FIELD_INT: {
        if (mode == AF_SCHEMA_CATALOG &&
            !(node = schema_figure(c, node, path,
                                   f->dim == AF_DIM_MONEY || f->dim == AF_DIM_ENERGY_PRICE ||
                                       f->dim == AF_DIM_HOURLY_PRICE,
                                   source, date)))
            return false;
        bool ok;
        if (f->kind == AF_FIELD_REAL) {
            double v;
            if ((ok = af_check_quantity(c, node, path, f->dim, f->range, &v)))
                *(double *)member = v;
        } else {
            int64_t v;
            if ((ok = af_check_integer(c, node, path, (int64_t)f->range.min, (int64_t)f->range.max,
                                       &v)))
                *(int *)member = (int)v;
        }
        return ok;
    }
    case AF_FIELD_ENUM: {
        int v = af_check_word(c, node, path, f->words);
        if (v >= 0)
            *(int *)member = v;
        return v >= 0;
    }
    case AF_FIELD_REF: {
        const af_spec_desc *sub = af_schema_desc(f->ref);
        if (mode == AF_SCHEMA_OVERRIDE && node->kind == AF_NODE_MAP)
            return af_schema_read(c, refs, f->ref, node, path, mode, member, NULL);
        char what[96];
        snprintf(what, sizeof what, "a %s name such as \"%s\"%s", sub->noun, sub->example,
                 mode == AF_SCHEMA_OVERRIDE ? " or a mapping of its fields" : "");
        const char *name = af_check_label(c, node, path, what, sub->example);
        if (!name)
            return false;
        const void *entry = refs->find(refs->ctx, f->ref, name);
        if (entry) {
            memcpy(member, entry, sub->size);
            return true;
        }
        if (refs->section_ok(refs->ctx, f->ref)) {
            size_t n;
            const char *const *names = refs->names(refs->ctx, f->ref, &n);
            af_check_unknown(c, node, path, sub->noun, name, names, n, sub->key);
        }
        return false;
    }
    }
    return false;
}

/* Checks a kebab-case catalog name: lower-case letters and digits in words joined by '-'. */
static bool schema_kebab(const char *s)
{
    if (!*s || *s == '-')
        return false;
    for (const char *p = s; *p; p++) {
        bool word = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
        if (!word && !(*p == '-' && p[1] && p[1] != '-'))
            return false;
    }
    return strlen(s) <= 64;
}

bool af_schema_read(af_check *c, const af_schema_refs *refs, af_section sec, const af_node *map,
                    af_path *path, af_schema_mode mode, void *spec, const char **sources)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    size_t before = c->errors;
    bool catalog = mode == AF_SCHEMA_CATALOG;
    /* Check-only: read into a scratch spec that is thrown away. */
    _Alignas(max_align_t) unsigned char scratch[AF_MAX_SPEC];
    bool check_only = !spec;
    if (check_only) {
        memset(scratch, 0, sizeof scratch);
        spec = scratch;
    }
    char what[96];
    snprintf(what, sizeof what, "a mapping of %s fields", desc->noun);
    if (!af_check_map(c, map, path, what))
        return false;

    const char *keys[AF_MAX_FIELDS + 2] = {NULL};
    af_node *vals[AF_MAX_FIELDS + 2];
    size_t nk = 0;
    if (catalog) {
        keys[nk++] = "name";
        keys[nk++] = "description";
    }
    for (size_t i = 0; i < desc->nfields; i++)
        keys[nk++] = desc->fields[i].key;
    af_check_keys(c, map, path, keys, nk, vals);
    af_node **fv = catalog ? vals + 2 : vals;

    if (catalog) {
        const char *name = NULL, *text = NULL;
        size_t old = af_path_key(path, "name");
        if (vals[0] && (name = af_check_string(c, vals[0], path, "a name such as \"h100-sxm\"")) &&
            !schema_kebab(name)) {
            char q[128];
            af_check_error(c, vals[0], path,
                           "expected a kebab-case name (lower-case words joined by \"-\") such "
                           "as \"h100-sxm\", got \"%s\"",
                           af_doc_quote(name, q, sizeof q));
        }
        af_path_pop(path, old);
        old = af_path_key(path, "description");
        if (vals[1])
            text = af_check_string(c, vals[1], path, "a one-line description");
        af_path_pop(path, old);
        af_check_required(c, map, path, "name", vals[0]);
        af_check_required(c, map, path, "description", vals[1]);
        *(const char **)spec_member(spec, desc->name_offset) = name;
        *(const char **)spec_member(spec, desc->description_offset) = text;
    }

    bool ok[AF_MAX_FIELDS];
    for (size_t i = 0; i < desc->nfields; i++) {
        const af_field *f = &desc->fields[i];
        if (sources)
            sources[i] = sources[desc->nfields + i] = NULL;
        /* Absent: fine in an override (the entry's value stays), missing in the catalog. */
        ok[i] = !fv[i] && !catalog;
        if (!fv[i]) {
            if (catalog)
                af_check_required(c, map, path, f->key, NULL);
            continue;
        }
        size_t old = af_path_key(path, f->key);
        ok[i] =
            schema_field_read(c, refs, f, fv[i], path, mode, spec, sources ? &sources[i] : NULL,
                              sources ? &sources[desc->nfields + i] : NULL);
        af_path_pop(path, old);
    }

    /* Cross-field checks, when both fields are valid and this mapping set one of them. */
    for (size_t k = 0; k < desc->norders && !check_only; k++) {
        const af_field *lo = af_schema_field(desc, desc->orders[k].lo);
        const af_field *hi = af_schema_field(desc, desc->orders[k].hi);
        size_t il = (size_t)(lo - desc->fields), ih = (size_t)(hi - desc->fields);
        double vl = af_schema_value(lo, spec), vh = af_schema_value(hi, spec);
        if (!ok[il] || !ok[ih] || (!fv[il] && !fv[ih]) || vl <= vh)
            continue;
        char a[64], b[64];
        af_units_format(vl, lo->dim, a, sizeof a);
        af_units_format(vh, hi->dim, b, sizeof b);
        const af_field *at = fv[il] ? lo : hi;
        const af_node *node = fv[il] ? fv[il] : fv[ih];
        if (catalog && node->kind == AF_NODE_MAP && af_node_find(node, "value"))
            node = af_node_find(node, "value");
        size_t old = af_path_key(path, at->key);
        if (at == lo)
            af_check_error(c, node, path, "expected at most %s (%s), got %s", hi->key, b, a);
        else
            af_check_error(c, node, path, "expected at least %s (%s), got %s", lo->key, a, b);
        af_path_pop(path, old);
    }
    return c->errors == before;
}
