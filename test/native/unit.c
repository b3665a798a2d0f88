/* Unit tests of the pure helpers of native/src. Prints "ok - NAME" or "not ok - NAME: why" per test;
 * test/native/run.sh counts them. */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cpu.h"
#include "frame.h"
#include "hist.h"
#include "json.h"
#include "pace.h"
#include "seqtrack.h"
#include "trial.h"
#include "unit.h"

static int failed;
char why[256];

static void run(const char *name, bool (*fn)(void))
{
	why[0] = '\0';
	if (fn()) {
		printf("ok - %s\n", name);
	} else {
		printf("not ok - %s: %s\n", name, why);
		failed++;
	}
}

static bool hist_buckets_are_contiguous(void)
{
	for (unsigned i = 1; i < HIST_BUCKETS; i++)
		CHECK(hist_index(hist_bucket_top(i)) == i && hist_index(hist_bucket_top(i - 1) + 1) == i,
		      "bucket %u does not start where %u ends", i, i - 1);
	for (uint64_t v = 1; v < (1ull << 62); v = v * 3 + 1) {
		unsigned i = hist_index(v);
		CHECK(v <= hist_bucket_top(i) && (i == 0 || v > hist_bucket_top(i - 1)), "value %llu outside bucket %u",
		      (unsigned long long)v, i);
		CHECK((double)(hist_bucket_top(i) - v) <= (double)v / 32.0 + 1, "bucket %u wider than 1/32 at %llu", i,
		      (unsigned long long)v);
	}
	CHECK(hist_index(UINT64_MAX) == HIST_BUCKETS - 1, "top index %u", hist_index(UINT64_MAX));
	return true;
}

