/*
 * validate: `aifsim validate FILE... [--set PATH=VALUE]... [--seed N] [--models DIR]`.
 *
 * Checks every file against the catalog (all mistakes of all files, on stderr, in the same form
 * as `aifsim run` prints them) and prints, for each valid one, its resolved configuration with
 * units on stdout: the figures a capacity planner checks before running anything, such as each
 * job's read demand per GPU against its tier's bandwidth. Exit 0 when every file is valid, 2
 * otherwise, and 1 when the configuration could not be written (standard output failed).
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/units.h"
#include "model/node.h"
#include "model/storage.h"
#include "scenario/catalog.h"
#include "scenario/scenario.h"
#include "workload/train.h"
#include "workload/world.h"

#include <stdio.h>
#include <string.h>

static const char validate_usage[] =
    "usage: aifsim validate FILE... [--set PATH=VALUE]... [--seed N] [--models DIR]\n"
    "\n"
    "Checks each scenario FILE against the model catalog, reports every mistake, and prints\n"
    "the resolved configuration of each valid file with units: pools, storage tiers, fabrics,\n"
    "the read bandwidth each training job asks of its tier, bursts, look-ups and the facility.\n"
    "A file is valid when the world it describes can be built: its fabrics can be planned, its\n"
    "data sets fit their tiers and its event budget can suffice.\n"
    "\n"
    "  --set PATH=VALUE  override a field in every FILE, e.g. --set storage.hot.nodes=8,\n"
    "                    --set 'workloads.vit.step_time=300 ms' or --set cluster[0].nodes=4\n"
    "  --seed N          override the scenarios' seed\n"
    "  --models DIR      read the model catalog from DIR\n"
    "\n"
    "exit status: 0 every file is valid, 1 the configuration could not be written,\n"
    "2 a file is invalid or unreadable\n";

/* Rotating buffers for formatting several quantities in one printf. */
typedef struct af_fmt {
    char buf[16][48];
    int next;
} af_fmt;

static const char *validate_q(af_fmt *f, double v, af_dim dim)
{
    char *b = f->buf[f->next++ % 16];
    return af_units_format(v, dim, b, sizeof f->buf[0]);
}

