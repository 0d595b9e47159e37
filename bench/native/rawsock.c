/*
 * rawsock: the raw Unix-socket baselines of the ipc bench. No JSON, no runtime: the cost of the
 * kernel, the socket and a process, against which the executor's figures are read.
 *
 *   rawsock serve PATH                      listen, print "rawsock ready", accept one peer,
 *                                           echo every byte back; exit when the peer closes
 *   rawsock rpcserve PATH                   listen, print "rawsock ready", accept one peer,
 *                                           answer every JSON-RPC request line with a pong
 *                                           result carrying its id (no JSON parser: the id is
 *                                           the digits after "id":); exit when the peer closes
 *   rawsock blast PATH COUNT LINE           listen, print "rawsock ready", accept one peer,
 *                                           write LINE\n COUNT times; exit when the peer closes
 *   rawsock pingpong PATH WARMUP COUNT LINE connect; send LINE\n and wait for one line back,
 *                                           WARMUP + COUNT times; print "p50_ns p99_ns"
 *   rawsock pipeline PATH COUNT DEPTH LINE  connect; keep DEPTH lines in flight until COUNT
 *                                           came back; print "elapsed_ns"
 *
 * Built by the bench with: gcc -O2 -o out/rawsock rawsock.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE (64 * 1024)

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static struct sockaddr_un address_of(const char *path)
{
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof address.sun_path) {
        fprintf(stderr, "rawsock: socket path too long\n");
        exit(64);
    }
    strcpy(address.sun_path, path);
    return address;
}

static void write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        data += written;
        length -= (size_t)written;
    }
}

/* Listens at PATH, announces readiness on stdout, and returns the one accepted peer. */
static int listen_and_accept(const char *path)
{
    struct sockaddr_un address = address_of(path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0)
        die("socket");
    unlink(path);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0)
        die("bind");
    if (listen(listener, 4) < 0)
        die("listen");
    fputs("rawsock ready\n", stdout);
    fflush(stdout);
    int peer;
    do {
        peer = accept(listener, NULL, NULL);
    } while (peer < 0 && errno == EINTR);
    if (peer < 0)
        die("accept");
    close(listener);
    unlink(path);
    return peer;
}

static int connect_to(const char *path)
{
    struct sockaddr_un address = address_of(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0)
        die("connect");
    return fd;
}

/* Reads until the peer closes, discarding what comes. */
static void drain_until_closed(int fd)
{
    static char buffer[BUFFER_SIZE];
    for (;;) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got == 0 || (got < 0 && errno != EINTR))
            return;
    }
}

static int serve(const char *path)
{
    static char buffer[BUFFER_SIZE];
    int peer = listen_and_accept(path);
    for (;;) {
        ssize_t got = read(peer, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        write_all(peer, buffer, (size_t)got);
    }
    close(peer);
    return 0;
}

/* Appends the pong response to a request line to out; returns the new length. */
static size_t answer(const char *line, size_t length, char *out, size_t used)
{
    static const char key[] = "\"id\":";
    const char *id = memmem(line, length, key, sizeof key - 1);
    size_t digits = 0;
    if (id != NULL) {
        id += sizeof key - 1;
        while (id + digits < line + length && id[digits] >= '0' && id[digits] <= '9')
            digits++;
    }
    used += (size_t)sprintf(out + used, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"pong\":true,\"timestamp\":1764000000000,\"pid\":1,\"uid\":0,\"user\":\"root\"}}\n",
                            (int)(digits > 0 ? digits : 4), digits > 0 ? id : "null");
    return used;
}

static int rpc_serve(const char *path)
{
    static char in[BUFFER_SIZE], out[BUFFER_SIZE * 4];
    size_t pending = 0;
    int peer = listen_and_accept(path);
    for (;;) {
        ssize_t got = read(peer, in + pending, sizeof in - pending);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        pending += (size_t)got;
        size_t used = 0, start = 0;
        for (size_t i = 0; i < pending; i++) {
            if (in[i] == '\n') {
                used = answer(in + start, i - start, out, used);
                start = i + 1;
                if (used > sizeof out - 256) {
                    write_all(peer, out, used);
                    used = 0;
                }
            }
        }
        memmove(in, in + start, pending - start);
        pending -= start;
        if (pending == sizeof in) {
            fprintf(stderr, "rawsock: a request line longer than %d bytes\n", BUFFER_SIZE);
            return 3;
        }
        write_all(peer, out, used);
    }
    close(peer);
    return 0;
}

static int blast(const char *path, long count, const char *line)
{
    size_t length = strlen(line) + 1;
    size_t per_batch = BUFFER_SIZE / length;
    if (per_batch == 0)
        per_batch = 1;
    char *batch = malloc(per_batch * length);
    for (size_t i = 0; i < per_batch; i++) {
        memcpy(batch + i * length, line, length - 1);
        batch[i * length + length - 1] = '\n';
    }
    int peer = listen_and_accept(path);
    for (long sent = 0; sent < count;) {
        long lines = count - sent < (long)per_batch ? count - sent : (long)per_batch;
        write_all(peer, batch, (size_t)lines * length);
        sent += lines;
    }
    shutdown(peer, SHUT_WR);
    drain_until_closed(peer);
    close(peer);
    free(batch);
    return 0;
}

static long long now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* Reads until one '\n' arrived; with one line in flight nothing follows it. */
static void read_line(int fd, char *buffer, size_t size)
{
    for (;;) {
        ssize_t got = read(fd, buffer, size);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            fprintf(stderr, "rawsock: the server closed the connection\n");
            exit(3);
        }
        if (buffer[got - 1] == '\n')
            return;
    }
}