static bool hist_quantiles_bound_the_truth(void)
{
	static struct hist h;

	hist_init(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		hist_add(&h, v * 10, 1);
	double q[] = {0.5, 0.9, 0.99, 0.999, 1.0};
	for (int i = 0; i < 5; i++) {
		double truth = ceil(q[i] * 100000) * 10, got = (double)hist_quantile(&h, q[i]);
		CHECK(got >= truth && got <= truth * (1 + 1.0 / 32), "q%g: %g for true %g", q[i], got, truth);
	}
	CHECK(hist_quantile(&h, 1.0) == 1000000 && h.min == 10 && h.max == 1000000, "extremes");
	hist_init(&h);
	hist_add(&h, 5000, 3);
	CHECK(hist_quantile(&h, 0.5) == 5000, "a single sample is its own percentile, got %llu",
	      (unsigned long long)hist_quantile(&h, 0.5));
	hist_init(&h);
	CHECK(hist_quantile(&h, 0.99) == 0, "empty");
	return true;
}

static bool seqtrack_in_order_and_loss(void)
{
	static struct seqtrack s;

	seqtrack_init(&s);
	for (uint64_t q = 0; q < 1000; q++)
		if (q % 100 != 7)
			seqtrack_add(&s, q);
	CHECK(s.unique == 990 && s.reordered == 0 && s.duplicates == 0, "counts %llu/%llu/%llu",
	      (unsigned long long)s.unique, (unsigned long long)s.reordered, (unsigned long long)s.duplicates);
	CHECK(seqtrack_lost(&s, s.next) == 10, "lost %llu", (unsigned long long)seqtrack_lost(&s, s.next));
	CHECK(seqtrack_lost(&s, 1500) == 510, "the sender's count extends expected");
	return true;
}

static bool seqtrack_reorder_and_duplicates(void)
{
	static struct seqtrack s;
	uint64_t order[] = {0, 1, 3, 2, 2, 5, 4, 4, 1, 6};

	seqtrack_init(&s);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		seqtrack_add(&s, order[i]);
	CHECK(s.unique == 7 && s.reordered == 2 && s.duplicates == 3, "unique %llu reordered %llu duplicates %llu",
	      (unsigned long long)s.unique, (unsigned long long)s.reordered, (unsigned long long)s.duplicates);
	CHECK(seqtrack_lost(&s, s.next) == 0, "nothing lost");
	return true;
}

static bool seqtrack_window_wraps_cleanly(void)
{
	static struct seqtrack s;
	uint64_t base = 3 * SEQ_WINDOW + 12345;

	seqtrack_init(&s);
	/* Fill a window, jump past a gap that wraps the bitmap, then a late arrival from the gap must
	 * count as reordered (its bit was cleared), a repeat of a recent one as a duplicate. */
	for (uint64_t q = 0; q < SEQ_WINDOW; q++)
		seqtrack_add(&s, q);
	seqtrack_add(&s, base);
	seqtrack_add(&s, base - 10);
	seqtrack_add(&s, base - 10);
	seqtrack_add(&s, base);
	CHECK(s.reordered == 1 && s.duplicates == 2, "reordered %llu duplicates %llu", (unsigned long long)s.reordered,
	      (unsigned long long)s.duplicates);
	seqtrack_add(&s, 5);
	CHECK(s.stale == 1, "older than the window is stale");
	seqtrack_init(&s);
	seqtrack_add(&s, 0);
	seqtrack_add(&s, 70);
	for (uint64_t q = 1; q < 70; q++)
		seqtrack_add(&s, q);
	CHECK(s.reordered == 69 && s.duplicates == 0 && seqtrack_lost(&s, 71) == 0, "a filled short gap");
	return true;
}

/* The receiver's per-run accounting must leave exactly what per-frame accounting leaves: counters,
 * bitmap and first arrivals inside the window, for runs in order, across gaps (short, word-crossing
 * and wrapping the bitmap), reaching back (reordered, duplicate, partly both) and stale. */
static bool seqtrack_runs_match_frames(void)
{
	static struct seqtrack a, b;
	uint64_t x = 88172645463325252ull, seq = 0, wa = 300, wb = 200000;

	seqtrack_init(&a);
	seqtrack_init(&b);
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t n = 1 + x % 150, kind = (x >> 20) % 10, start = seq;
		if (kind == 7)
			start = seq + (x >> 32) % 200; /* gap */
		else if (kind == 8 && seq > 400)
			start = seq - 1 - (x >> 32) % 400; /* reaching back */
		else if (kind == 9 && i % 500 == 0)
			start = seq + SEQ_WINDOW + (x >> 32) % 5000; /* wraps the bitmap */
		else if (kind == 6 && i % 300 == 0 && seq > SEQ_WINDOW + 200)
			start = seq - SEQ_WINDOW - 100; /* older than the window: stale, and partly not */
		uint64_t got = seqtrack_add_run(&a, start, n, wa, wb), want = 0;
		for (uint64_t q = start; q < start + n; q++)
			want += seqtrack_add(&b, q) && q >= wa && q < wb;
		CHECK(got == want, "run %d at %llu+%llu: %llu first arrivals in the window, per frame %llu", i,
		      (unsigned long long)start, (unsigned long long)n, (unsigned long long)got, (unsigned long long)want);
		CHECK(a.next == b.next && a.unique == b.unique && a.reordered == b.reordered && a.duplicates == b.duplicates &&
			      a.stale == b.stale && !memcmp(a.bits, b.bits, sizeof(a.bits)),
		      "run %d at %llu+%llu: state differs", i, (unsigned long long)start, (unsigned long long)n);
		if (start + n > seq)
			seq = start + n;
	}
	CHECK(a.reordered > 0 && a.duplicates > 0 && a.stale > 0, "the sequence exercised every path");
	return true;
}