/* Prints the resolved configuration of one valid scenario. */
static void validate_print(const char *file, const af_world_config *w, const af_world_estimate *est,
                           FILE *out)
{
    af_fmt f = {.next = 0};
    fprintf(out, "%s: valid\n", file);
    fprintf(out, "  scenario  %s: seed %llu, duration %s, event budget %s\n", w->name,
            (unsigned long long)w->seed, validate_q(&f, w->duration_s, AF_DIM_TIME),
            w->max_events ? validate_q(&f, (double)w->max_events, AF_DIM_COUNT) : "engine default");
    fprintf(out, "  events    up to %.3g of the budget's %s (%.3g%%)", est->events,
            validate_q(&f, (double)est->budget, AF_DIM_COUNT),
            100 * est->events / (double)est->budget);
    if (est->top_kind)
        fprintf(out, "; most for %s \"%s\" (%.3g%%)", est->top_kind, est->top_name,
                est->events > 0 ? 100 * est->top_events / est->events : 0);
    fputc('\n', out);
    const af_facility_spec *fa = &w->facility;
    fprintf(out,
            "  facility  %s: PUE %.3g, energy %s, amortization %s, rack %s and %.3g U, space %s "
            "per rack\n",
            fa->name, fa->pue, validate_q(&f, fa->energy_price_usd_J, AF_DIM_ENERGY_PRICE),
            validate_q(&f, fa->amortization_s, AF_DIM_TIME),
            validate_q(&f, fa->rack_power_W, AF_DIM_POWER), fa->rack_units,
            validate_q(&f, fa->space_usd_s_per_rack, AF_DIM_HOURLY_PRICE));
    fprintf(out,
            "            storage life %s, network life %s, maintenance %s a year, grid %s, "
            "TCO over %s, power cap %s\n",
            validate_q(&f, fa->storage_life_s, AF_DIM_TIME),
            validate_q(&f, fa->network_life_s, AF_DIM_TIME),
            validate_q(&f, fa->maintenance, AF_DIM_RATIO),
            validate_q(&f, fa->carbon_kg_J, AF_DIM_CARBON_INTENSITY),
            validate_q(&f, fa->lifetime_s, AF_DIM_TIME),
            fa->power_cap_W > 0 ? validate_q(&f, fa->power_cap_W, AF_DIM_POWER) : "none");
    for (size_t i = 0; i < w->npools; i++) {
        const af_pool_config *p = &w->pools[i];
        double gpus = (double)p->nodes * p->node.gpus;
        fprintf(out,
                "  pool      %s: %lld x %s, %.0f GPUs %s, peak %s BF16, NVLink %s and PCIe %s "
                "per GPU, storage network %s (%s per node), max power %s\n",
                p->name, (long long)p->nodes, p->node.name, gpus, p->node.gpu.name,
                validate_q(&f, gpus * p->node.gpu.bf16_flops, AF_DIM_FLOPS),
                validate_q(&f, p->node.nvlink.rate_Bps, AF_DIM_BANDWIDTH),
                validate_q(&f, p->node.host_link.rate_Bps, AF_DIM_BANDWIDTH),
                validate_q(&f, (double)p->nodes * af_node_storage_Bps(&p->node), AF_DIM_BANDWIDTH),
                validate_q(&f, af_node_storage_Bps(&p->node), AF_DIM_BANDWIDTH),
                validate_q(&f, (double)p->nodes * p->node.max_power_W, AF_DIM_POWER));
        if (p->power_limit_W > 0)
            fprintf(out, "            GPU power limit %s: %s of full throughput\n",
                    validate_q(&f, p->power_limit_W, AF_DIM_POWER),
                    validate_q(&f, af_gpu_throughput_at(&p->node.gpu, p->power_limit_W),
                               AF_DIM_RATIO));
    }
    for (size_t i = 0; i < w->ntiers; i++) {
        const af_tier_config *t = &w->tiers[i];
        double n = (double)t->nodes;
        fprintf(out, "  tier      %s: %lld x %s, usable %s, read %s, write %s", t->name,
                (long long)t->nodes, t->system.name,
                validate_q(&f, n * af_storage_node_usable_B(&t->system), AF_DIM_SIZE),
                validate_q(&f, n * af_storage_node_read_Bps(&t->system), AF_DIM_BANDWIDTH),
                validate_q(&f, n * af_storage_node_write_Bps(&t->system), AF_DIM_BANDWIDTH));
        if (t->cache_for != AF_WORLD_NONE)
            fprintf(out, ", caches %s (hit ratio %s)", w->tiers[t->cache_for].name,
                    validate_q(&f, t->hit_ratio, AF_DIM_RATIO));
        if (t->drain_to != AF_WORLD_NONE)
            fprintf(out, ", drains to %s (weight %.3g)", w->tiers[t->drain_to].name,
                    t->drain_weight);
        if (t->reserve > 0)
            fprintf(out, ", %s of device time reserved for look-ups",
                    validate_q(&f, t->reserve, AF_DIM_RATIO));
        fputc('\n', out);
    }
    for (size_t i = 0; i < w->nfabrics; i++) {
        const af_fabric_config *fc = &w->fabrics[i];
        fprintf(out, "  fabric    %s: %s of %s (%d x %s), oversubscription %.3g:1, connects",
                fc->name, fc->spec.topology == AF_FABRIC_RAIL ? "rail-optimized" : "fat-tree",
                fc->spec.sw.name, fc->spec.sw.ports,
                validate_q(&f, fc->spec.sw.port_rate_Bps, AF_DIM_BANDWIDTH),
                fc->spec.oversubscription);
        for (size_t k = 0; k < fc->npools; k++)
            fprintf(out, " %s", w->pools[fc->pools[k]].name);
        for (size_t k = 0; k < fc->ntiers; k++)
            fprintf(out, " %s", w->tiers[fc->tiers[k]].name);
        fputc('\n', out);
    }
    for (size_t i = 0; i < w->ntrains; i++) {
        const af_train_config *t = &w->trains[i];
        const af_pool_config *p = &w->pools[t->pool];
        const af_tier_config *tier = &w->tiers[t->tier];
        af_train_plan plan;
        af_train_plan_make(w, i, &plan);
        double tier_Bps = (double)tier->nodes * af_storage_node_read_Bps(&tier->system);
        fprintf(out,
                "  train     %s on %s from %s: compute %s per step, batch %s per GPU, read "
                "demand %s per GPU, %s for the pool (%.3g%% of the tier's read bandwidth)\n",
                t->name, p->name, tier->name, validate_q(&f, plan.compute_s, AF_DIM_TIME),
                validate_q(&f, plan.batch_B, AF_DIM_SIZE),
                validate_q(&f, plan.demand_Bps, AF_DIM_BANDWIDTH),
                validate_q(&f, plan.demand_Bps * plan.gpus, AF_DIM_BANDWIDTH),
                100 * plan.demand_Bps * plan.gpus / tier_Bps);
        fprintf(out, "            data set %s in %.4g files of %.4g samples, sample %s",
                validate_q(&f, t->dataset_B, AF_DIM_SIZE), t->files, t->samples_per_file,
                validate_q(&f, t->sample_B, AF_DIM_SIZE));
        if (t->sample_sd_B > 0)
            fprintf(out, " +- %s", validate_q(&f, t->sample_sd_B, AF_DIM_SIZE));
        if (t->reader_threads > 0)
            fprintf(out, ", %d reader threads per GPU", t->reader_threads);
        fprintf(out, ", prefetch %d, QoS weight %.3g per GPU\n", t->prefetch, t->weight);
        if (t->preset || t->steps_per_epoch > 0) {
            /* MLPerf Storage: the preset, the epochs to train and the AU to pass */
            fprintf(out, "            %s%s%s", t->preset ? "MLPerf preset " : "",
                    t->preset ? t->preset : "", t->preset ? ", " : "");
            if (t->epochs > 0)
                fprintf(out, "%.0f epochs of %.0f steps (%.0f steps)", t->epochs,
                        t->steps_per_epoch, t->target_steps);
            else
                fprintf(out, "epochs of %.0f steps counted", t->steps_per_epoch);
            if (t->au_min > 0)
                fprintf(out, ", minimum AU %s", validate_q(&f, t->au_min, AF_DIM_RATIO));
            fputc('\n', out);
        }
    }
    for (size_t i = 0; i < w->nbursts; i++) {
        const af_burst_config *b = &w->bursts[i];
        fprintf(out, "  burst     %s: %s %s %s %s every %s from %s, first at %s", b->name,
                b->write ? "writes" : "reads", validate_q(&f, b->size_B, AF_DIM_SIZE),
                b->write ? "to" : "from", w->tiers[b->tier].name,
                validate_q(&f, b->every_s, AF_DIM_TIME),
                b->pool != AF_WORLD_NONE ? w->pools[b->pool].name : "outside clients",
                validate_q(&f, b->start_s, AF_DIM_TIME));
        if (b->write && b->keep > 0)
            fprintf(out, ", keeps %d", b->keep);
        fprintf(out, ", %s operations, QoS weight %.3g per node\n",
                validate_q(&f, b->op_B, AF_DIM_SIZE), b->weight);
    }
    for (size_t i = 0; i < w->nlookups; i++) {
        const af_lookup_config *l = &w->lookups[i];
        fprintf(out, "  lookup    %s: %s of %s from %s", l->name,
                validate_q(&f, l->rate_per_s, AF_DIM_RATE), validate_q(&f, l->size_B, AF_DIM_SIZE),
                w->tiers[l->tier].name);
        if (l->slo_s > 0)
            fprintf(out, ", p99 objective %s", validate_q(&f, l->slo_s, AF_DIM_TIME));
        fputc('\n', out);
    }
    for (size_t i = 0; i < w->ninfers; i++) {
        const af_infer_config *c = &w->infers[i];
        fprintf(out, "  inference %s: %s on %lld replicas of %lld GPUs of %s", c->name,
                c->arrivals.trace_s ? "a trace"
                                    : validate_q(&f, c->arrivals.rate_per_s, AF_DIM_RATE),
                (long long)c->replicas, (long long)c->gpus_per_replica, w->pools[c->pool].name);
        if (c->feature_tier != AF_WORLD_NONE && c->feature_reads > 0)
            fprintf(out, ", %u reads of %s from %s", c->feature_reads,
                    validate_q(&f, c->feature_B, AF_DIM_SIZE), w->tiers[c->feature_tier].name);
        const af_llm_serve_config *l = &c->llm;
        if (l->on) {
            /* an LLM: the model, its turns and its KV tiers instead of batches */
            static const char *const dtype[] = {[AF_LLM_BF16] = "bf16", [AF_LLM_FP8] = "fp8"};
            fprintf(out, ", %s (%s weights, %s KV), %.4g prompt and %.4g output tokens a turn",
                    l->model.name, dtype[l->weights], dtype[l->kv], l->prompt_tokens,
                    l->output_tokens);
            if (l->turns > 1)
                fprintf(out, ", %.4g turns a conversation on average, %s apart", l->turns,
                        validate_q(&f, l->think_s, AF_DIM_TIME));
            for (size_t k = 0; k < l->nkv; k++) {
                const af_kv_tier_config *t = &l->kv_tiers[k];
                fprintf(out, "%s", k ? ", then " : ", KV cache in ");
                if (t->where == AF_KV_TIER)
                    fprintf(out, "%s of %s", validate_q(&f, t->capacity_B, AF_DIM_SIZE),
                            w->tiers[t->tier].name);
                else
                    fprintf(out, "%s %s at %s per replica",
                            validate_q(&f, t->capacity_B, AF_DIM_SIZE),
                            t->where == AF_KV_HOST ? "host memory" : "local NVMe",
                            validate_q(&f, t->bandwidth_Bps, AF_DIM_BANDWIDTH));
            }
            if (l->ttft_slo_s > 0)
                fprintf(out, ", TTFT objective %s", validate_q(&f, l->ttft_slo_s, AF_DIM_TIME));
            if (l->tpot_slo_s > 0)
                fprintf(out, ", TPOT objective %s", validate_q(&f, l->tpot_slo_s, AF_DIM_TIME));
        } else {
            fprintf(out, ", batches of up to %u", c->max_batch);
        }
        if (c->slo_s > 0)
            fprintf(out, ", p%g objective %s", c->slo_quantile * 100,
                    validate_q(&f, c->slo_s, AF_DIM_TIME));
        fputc('\n', out);
    }
    for (size_t i = 0; i < w->ningests; i++) {
        const af_ingest_config *c = &w->ingests[i];
        const af_arrivals_config *a = &c->source;
        fprintf(out, "  ingest    %s: %s%s%s to %s", c->name,
                a->trace_s ? "a trace" : validate_q(&f, a->rate_per_s, AF_DIM_BANDWIDTH),
                a->diurnal ? " (daily profile)" : "",
                a->burst_every_s > 0 && a->burst_factor != 1 ? " (bursts)" : "",
                w->tiers[c->landing].name);
        if (c->nodes > 0)
            fprintf(out, ", %lld nodes of %s keep %s to %s%s", (long long)c->nodes,
                    validate_q(&f, c->node_Bps, AF_DIM_BANDWIDTH),
                    validate_q(&f, c->ratio, AF_DIM_RATIO), w->tiers[c->out_tier].name,
                    c->keep_raw ? " (raw kept)" : "");
        if (c->feeds != AF_WORLD_NONE)
            fprintf(out, ", feeds %s", w->trains[c->feeds].name);
        fprintf(out, ", chunks of %s\n", validate_q(&f, c->chunk_B, AF_DIM_SIZE));
    }
    for (size_t i = 0; i < w->nflywheels; i++) {
        const af_flywheel_config *c = &w->flywheels[i];
        fprintf(out, "  flywheel  %s: %s logs %s per answer to %s every %s; %s trains %.0f steps",
                c->name, w->infers[c->from].name, validate_q(&f, c->log_B, AF_DIM_SIZE),
                w->ingests[c->to].name, validate_q(&f, c->flush_s, AF_DIM_TIME),
                w->trains[c->job].name, c->steps);
        if (c->every_s > 0)
            fprintf(out, " every %s", validate_q(&f, c->every_s, AF_DIM_TIME));
        if (c->new_data_B > 0)
            fprintf(out, "%s per %s of new training data", c->every_s > 0 ? " or" : "",
                    validate_q(&f, c->new_data_B, AF_DIM_SIZE));
        fputc('\n', out);
    }
}

