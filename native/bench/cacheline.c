/* How long one cache line takes to travel between two CPUs and back, measured by two threads
 * pinned to them that hand a counter to each other. On a VM the answer depends on where the
 * hypervisor runs the two vCPUs at the moment (hyperthreads of one core share their caches; other
 * cores or sockets do not), and memif's rings are such shared lines: make bench-cluster prints it
 * beside each memif trial, so that a fast or slow trial can be matched with the machine's state.
 *   sb-cacheline CPU_A CPU_B [MILLISECONDS]
 * Prints one line: "round-trip-ns MEDIAN MIN MAX" over 1 ms samples for MILLISECONDS (default 200). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLES_MAX 10000
#define STOP UINT64_MAX

/* Its own cache line, so that nothing else travels with it. */
static _Alignas(64) _Atomic uint64_t baton;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static cpu_set_t only(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return set;
}

/* The partner: answers every odd value with the next even one, until told to stop. */
static void *partner(void *unused)
{
	uint64_t seen;

	(void)unused;
	for (;;) {
		seen = atomic_load_explicit(&baton, memory_order_acquire);
		if (seen == STOP)
			return NULL;
		if (seen & 1)
			atomic_store_explicit(&baton, seen + 1, memory_order_release);
	}
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static double samples[SAMPLES_MAX];
	int cpu_a, cpu_b, n = 0;
	long millis = 200;
	pthread_t thread;
	pthread_attr_t attr;
	cpu_set_t set;
	uint64_t value = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "sb-cacheline: usage: sb-cacheline CPU_A CPU_B [MILLISECONDS]\n");
		return 2;
	}
	cpu_a = atoi(argv[1]);
	cpu_b = atoi(argv[2]);
	if (argc == 4)
		millis = strtol(argv[3], NULL, 10);
	if (millis < 1 || millis > SAMPLES_MAX) {
		fprintf(stderr, "sb-cacheline: MILLISECONDS must be 1..%d\n", SAMPLES_MAX);
		return 2;
	}
	/* The partner is created on its CPU, so that a CPU it cannot have fails here, not in a hang. */
	set = only(cpu_a);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0 || pthread_attr_init(&attr) != 0) {
		fprintf(stderr, "sb-cacheline: cannot run on CPU %d\n", cpu_a);
		return 1;
	}
	set = only(cpu_b);
	if (pthread_attr_setaffinity_np(&attr, sizeof(set), &set) != 0 ||
	    pthread_create(&thread, &attr, partner, NULL) != 0) {
		fprintf(stderr, "sb-cacheline: cannot run on CPU %d\n", cpu_b);
		return 1;
	}
	while (n < millis) {
		uint64_t start = now_ns(), trips = 0;

		while (now_ns() - start < 1000000u) {
			for (int i = 0; i < 64; i++) {
				atomic_store_explicit(&baton, ++value, memory_order_release);
				while (atomic_load_explicit(&baton, memory_order_acquire) == value)
					;
				value++;
			}
			trips += 64;
		}
		samples[n++] = (double)(now_ns() - start) / (double)trips;
	}
	atomic_store_explicit(&baton, STOP, memory_order_release);
	pthread_join(thread, NULL);
	qsort(samples, (size_t)n, sizeof(samples[0]), by_value);
	printf("round-trip-ns %.1f %.1f %.1f\n", samples[n / 2], samples[0], samples[n - 1]);
	return 0;
}
