/*
 * amqp-bench: the RabbitMQ side of `make bench`, written against rabbitmq-c (librabbitmq-dev).
 *
 *   amqp-bench publish   --port P --threads 64 --size 1024 --batch 1|100 --duration S --warmup S
 *       64 threads, each with its own connection and channel in confirm mode, publish persistent
 *       (delivery_mode 2) messages to one durable queue, `batch` messages at a time, and wait for
 *       the broker's confirms of the batch before the next one: the same contract as a 201 from the
 *       bus, "it is on disk". Reports messages/s and the latency of each batch (publish to confirm).
 *
 *   amqp-bench roundtrip --port P --size 1024 --count N --pace-ms 20
 *       One publisher (confirm mode) and one consumer (manual ack) on another connection; one
 *       message at a time: publish start -> consumer receives. Reports the latency percentiles.
 *
 *   amqp-bench consume   --port P --threads T --rate R --duration S [--prefetch 100] [--drain S]
 *       A push consumer (basic.consume, manual acks, prefetch 100) on its own connection and T
 *       publishers (confirm mode, one persistent message per confirm). --rate R > 0: R messages a
 *       second in all, on a fixed schedule; --rate 0: as fast as confirms come back. After the
 *       publishers stop, the consumer may take --drain seconds to receive the rest. Reports
 *       deliveries/s (first publish -> last delivery) and publish start -> consumer latency.
 *
 * Every loop is bounded by a count and a time. Output: one JSON object on stdout.
 */
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *host = "127.0.0.1";
static int port = 5672;
static int threads = 64;
static int size = 1024;
static int batch = 1;
static double duration = 10, warmup = 2;
static int count = 500, pace_ms = 20;
static const char *queue = "sharebus.bench";
static double rate = 0, drain = 30;
static int prefetch = 100;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "amqp-bench: %s\n", what);
    exit(2);
}

static void check_reply(amqp_rpc_reply_t r, const char *what) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL) die(what);
}

