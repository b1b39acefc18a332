/* infer: the model-serving kind (being written). */
#include "base/alloc.h"
#include "workload/world_int.h"

static size_t infer_count(const af_world_config *cfg)
{
    return cfg->ninfers;
}

static const char *infer_instance(const af_world_config *cfg, size_t i)
{
    return cfg->infers[i].name;
}

static int infer_build(af_world *w, af_diag *d)
{
    (void)d;
    w->kind[AF_WL_INFER] = NULL;
    return AF_OK;
}

static void infer_free(af_world *w)
{
    w->kind[AF_WL_INFER] = NULL;
}

const af_wl_kind af_wl_infer = {
    .name = "inference",
    .count = infer_count,
    .instance = infer_instance,
    .build = infer_build,
    .free = infer_free,
};