static int compare_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int pingpong(const char *path, long warmup, long count, const char *line)
{
    static char buffer[BUFFER_SIZE];
    size_t length = strlen(line);
    char *request = malloc(length + 1);
    memcpy(request, line, length);
    request[length] = '\n';
    long long *samples = malloc(sizeof(long long) * (size_t)count);
    int fd = connect_to(path);
    for (long i = 0; i < warmup + count; i++) {
        long long start = now_ns();
        write_all(fd, request, length + 1);
        read_line(fd, buffer, sizeof buffer);
        if (i >= warmup)
            samples[i - warmup] = now_ns() - start;
    }
    close(fd);
    qsort(samples, (size_t)count, sizeof samples[0], compare_ll);
    /* Nearest rank, as the bench's Stats does. */
    long p50 = (count * 50 + 99) / 100 - 1, p99 = (count * 99 + 99) / 100 - 1;
    printf("%lld %lld\n", samples[p50], samples[p99]);
    free(samples);
    free(request);
    return 0;
}

static int pipeline(const char *path, long count, long depth, const char *line)
{
    static char buffer[BUFFER_SIZE];
    size_t length = strlen(line) + 1;
    char *batch = malloc((size_t)depth * length);
    for (long i = 0; i < depth; i++) {
        memcpy(batch + i * length, line, length - 1);
        batch[i * length + length - 1] = '\n';
    }
    int fd = connect_to(path);
    long long start = now_ns();
    long sent = depth < count ? depth : count, received = 0;
    write_all(fd, batch, (size_t)sent * length);
    while (received < count) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            fprintf(stderr, "rawsock: the server closed the connection\n");
            return 3;
        }
        long lines = 0;
        for (ssize_t i = 0; i < got; i++)
            lines += buffer[i] == '\n';
        received += lines;
        long more = count - sent < lines ? count - sent : lines;
        if (more > 0) {
            write_all(fd, batch, (size_t)more * length);
            sent += more;
        }
    }
    long long elapsed = now_ns() - start;
    close(fd);
    printf("%lld\n", elapsed);
    free(batch);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2]);
    if (argc == 3 && strcmp(argv[1], "rpcserve") == 0)
        return rpc_serve(argv[2]);
    if (argc == 5 && strcmp(argv[1], "blast") == 0)
        return blast(argv[2], atol(argv[3]), argv[4]);
    if (argc == 6 && strcmp(argv[1], "pingpong") == 0)
        return pingpong(argv[2], atol(argv[3]), atol(argv[4]), argv[5]);
    if (argc == 6 && strcmp(argv[1], "pipeline") == 0)
        return pipeline(argv[2], atol(argv[3]), atol(argv[4]), argv[5]);
    fprintf(stderr, "usage: rawsock serve PATH | rpcserve PATH | blast PATH COUNT LINE | pingpong PATH WARMUP COUNT LINE | pipeline PATH COUNT DEPTH LINE\n");
    return 64;
}