static amqp_connection_state_t open_channel(int confirm) {
    amqp_connection_state_t c = amqp_new_connection();
    amqp_socket_t *s = amqp_tcp_socket_new(c);
    if (!s) die("cannot make a socket");
    if (amqp_socket_open(s, host, port) != AMQP_STATUS_OK) die("cannot connect to RabbitMQ");
    check_reply(amqp_login(c, "/", 0, 1048576, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login failed");
    amqp_channel_open(c, 1);
    check_reply(amqp_get_rpc_reply(c), "channel.open failed");
    if (confirm) {
        amqp_confirm_select(c, 1);
        check_reply(amqp_get_rpc_reply(c), "confirm.select failed");
    }
    return c;
}

static void close_channel(amqp_connection_state_t c) {
    amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(c, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(c);
}

static void declare_queue(amqp_connection_state_t c, int fresh) {
    if (fresh) {
        amqp_queue_delete(c, 1, amqp_cstring_bytes(queue), 0, 0);
        check_reply(amqp_get_rpc_reply(c), "queue.delete failed");
    }
    amqp_queue_declare(c, 1, amqp_cstring_bytes(queue), 0, /*durable*/ 1, 0, 0, amqp_empty_table);
    check_reply(amqp_get_rpc_reply(c), "queue.declare failed");
}

/* Waits until the broker has confirmed every tag up to `upto`; counts nacks. -1 on a broken connection. */
static int wait_confirms(amqp_connection_state_t c, uint64_t *acked, uint64_t upto, long *nacks) {
    while (*acked < upto) {
        amqp_frame_t f;
        struct timeval tv = {30, 0};
        if (amqp_simple_wait_frame_noblock(c, &f, &tv) != AMQP_STATUS_OK) return -1;
        if (f.frame_type != AMQP_FRAME_METHOD) continue;
        if (f.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *a = f.payload.method.decoded;
            if (a->delivery_tag > *acked) *acked = a->delivery_tag;
        } else if (f.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            amqp_basic_nack_t *n = f.payload.method.decoded;
            if (n->delivery_tag > *acked) *acked = n->delivery_tag;
            (*nacks)++;
        } else if (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD || f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
            return -1;
        }
    }
    return 0;
}

typedef struct {
    uint64_t *samples; /* latencies in ns */
    size_t n, cap;
} samples_t;

static void add_sample(samples_t *s, uint64_t v) {
    if (s->n == s->cap) {
        if (s->cap >= (1u << 24)) return; /* bounded memory */
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->samples = realloc(s->samples, s->cap * sizeof(uint64_t));
        if (!s->samples) die("out of memory");
    }
    s->samples[s->n++] = v;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(const samples_t *s, double q) {
    if (s->n == 0) return 0;
    size_t i = (size_t)(q / 100.0 * (double)s->n + 0.999999);
    if (i < 1) i = 1;
    if (i > s->n) i = s->n;
    return (double)s->samples[i - 1] / 1000.0; /* microseconds */
}

static void print_latency(const char *key, samples_t *all) {
    qsort(all->samples, all->n, sizeof(uint64_t), cmp_u64);
    double sum = 0;
    for (size_t i = 0; i < all->n; i++) sum += (double)all->samples[i];
    printf("\"%s\": {\"count\": %zu, \"mean\": %.1f, \"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"p99.9\": %.1f, \"max\": %.1f}",
           key, all->n, all->n ? sum / (double)all->n / 1000.0 : 0.0, pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 99.9),
           all->n ? (double)all->samples[all->n - 1] / 1000.0 : 0.0);
}

/* ---- publish ---- */

typedef struct {
    int id;
    pthread_barrier_t *ready;
    uint64_t start, measure_from, end;
    long messages, errors;
    samples_t lat;
} worker_t;

static void *publisher(void *arg) {
    worker_t *w = arg;
    amqp_connection_state_t c = open_channel(1);
    char *body = malloc((size_t)size);
    memset(body, 'x', (size_t)size);
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.delivery_mode = 2; /* persistent */
    uint64_t tag = 0, acked = 0;
    pthread_barrier_wait(w->ready);
    for (long round = 0; round < 100000000L; round++) {
        uint64_t t0 = now_ns();
        if (t0 >= w->end) break;
        for (int i = 0; i < batch; i++) {
            snprintf(body, (size_t)size, "{\"w\":%d,\"n\":%llu}", w->id, (unsigned long long)tag);
            body[strlen(body)] = ' ';
            if (amqp_basic_publish(c, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0, &props,
                                   (amqp_bytes_t){(size_t)size, body}) != AMQP_STATUS_OK) {
                w->errors++;
                goto out;
            }
            tag++;
        }
        if (wait_confirms(c, &acked, tag, &w->errors) != 0) {
            w->errors++;
            goto out;
        }
        uint64_t t1 = now_ns();
        if (t0 >= w->measure_from && t1 <= w->end) {
            w->messages += batch;
            add_sample(&w->lat, t1 - t0);
        }
        amqp_maybe_release_buffers(c);
    }
out:
    free(body);
    close_channel(c);
    return NULL;
}

static int run_publish(void) {
    amqp_connection_state_t admin = open_channel(0);
    declare_queue(admin, 1);
    pthread_barrier_t ready;
    pthread_barrier_init(&ready, NULL, (unsigned)threads + 1);
    worker_t *ws = calloc((size_t)threads, sizeof(worker_t));
    pthread_t *ts = calloc((size_t)threads, sizeof(pthread_t));
    for (int i = 0; i < threads; i++) {
        ws[i].id = i;
        ws[i].ready = &ready;
        pthread_create(&ts[i], NULL, publisher, &ws[i]);
    }
    /* Every connection is open before the clock starts. The times are set before the barrier releases. */
    uint64_t start = now_ns();
    for (int i = 0; i < threads; i++) {
        ws[i].start = start;
        ws[i].measure_from = start + (uint64_t)(warmup * 1e9);
        ws[i].end = start + (uint64_t)((warmup + duration) * 1e9);
    }
    pthread_barrier_wait(&ready);
    long messages = 0, errors = 0;
    samples_t all = {0};
    for (int i = 0; i < threads; i++) {
        pthread_join(ts[i], NULL);
        messages += ws[i].messages;
        errors += ws[i].errors;
        for (size_t k = 0; k < ws[i].lat.n; k++) add_sample(&all, ws[i].lat.samples[k]);
        free(ws[i].lat.samples);
    }
    amqp_queue_delete(admin, 1, amqp_cstring_bytes(queue), 0, 0);
    amqp_get_rpc_reply(admin);
    close_channel(admin);
    printf("{\"mode\": \"publish\", \"threads\": %d, \"size\": %d, \"batch\": %d, \"duration_s\": %.3f, "
           "\"messages\": %ld, \"messages_per_s\": %.1f, \"errors\": %ld, ",
           threads, size, batch, duration, messages, (double)messages / duration, errors);
    print_latency("latency_us", &all);
    printf("}\n");
    return errors ? 1 : 0;
}

/* ---- roundtrip ---- */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    long received;
    int consuming;
    samples_t lat;
} shared_t;

static shared_t shared = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, {0}};

static void *consumer(void *arg) {
    (void)arg;
    amqp_connection_state_t c = open_channel(0);
    amqp_basic_consume(c, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, /*no_ack*/ 0, 0, amqp_empty_table);
    check_reply(amqp_get_rpc_reply(c), "basic.consume failed");
    pthread_mutex_lock(&shared.lock);
    shared.consuming = 1;
    pthread_cond_broadcast(&shared.cond);
    pthread_mutex_unlock(&shared.lock);
    uint64_t deadline = now_ns() + (uint64_t)count * (uint64_t)(pace_ms + 2000) * 1000000ull;
    for (long i = 0; i < count && now_ns() < deadline; i++) {
        amqp_envelope_t env;
        struct timeval tv = {10, 0};
        amqp_maybe_release_buffers(c);
        amqp_rpc_reply_t r = amqp_consume_message(c, &env, &tv, 0);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) break;
        uint64_t t1 = now_ns(), t0 = 0;
        sscanf((const char *)env.message.body.bytes, "{\"t\":%llu", (unsigned long long *)&t0);
        amqp_basic_ack(c, 1, env.delivery_tag, 0);
        amqp_destroy_envelope(&env);
        pthread_mutex_lock(&shared.lock);
        add_sample(&shared.lat, t1 - t0);
        shared.received++;
        pthread_cond_broadcast(&shared.cond);
        pthread_mutex_unlock(&shared.lock);
    }
    close_channel(c);
    return NULL;
}