int af_cmd_validate(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "validate");
    af_diag *d = c.d;
    int rc = 2;
    const char **files = af_calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    af_cli_scenario_opts opts;
    af_cli_scenario_opts_init(&opts, argc);
    af_catalog *cat = NULL;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, validate_usage);
            goto done;
        } else if (af_cli_take_scenario_opt(argc, argv, &i, &opts, &missing, d)) {
            /* --set, --seed, --models */
        } else if (missing) {
            af_cli_missing_value(&c, argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            af_cli_unknown_option(&c, argv[i]);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0 && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim validate` needs a scenario file; see `aifsim validate --help`");
    if (af_diag_errors(d))
        goto done;
    cat = af_cli_scenario_opts_finish(&opts, d);
    if (!cat)
        goto done;
    rc = 0;
    for (size_t i = 0; i < nfiles; i++) {
        af_arena *arena = af_arena_new();
        af_world_config cfg;
        af_world_estimate est;
        size_t before = af_diag_count(d);
        bool ok = af_scenario_load(files[i], cat, opts.sets, opts.nsets, arena, &cfg, d) == AF_OK &&
                  af_world_check_estimate(&cfg, &est, d) == AF_OK;
        af_diag_set_file(d, before, files[i]);
        if (ok) {
            validate_print(files[i], &cfg, &est, stdout);
        } else {
            rc = 2;
        }
        /* Each file's errors right after it, so they line up with the files' order. */
        af_diag_print(d, stderr);
        af_diag_clear(d);
        af_arena_free(arena);
    }

done:
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    af_free(files);
    return af_cli_finish(&c, rc);
}
