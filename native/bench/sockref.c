/* Plain socket reference for the benchmark: the simplest sender and receiver a developer would
 * write for each Table 1 variant (no pacing, no stamps, no accounting). sb-sender/sb-receiver must
 * reach at least its rate. Prints one "pps N" line per second on stdout.
 *   sb-sockref send udp|raw single|mmsg IFACE SRC_IP SRC_MAC DST_IP DST_MAC SIZE BURST SECONDS
 * A raw sender's frames are those of sb-sender --backend raw byte for byte but the payload.
 *   sb-sockref recv udp|raw single|mmsg IFACE PORT BURST SECONDS */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORT 5000
#define MAXB 512

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAXB][2048];
	struct mmsghdr msgs[MAXB];
	struct iovec iov[MAXB];
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_halen = 6};
	int send_role, raw, mmsg, fd, burst;
	double seconds;
	size_t len;

	if (argc < 7)
		return fprintf(stderr, "usage: see the comment in sockref.c\n"), 2;
	send_role = !strcmp(argv[1], "send");
	raw = !strcmp(argv[2], "raw");
	mmsg = !strcmp(argv[3], "mmsg");
	sll.sll_ifindex = (int)if_nametoindex(argv[4]);
	if (send_role && argc == 12) {
		unsigned size = (unsigned)atoi(argv[9]);
		unsigned char src_mac[6];
		struct in_addr src;
		struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(PORT)};
		inet_pton(AF_INET, argv[5], &src);
		sscanf(argv[6], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &src_mac[0], &src_mac[1], &src_mac[2], &src_mac[3],
		       &src_mac[4], &src_mac[5]);
		inet_pton(AF_INET, argv[7], &dst.sin_addr);
		sscanf(argv[8], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &sll.sll_addr[0], &sll.sll_addr[1], &sll.sll_addr[2],
		       &sll.sll_addr[3], &sll.sll_addr[4], &sll.sll_addr[5]);
		burst = atoi(argv[10]);
		seconds = atof(argv[11]);
		if (raw) {
			fd = socket(AF_PACKET, SOCK_RAW, 0);
			len = size - 4;
			unsigned char *f = buf[0];
			memcpy(f, sll.sll_addr, 6);
			memcpy(f + 6, src_mac, 6);
			f[12] = 0x08;
			f[14] = 0x45;
			f[16] = (unsigned char)((len - 14) >> 8);
			f[17] = (unsigned char)(len - 14);
			f[20] = 0x40; /* DF */
			f[22] = 64;
			f[23] = 17;
			memcpy(f + 26, &src, 4);
			memcpy(f + 30, &dst.sin_addr, 4);
			f[34] = PORT >> 8;
			f[35] = PORT & 0xff;
			f[36] = PORT >> 8;
			f[37] = PORT & 0xff;
			f[38] = (unsigned char)((len - 34) >> 8);
			f[39] = (unsigned char)(len - 34);
			unsigned sum = 0;
			for (int i = 14; i < 34; i += 2)
				sum += (unsigned)(f[i] << 8 | f[i + 1]);
			sum = (sum & 0xffff) + (sum >> 16);
			sum = ~(sum + (sum >> 16)) & 0xffff;
			f[24] = (unsigned char)(sum >> 8);
			f[25] = (unsigned char)sum;
		} else {
			fd = socket(AF_INET, SOCK_DGRAM, 0);
			len = size - 46;
			if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[4], (socklen_t)strlen(argv[4])) ||
			    connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
				return die("udp");
		}
	} else if (!send_role && argc == 8) {
		burst = atoi(argv[6]);
		seconds = atof(argv[7]);
		len = sizeof(buf[0]);
		if (raw) {
			fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
			if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
				return die("bind");
		} else {
			struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[5]))};
			fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[4], (socklen_t)strlen(argv[4])) ||
			    bind(fd, (struct sockaddr *)&a, sizeof(a)))
				return die("udp");
		}
		int rcvbuf = 4 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	} else {
		return fprintf(stderr, "usage: see the comment in sockref.c\n"), 2;
	}
	if (fd < 0 || burst < 1 || burst > MAXB)
		return die("socket");
	for (int i = 0; i < burst; i++) {
		if (i)
			memcpy(buf[i], buf[0], len);
		iov[i] = (struct iovec){.iov_base = buf[i], .iov_len = len};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		if (send_role && raw) {
			msgs[i].msg_hdr.msg_name = &sll;
			msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		}
	}
	double start = now_s(), tick = start + 1;
	unsigned long long count = 0;
	for (;;) {
		int n = 0;
		if (mmsg) {
			n = send_role ? sendmmsg(fd, msgs, (unsigned)burst, 0)
				      : recvmmsg(fd, msgs, (unsigned)burst, MSG_DONTWAIT, NULL);
		} else {
			for (; n < burst; n++) {
				ssize_t r = send_role ? (raw ? sendto(fd, buf[n], len, 0, (struct sockaddr *)&sll, sizeof(sll))
							    : send(fd, buf[n], len, 0))
						      : recv(fd, buf[n], len, MSG_DONTWAIT);
				if (r < 0)
					break;
			}
		}
		if (n > 0)
			count += (unsigned long long)n;
		double t = now_s();
		if (t >= tick) {
			printf("pps %llu\n", count);
			fflush(stdout);
			count = 0;
			tick += 1;
		}
		if (t >= start + seconds)
			return 0;
	}
}