static int run_roundtrip(void) {
    amqp_connection_state_t p = open_channel(1);
    declare_queue(p, 1);
    pthread_t ct;
    pthread_create(&ct, NULL, consumer, NULL);
    pthread_mutex_lock(&shared.lock);
    while (!shared.consuming) pthread_cond_wait(&shared.cond, &shared.lock);
    pthread_mutex_unlock(&shared.lock);
    char *body = malloc((size_t)size);
    memset(body, 'x', (size_t)size);
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.delivery_mode = 2;
    uint64_t tag = 0, acked = 0;
    long errors = 0;
    samples_t confirm = {0};
    for (long i = 0; i < count; i++) {
        usleep((useconds_t)pace_ms * 1000);
        uint64_t t0 = now_ns();
        snprintf(body, (size_t)size, "{\"t\":%llu}", (unsigned long long)t0);
        body[strlen(body)] = ' ';
        if (amqp_basic_publish(p, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0, &props, (amqp_bytes_t){(size_t)size, body}) !=
            AMQP_STATUS_OK)
            die("publish failed");
        tag++;
        if (wait_confirms(p, &acked, tag, &errors) != 0) die("confirm wait failed");
        add_sample(&confirm, now_ns() - t0);
        /* One at a time: the next publish waits until the consumer has this one (at most 10 s). */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 10;
        pthread_mutex_lock(&shared.lock);
        while (shared.received <= i) {
            if (pthread_cond_timedwait(&shared.cond, &shared.lock, &until) != 0) break;
        }
        pthread_mutex_unlock(&shared.lock);
    }
    pthread_join(ct, NULL);
    amqp_queue_delete(p, 1, amqp_cstring_bytes(queue), 0, 0);
    amqp_get_rpc_reply(p);
    close_channel(p);
    printf("{\"mode\": \"roundtrip\", \"size\": %d, \"count\": %d, \"pace_ms\": %d, \"received\": %ld, \"errors\": %ld, ", size, count,
           pace_ms, shared.received, errors);
    print_latency("latency_us", &shared.lat);
    printf(", ");
    print_latency("confirm_latency_us", &confirm);
    printf("}\n");
    return shared.received == count ? 0 : 1;
}

