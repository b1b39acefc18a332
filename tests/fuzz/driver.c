/*
 * driver: a main() for a harness of tests/fuzz/ without libFuzzer, so that it runs in any build
 * (gcc with --enable-sanitizers, or none) and in a fixed, repeatable stretch.
 *
 *     PROG [-runs=N] [-seconds=S] [-seed=K] [-max_len=L] [-crash=PATH] [FILE...]
 *
 * With files, runs the harness once on each (a corpus or a crashing input, replayed). Without,
 * runs it on random inputs: lengths uniform in [0, L] (default 2048) and bytes from a GSL
 * mt19937 seeded with K (default 1), until N inputs (default unlimited) or S seconds (default
 * 10) have run, whichever comes first; the inputs depend only on K, so a run repeats. A harness
 * that finds a broken invariant traps or aborts; before the process dies the input that did it
 * is written to PATH (default "crash-<K>-<n>", n counting inputs from 0) and its name printed.
 * Prints the inputs run and the time taken; exits 0 when every input passed.
 */
#include "fuzz.h"

#include <gsl/gsl_rng.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define AF_DRIVER_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define AF_DRIVER_SANITIZER 1
#endif
#ifdef AF_DRIVER_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

/* The input running now and where to save it if the process dies: what the signal handler
 * and the sanitizers' death callback read (the one state a handler can reach). */
static const uint8_t *af_driver_input;
static size_t af_driver_len;
static char af_driver_crash[4096];

/* Writes the running input to af_driver_crash; async-signal-safe. */
static void af_driver_save(void)
{
    if (!af_driver_input)
        return;
    int fd = open(af_driver_crash, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    size_t off = 0;
    while (off < af_driver_len) {
        ssize_t n = write(fd, af_driver_input + off, af_driver_len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(fd);
    static const char msg[] = "driver: the failing input is saved in ";
    (void)!write(2, msg, sizeof msg - 1);
    (void)!write(2, af_driver_crash, strlen(af_driver_crash));
    (void)!write(2, "\n", 1);
}

static void af_driver_on_signal(int sig)
{
    af_driver_save();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Reads the whole file at path into a new buffer; exits on error. */
static uint8_t *af_driver_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fputs("driver: out of memory\n", stderr);
            exit(2);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    if (ferror(f)) {
        perror(path);
        exit(2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static double af_driver_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    unsigned long long runs = 0, seed = 1;
    double seconds = 10;
    size_t max_len = 2048;
    const char *crash = NULL;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "-runs=", 6) == 0)
            runs = strtoull(a + 6, NULL, 10);
        else if (strncmp(a, "-seconds=", 9) == 0)
            seconds = strtod(a + 9, NULL);
        else if (strncmp(a, "-seed=", 6) == 0)
            seed = strtoull(a + 6, NULL, 10);
        else if (strncmp(a, "-max_len=", 9) == 0)
            max_len = (size_t)strtoull(a + 9, NULL, 10);
        else if (strncmp(a, "-crash=", 7) == 0)
            crash = a + 7;
        else if (a[0] == '-') {
            fprintf(stderr,
                    "usage: %s [-runs=N] [-seconds=S] [-seed=K] [-max_len=L] [-crash=PATH] "
                    "[FILE...]\n",
                    argv[0]);
            return 2;
        } else {
            argv[++nfiles] = argv[i];
        }
    }
    static const int sigs[] = {SIGABRT, SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], af_driver_on_signal);
#ifdef AF_DRIVER_SANITIZER
    __sanitizer_set_death_callback(af_driver_save);
#endif
    LLVMFuzzerInitialize(&argc, &argv);

    double t0 = af_driver_now_s();
    unsigned long long done = 0;
    if (nfiles > 0) {
        for (int i = 1; i <= nfiles; i++) {
            size_t len;
            uint8_t *buf = af_driver_read(argv[i], &len);
            snprintf(af_driver_crash, sizeof af_driver_crash, "%s", crash ? crash : argv[i]);
            af_driver_input = buf;
            af_driver_len = len;
            LLVMFuzzerTestOneInput(buf, len);
            af_driver_input = NULL;
            af_driver_len = 0;
            free(buf);
            done++;
        }
        printf("driver: %llu inputs replayed in %.1f s\n", done, af_driver_now_s() - t0);
        return 0;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, (unsigned long)seed);
    uint8_t *buf = malloc(max_len + 1);
    if (!buf || !rng) {
        fputs("driver: out of memory\n", stderr);
        return 2;
    }
    while ((runs == 0 || done < runs) && af_driver_now_s() - t0 < seconds) {
        size_t len = (size_t)gsl_rng_uniform_int(rng, (unsigned long)max_len + 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)gsl_rng_uniform_int(rng, 256);
        if (crash)
            snprintf(af_driver_crash, sizeof af_driver_crash, "%s", crash);
        else
            snprintf(af_driver_crash, sizeof af_driver_crash, "crash-%llu-%llu", seed, done);
        af_driver_input = buf;
        af_driver_len = len;
        LLVMFuzzerTestOneInput(buf, len);
        af_driver_input = NULL;
        af_driver_len = 0;
        done++;
    }
    printf("driver: %llu random inputs (seed %llu, up to %zu bytes) in %.1f s\n", done, seed,
           max_len, af_driver_now_s() - t0);
    free(buf);
    gsl_rng_free(rng);
    return 0;
}