static bool seqtrack_set_range_is_exact(void)
{
	static struct seqtrack s;
	static const uint64_t r[][2] = {{0, 1}, {5, 64}, {63, 65}, {64, 128}, {1, 1000}, {SEQ_WINDOW - 3, SEQ_WINDOW + 70}};

	for (unsigned i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		seqtrack_init(&s);
		seqtrack_set_range(&s, r[i][0], r[i][1]);
		uint64_t set = 0;
		for (unsigned w = 0; w < SEQ_WINDOW / 64; w++)
			set += (uint64_t)__builtin_popcountll(s.bits[w]);
		CHECK(set == r[i][1] - r[i][0], "[%llu, %llu): %llu bits set", (unsigned long long)r[i][0],
		      (unsigned long long)r[i][1], (unsigned long long)set);
		for (uint64_t q = r[i][0]; q < r[i][1]; q++)
			CHECK(s.bits[(q & (SEQ_WINDOW - 1)) >> 6] >> (q & 63) & 1, "bit %llu", (unsigned long long)q);
	}
	return true;
}

/* The receive fast path's classification is frame_parse_l2's, byte for byte: every single-byte
 * change of a data frame's first 60 bytes and every short capture gets the same verdict. */
static bool frame_is_data_agrees_with_the_parser(void)
{
	uint8_t f[FRAME_MAX], g[FRAME_MAX];
	struct frame_addr a = {.src_mac = {2, 0, 0, 0, 0, 1}, .dst_mac = {2, 0, 0, 0, 0, 2}};
	struct rx_item it;
	struct frame_end end;
	unsigned data = 0;

	a.src_ip = htonl(0x0a000001);
	a.dst_ip = htonl(0x0a000002);
	a.src_port = a.dst_port = htons(5000);
	unsigned len = frame_build(f, &a, 64, TAG_DATA);
	frame_stamp(f + FRAME_HDRS, 77, 99);
	CHECK(frame_is_data(f, len, htons(5000)) && frame_seq(f) == 77 && frame_tsc(f) == 99, "a data frame");
	for (unsigned pos = 0; pos < len; pos++) {
		for (unsigned v = 1; v < 256; v <<= 1) {
			memcpy(g, f, len);
			g[pos] ^= (uint8_t)v;
			frame_parse_l2(g, len, len, htons(5000), &it, &end);
			CHECK(frame_is_data(g, len, htons(5000)) == (it.kind == RX_DATA), "byte %u ^ 0x%x: parser says %u", pos,
			      v, it.kind);
			data += it.kind == RX_DATA;
		}
	}
	CHECK(data > 0 && data < len * 8, "the changes hit both verdicts");
	for (unsigned cap = 0; cap <= len; cap++) {
		frame_parse_l2(f, cap, len, htons(5000), &it, &end);
		CHECK(frame_is_data(f, cap, htons(5000)) == (it.kind == RX_DATA) && it.n == 1, "caplen %u", cap);
	}
	CHECK(!frame_is_data(f, len, htons(5001)), "another port");
	frame_build(f, &a, FRAME_END_SIZE, TAG_END);
	CHECK(!frame_is_data(f, FRAME_END_SIZE - 4, htons(5000)), "an end marker is not data");
	return true;
}

static bool pace_grid_never_drifts(void)
{
	struct pace p;
	uint64_t hz = 2994373000ull;

	pace_init(&p, 1000, hz, 16, 3333333); /* 3333.333 pps */
	for (uint64_t k = 0; k < 10000000; k += 999983) {
		unsigned __int128 exact = (unsigned __int128)k * 16 * hz * 1000 / 3333333;
		CHECK(pace_deadline(&p, k) == 1000 + (uint64_t)exact, "slot %llu", (unsigned long long)k);
	}
	uint64_t one = pace_deadline(&p, 1) - pace_deadline(&p, 0);
	CHECK(pace_slots_before(&p, 1000) == 0 && pace_slots_before(&p, 1001) == 1 &&
		      pace_slots_before(&p, 1000 + one) == 1 && pace_slots_before(&p, 1001 + one) == 2,
	      "slots_before at the edges");
	CHECK(pace_catch_up(&p, 1000 + one / 2) == 1000 && p.missed == 0, "late within its slot is not a miss");
	CHECK(pace_catch_up(&p, pace_deadline(&p, 5) + 1) == pace_deadline(&p, 5) && p.missed == 5 && p.slot == 5,
	      "whole slots missed are skipped and counted: missed %llu", (unsigned long long)p.missed);
	return true;
}