/* ---- consume: a push consumer under a steady or bulk publisher ---- */

typedef struct {
    pthread_mutex_t lock;
    long received, published;
    int consuming, publishers_done;
    uint64_t last_at;
    samples_t lat;
} feed_t;

static feed_t feed = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, {0}};

static void *push_consumer(void *arg) {
    (void)arg;
    amqp_connection_state_t c = open_channel(0);
    amqp_basic_qos(c, 1, 0, (uint16_t)prefetch, 0);
    check_reply(amqp_get_rpc_reply(c), "basic.qos failed");
    amqp_basic_consume(c, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, /*no_ack*/ 0, 0, amqp_empty_table);
    check_reply(amqp_get_rpc_reply(c), "basic.consume failed");
    pthread_mutex_lock(&feed.lock);
    feed.consuming = 1;
    pthread_mutex_unlock(&feed.lock);
    uint64_t hard_end = now_ns() + (uint64_t)((duration + drain + 10) * 1e9);
    for (;;) {
        pthread_mutex_lock(&feed.lock);
        int done = feed.publishers_done && feed.received >= feed.published;
        pthread_mutex_unlock(&feed.lock);
        if (done || now_ns() >= hard_end) break;
        amqp_envelope_t env;
        struct timeval tv = {0, 200000};
        amqp_maybe_release_buffers(c);
        amqp_rpc_reply_t r = amqp_consume_message(c, &env, &tv, 0);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) continue;
            break;
        }
        uint64_t t1 = now_ns(), t0 = 0;
        sscanf((const char *)env.message.body.bytes, "{\"t\":%llu", (unsigned long long *)&t0);
        amqp_basic_ack(c, 1, env.delivery_tag, 0);
        amqp_destroy_envelope(&env);
        pthread_mutex_lock(&feed.lock);
        if (t0 && t1 > t0) add_sample(&feed.lat, t1 - t0);
        feed.received++;
        feed.last_at = t1;
        pthread_mutex_unlock(&feed.lock);
    }
    close_channel(c);
    return NULL;
}

typedef struct {
    int id;
    uint64_t start, end;
    long published, errors;
} paced_t;

static void *paced_publisher(void *arg) {
    paced_t *w = arg;
    amqp_connection_state_t c = open_channel(1);
    char *body = malloc((size_t)size);
    memset(body, 'x', (size_t)size);
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.delivery_mode = 2;
    uint64_t tag = 0, acked = 0;
    for (long i = 0; i < 100000000L; i++) {
        if (rate > 0) {
            uint64_t due = w->start + (uint64_t)((double)(i * threads + w->id) * 1e9 / rate);
            if (due >= w->end) break;
            uint64_t now = now_ns();
            if (due > now) {
                struct timespec ts = {(time_t)((due - now) / 1000000000ull), (long)((due - now) % 1000000000ull)};
                nanosleep(&ts, NULL);
            }
        } else if (now_ns() >= w->end) {
            break;
        }
        uint64_t t0 = now_ns();
        snprintf(body, (size_t)size, "{\"t\":%llu}", (unsigned long long)t0);
        body[strlen(body)] = ' ';
        if (amqp_basic_publish(c, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0, &props, (amqp_bytes_t){(size_t)size, body}) !=
            AMQP_STATUS_OK) {
            w->errors++;
            break;
        }
        tag++;
        if (wait_confirms(c, &acked, tag, &w->errors) != 0) {
            w->errors++;
            break;
        }
        w->published++;
        pthread_mutex_lock(&feed.lock);
        feed.published++;
        pthread_mutex_unlock(&feed.lock);
        amqp_maybe_release_buffers(c);
    }
    free(body);
    close_channel(c);
    return NULL;
}