static bool cpu_lists_round_trip(void)
{
	cpu_set_t s;
	char buf[64];

	CHECK(cpu_list_parse("0-3,8,10-11", &s) == 0 && CPU_COUNT(&s) == 7, "parse");
	cpu_list_format(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "0-3,8,10-11"), "format %s", buf);
	const char *bad[] = {"", "a", "1-", "3-1", "1,,2", "1 ", "-1", "99999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(cpu_list_parse(bad[i], &s) == -1, "accepted '%s'", bad[i]);
	CPU_ZERO(&s);
	for (int c = 0; c < 64; c += 2)
		CPU_SET(c, &s);
	cpu_list_format(&s, buf, 16);
	CHECK(strlen(buf) < 16 && strstr(buf, "..."), "truncated '%s'", buf);
	return true;
}

static bool json_escapes_and_bounds(void)
{
	struct jw w;
	char buf[128], tiny[16];

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, NULL, '{');
	jw_str(&w, "s", "a\"b\\c\n");
	jw_num(&w, "nan", NAN);
	jw_u64(&w, "n", 18446744073709551615ull);
	jw_open(&w, "o", '{');
	jw_bool(&w, "t", true);
	jw_close(&w, '}');
	jw_close(&w, '}');
	CHECK(!w.overflow && !strcmp(buf, "{\"s\":\"a\\\"b\\\\c\\u000a\",\"nan\":null,\"n\":18446744073709551615,\"o\":{\"t\":true}}"),
	      "%s", buf);
	jw_init(&w, tiny, sizeof(tiny));
	jw_str(&w, "key", "a long value that cannot fit");
	CHECK(w.overflow, "overflow not reported");
	return true;
}

static bool trial_window_statistics(void)
{
	struct trial t;
	struct sample s;
	uint64_t hz = 1000000, packets = 0;
	double rates[] = {100, 200, 300, 400, 500, 600};

	trial_init(&t, hz, 6, 2, 3, 1);
	trial_start(&t, 5000);
	CHECK(t.first == 2 && t.end == 5 && t.w0 == 5000 + 2 * hz && t.w1 == 5000 + 5 * hz, "window bounds");
	for (int i = 0; i < 6; i++) {
		packets += (uint64_t)rates[i];
		trial_close(&t, 5000 + (uint64_t)(i + 1) * hz, packets, &s);
		CHECK(s.idx == (unsigned)i && fabs(s.pps - rates[i]) < 1e-9 && s.in_window == (i >= 2 && i < 5),
		      "sample %d: idx %u pps %g", i, s.idx, s.pps);
	}
	CHECK(t.n == 3 && fabs(t.mean - 400) < 1e-9 && fabs(trial_stddev(&t) - 100) < 1e-9 && t.min == 300 &&
		      t.max == 500,
	      "mean %g stddev %g", t.mean, trial_stddev(&t));
	trial_start(&t, 0);
	trial_close(&t, 3 * hz + 10, 300, &s);
	CHECK(s.idx == 0 && fabs(s.pps - 100) < 1e-3 && t.idx == 3, "a stall closes one long sample");
	return true;
}