static int run_consume(void) {
    amqp_connection_state_t admin = open_channel(0);
    declare_queue(admin, 1);
    pthread_t ct;
    pthread_create(&ct, NULL, push_consumer, NULL);
    for (int k = 0; k < 500; k++) {
        pthread_mutex_lock(&feed.lock);
        int up = feed.consuming;
        pthread_mutex_unlock(&feed.lock);
        if (up) break;
        usleep(10000);
    }
    paced_t *ws = calloc((size_t)threads, sizeof(paced_t));
    pthread_t *ts = calloc((size_t)threads, sizeof(pthread_t));
    uint64_t start = now_ns();
    for (int i = 0; i < threads; i++) {
        ws[i].id = i;
        ws[i].start = start;
        ws[i].end = start + (uint64_t)(duration * 1e9);
        pthread_create(&ts[i], NULL, paced_publisher, &ws[i]);
    }
    long errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(ts[i], NULL);
        errors += ws[i].errors;
    }
    uint64_t pushed_at = now_ns();
    pthread_mutex_lock(&feed.lock);
    feed.publishers_done = 1;
    pthread_mutex_unlock(&feed.lock);
    pthread_join(ct, NULL);
    amqp_queue_delete(admin, 1, amqp_cstring_bytes(queue), 0, 0);
    amqp_get_rpc_reply(admin);
    close_channel(admin);
    double seconds = feed.last_at > start ? (double)(feed.last_at - start) / 1e9 : 0;
    double push_seconds = (double)(pushed_at - start) / 1e9;
    printf("{\"mode\": \"consume\", \"threads\": %d, \"size\": %d, \"rate\": %.1f, \"prefetch\": %d, \"published\": %ld, "
           "\"push_rate\": %.1f, \"received\": %ld, \"complete\": %s, \"seconds\": %.3f, \"deliveries_per_s\": %.1f, \"errors\": %ld, ",
           threads, size, rate, prefetch, feed.published, (double)feed.published / (push_seconds > 0 ? push_seconds : 1), feed.received,
           feed.received >= feed.published ? "true" : "false", seconds, seconds > 0 ? (double)feed.received / seconds : 0.0, errors);
    print_latency("lag_us", &feed.lat);
    printf("}\n");
    free(ws);
    free(ts);
    return feed.received >= feed.published && !errors ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2) die("usage: amqp-bench publish|roundtrip|consume [--port P] [--threads N] [--size B] [--batch N] [--duration S] [--warmup S] [--count N] [--pace-ms MS] [--rate R] [--drain S] [--prefetch N]");
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--port")) port = atoi(v);
        else if (!strcmp(k, "--host")) host = v;
        else if (!strcmp(k, "--threads")) threads = atoi(v);
        else if (!strcmp(k, "--size")) size = atoi(v);
        else if (!strcmp(k, "--batch")) batch = atoi(v);
        else if (!strcmp(k, "--duration")) duration = atof(v);
        else if (!strcmp(k, "--warmup")) warmup = atof(v);
        else if (!strcmp(k, "--count")) count = atoi(v);
        else if (!strcmp(k, "--pace-ms")) pace_ms = atoi(v);
        else if (!strcmp(k, "--queue")) queue = v;
        else if (!strcmp(k, "--rate")) rate = atof(v);
        else if (!strcmp(k, "--drain")) drain = atof(v);
        else if (!strcmp(k, "--prefetch")) prefetch = atoi(v);
        else die("unknown option");
    }
    if (threads < 1 || threads > 1024 || size < 64 || size > (1 << 20) || batch < 1 || batch > 10000 || duration <= 0 || duration > 3600 ||
        count < 1 || count > 1000000 || rate < 0 || rate > 1e6 || drain < 0 || drain > 3600 || prefetch < 1 || prefetch > 65535)
        die("option out of range");
    if (!strcmp(argv[1], "publish")) return run_publish();
    if (!strcmp(argv[1], "roundtrip")) return run_roundtrip();
    if (!strcmp(argv[1], "consume")) return run_consume();
    die("unknown mode");
    return 2;
}