static bool frames_parse_what_they_build(void)
{
	struct frame_addr a = {.src_mac = {2, 0, 0, 0, 0, 1}, .dst_mac = {2, 0, 0, 0, 0, 2}};
	uint8_t f[FRAME_MAX];
	struct rx_item it;
	struct frame_end e = {7, 8, 9, 10, 11, END_GENERATOR_LIMITED}, got;

	a.src_ip = htonl(0x0a000001);
	a.dst_ip = htonl(0x0a000002);
	a.src_port = a.dst_port = htons(5000);
	CHECK(frame_build(f, &a, 64, TAG_DATA) == 60, "64-byte frame is 60 bytes without FCS");
	uint32_t sum = 0;
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	CHECK(sum == 0xffff, "IPv4 header checksum");
	CHECK((f[16] << 8 | f[17]) == 46 && (f[38] << 8 | f[39]) == 26, "IP and UDP lengths");
	frame_stamp(f + FRAME_HDRS, 123456789012ull, 42);
	frame_parse_l2(f, 60, 60, htons(5000), &it, &got);
	CHECK(it.kind == RX_DATA && it.seq == 123456789012ull && it.tsc == 42 && it.wire == 64, "data frame");
	frame_parse_l2(f, 60, 60, htons(5001), &it, &got);
	CHECK(it.kind == RX_FOREIGN, "another port is foreign");
	CHECK(frame_build(f, &a, FRAME_END_SIZE, TAG_END) == FRAME_END_SIZE - 4, "end marker size");
	frame_end_encode(f + FRAME_HDRS, &e);
	frame_parse_l2(f, FRAME_END_SIZE - 4, FRAME_END_SIZE - 4, htons(5000), &it, &got);
	CHECK(it.kind == RX_END && !memcmp(&got, &e, sizeof(e)), "end marker round trip");
	CHECK(frame_build(f, &a, FRAME_MAX, TAG_DATA) == FRAME_MAX - 4 && (f[16] << 8 | f[17]) == FRAME_MAX - 18,
	      "jumbo");
	return true;
}

static bool args_defaults_follow_the_paper(void)
{
	struct sb_config c;
	char *argv[] = {"sb-receiver", "--duration", "10", "--warmup", "2", "--", "--vdev", "x", NULL};

	args_parse(&c, ROLE_RECEIVER, 6 + 2, argv);
	CHECK(c.window == 8 && c.sample_interval == 1 && c.burst == 32 && c.eal_argc == 2 && !c.shared,
	      "window %g burst %u eal %d", c.window, c.burst, c.eal_argc);
	char *paper[] = {"sb-sender", "--rate", "1e6", NULL};
	args_parse(&c, ROLE_SENDER, 3, paper);
	CHECK(c.duration == 60 && c.warmup == 20 && c.window == 20 && c.size == 64 && c.burst == 16 && c.rate == 1e6,
	      "paper defaults");
	return true;
}

int main(void)
{
	run("hist buckets are contiguous and 1/32 wide", hist_buckets_are_contiguous);
	run("hist quantiles never understate", hist_quantiles_bound_the_truth);
	run("seqtrack counts loss in order", seqtrack_in_order_and_loss);
	run("seqtrack tells reordering from duplicates", seqtrack_reorder_and_duplicates);
	run("seqtrack bitmap wraps cleanly", seqtrack_window_wraps_cleanly);
	run("seqtrack runs account as their frames", seqtrack_runs_match_frames);
	run("seqtrack set_range sets exactly the range", seqtrack_set_range_is_exact);
	run("frame_is_data agrees with the parser", frame_is_data_agrees_with_the_parser);
	run("rxparse groups frames as the per-frame parser parses them", rxparse_groups_as_the_parser_parses);
	run("pace grid never drifts and skips missed slots", pace_grid_never_drifts);
	run("cpu lists round trip", cpu_lists_round_trip);
	run("json escapes and bounds", json_escapes_and_bounds);
	run("trial window statistics", trial_window_statistics);
	run("frames parse what they build", frames_parse_what_they_build);
	run("args defaults follow the paper", args_defaults_follow_the_paper);
	run("frames of another trial or attempt are foreign, probes are probes", another_trials_frames_are_foreign);
	run("the virtio-user ring size comes from the vdev", virtio_queue_from_the_vdev);
	run("the EAL memory reservation holds the pools", the_reservation_holds_the_pools);
	run("hugetlb limits of cgroup v1 and v2", hugetlb_limits_of_cgroup_v1_and_v2);
	run("switch counters: the answers a switch may give", switch_counters_answers_parse);
	run("switch counters: a request answered by another process", switch_counters_request_is_answered);
	run("neigh: the next hop by the longest matching route", next_hop_by_longest_prefix);
	run("neigh: only complete entries of the interface", neighbour_entries_complete_on_the_interface);
	return failed ? 1 : 0;
}
