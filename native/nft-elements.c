/*
 * portcullis-nft-elements: writes nftables set elements through netlink, one transaction per batch,
 * without nft's cache fetch (nft 1.0.6 reads every set and chain of the table before each command;
 * docs/dns-names/enforcement.md). Long-lived; a line protocol on stdin/stdout:
 *
 *   B <family> <table> <count>        a batch of <count> element lines, one transaction
 *   + <set> <keyhex> <timeout_ms>     add (or refresh: a re-add sets the element's timeout) an element
 *   - <set> <keyhex>                  delete an element (one the set does not hold fails the batch)
 *
 * Each batch is answered by one line: `ok`, or `err <errno> <text>` (nothing of the batch applied
 * when the kernel refused it; errno 22 EINVAL for input this program refuses, nothing sent). <family>
 * is inet, ip, ip6, arp, bridge or netdev; <keyhex> the key's bytes as the kernel holds them (a
 * concatenation: each field padded to 4 bytes, e.g. ipv4 . ipv4 = 8 bytes).
 *
 * The batch is NFNL_MSG_BATCH_BEGIN, one NFT_MSG_NEWSETELEM / NFT_MSG_DELSETELEM per run of lines
 * with the same operation and set (split where the nested element list would outgrow a netlink
 * attribute), NFNL_MSG_BATCH_END; every element message asks for an ack (NLM_F_ACK), adds carry
 * NLM_F_CREATE without NLM_F_EXCL (as `nft add element`). Only libc and the kernel UAPI headers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Bounds: a line, a batch's element lines, an element list's attribute, the wait for the kernel. */
#define MAX_LINE 1024
#define MAX_ELEMENTS 4096
#define MAX_NAME (NFT_NAME_MAXLEN - 1)
#define MAX_KEY NFT_DATA_VALUE_MAXLEN
#define MAX_TIMEOUT_MS (1ULL << 40)
/* The elements of one message: nla_len is 16 bits. */
#define MAX_NEST 60000
#define RECV_TIMEOUT_S 5
#define SOCKET_BUFFER (8 * 1024 * 1024)

struct buffer {
	unsigned char *data;
	size_t len;
	size_t cap;
};

static int reserve(struct buffer *b, size_t more)
{
	if (b->len + more <= b->cap)
		return 0;
	size_t cap = b->cap == 0 ? 65536 : b->cap;
	while (cap < b->len + more)
		cap *= 2;
	unsigned char *data = realloc(b->data, cap);
	if (data == NULL)
		return -1;
	b->data = data;
	b->cap = cap;
	return 0;
}

/* Appends `len` bytes, zero-padded to NLA_ALIGNTO; the offset of what was appended, or -1. */
static long put(struct buffer *b, const void *src, size_t len)
{
	size_t padded = NLA_ALIGN(len);
	if (reserve(b, padded) < 0)
		return -1;
	long at = (long)b->len;
	if (len > 0)
		memcpy(b->data + b->len, src, len);
	memset(b->data + b->len + len, 0, padded - len);
	b->len += padded;
	return at;
}

static long put_attr(struct buffer *b, uint16_t type, const void *payload, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	long at = put(b, &a, sizeof a);
	if (at < 0 || put(b, payload, len) < 0)
		return -1;
	return at;
}

static long begin_nest(struct buffer *b, uint16_t type)
{
	return put_attr(b, (uint16_t)(type | NLA_F_NESTED), NULL, 0);
}

static void end_nest(struct buffer *b, long at)
{
	struct nlattr *a = (struct nlattr *)(b->data + at);
	a->nla_len = (uint16_t)(b->len - (size_t)at);
}

static long begin_message(struct buffer *b, uint16_t type, uint16_t flags, uint32_t seq, uint8_t family, uint16_t res_id)
{
	struct nlmsghdr h = { .nlmsg_len = 0, .nlmsg_type = type, .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags), .nlmsg_seq = seq, .nlmsg_pid = 0 };
	struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0, .res_id = htobe16(res_id) };
	long at = put(b, &h, sizeof h);
	if (at < 0 || put(b, &g, sizeof g) < 0)
		return -1;
	return at;
}

static void end_message(struct buffer *b, long at)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(b->data + at);
	h->nlmsg_len = (uint32_t)(b->len - (size_t)at);
}

/* The batch being read: its messages, built as its lines come. */
struct batch {
	struct buffer buf;
	uint8_t family;
	char table[MAX_NAME + 1];
	uint32_t first_seq; /* the BATCH_BEGIN's */
	uint32_t seq;       /* the last message's */
	/* The open element message: its operation and set, its offsets, or none (message < 0). */
	char op;
	char set[MAX_NAME + 1];
	long message;
	long elements;
	const char *invalid; /* why the batch is refused, or NULL */
};

static uint32_t next_seq = 1;

static int family_of(const char *name, uint8_t *out)
{
	static const struct { const char *name; uint8_t family; } families[] = {
		{ "inet", NFPROTO_INET }, { "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 },
		{ "arp", NFPROTO_ARP }, { "bridge", NFPROTO_BRIDGE }, { "netdev", NFPROTO_NETDEV },
	};
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
		if (strcmp(name, families[i].name) == 0) {
			*out = families[i].family;
			return 0;
		}
	}
	return -1;
}

/* A table or set name: 1..MAX_NAME characters of [A-Za-z0-9_.-]. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The key's bytes from hex: 1..MAX_KEY bytes, an even number of digits; its length or -1. */
static int parse_key(const char *hex, unsigned char *out)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 != 0 || n / 2 > MAX_KEY)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* A decimal number 1..MAX_TIMEOUT_MS. */
static int parse_timeout(const char *s, uint64_t *out)
{
	if (*s == '\0' || strlen(s) > 15)
		return -1;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v == 0 || v > MAX_TIMEOUT_MS)
		return -1;
	*out = v;
	return 0;
}

/* Splits a line at single spaces into at most `max` words; the number of words, or -1 (more, or empty words). */
static int split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max || *p == '\0' || *p == ' ')
			return -1;
		words[n++] = p;
		char *space = strchr(p, ' ');
		if (space == NULL)
			return n;
		*space = '\0';
		p = space + 1;
	}
}

static void close_element_message(struct batch *b)
{
	if (b->message < 0)
		return;
	end_nest(&b->buf, b->elements);
	end_message(&b->buf, b->message);
	b->message = -1;
}

static int open_element_message(struct batch *b, char op, const char *set)
{
	close_element_message(b);
	uint16_t type = (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | (op == '+' ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM));
	uint16_t flags = (uint16_t)(NLM_F_ACK | (op == '+' ? NLM_F_CREATE : 0));
	b->seq = next_seq++;
	b->message = begin_message(&b->buf, type, flags, b->seq, b->family, 0);
	if (b->message < 0 || put_attr(&b->buf, NFTA_SET_ELEM_LIST_TABLE, b->table, strlen(b->table) + 1) < 0 ||
	    put_attr(&b->buf, NFTA_SET_ELEM_LIST_SET, set, strlen(set) + 1) < 0)
		return -1;
	b->elements = begin_nest(&b->buf, NFTA_SET_ELEM_LIST_ELEMENTS);
	if (b->elements < 0)
		return -1;
	b->op = op;
	strcpy(b->set, set);
	return 0;
}

/* One element line into the batch (its message opened or continued). */
static void element_line(struct batch *b, char *line)
{
	char *w[4];
	int n = split(line, w, 4);
	if (n < 1 || strlen(w[0]) != 1 || (w[0][0] != '+' && w[0][0] != '-')) {
		b->invalid = "an element line is + SET KEYHEX TIMEOUT_MS or - SET KEYHEX";
		return;
	}
	char op = w[0][0];
	unsigned char key[MAX_KEY];
	int keylen;
	uint64_t timeout = 0;
	if (n != (op == '+' ? 4 : 3)) {
		b->invalid = "an element line is + SET KEYHEX TIMEOUT_MS or - SET KEYHEX";
		return;
	}
	if (!valid_name(w[1])) {
		b->invalid = "a set name is 1-255 characters of A-Z a-z 0-9 _ . -";
		return;
	}
	if ((keylen = parse_key(w[2], key)) < 0) {
		b->invalid = "a key is 1-64 bytes in hex";
		return;
	}
	if (op == '+' && parse_timeout(w[3], &timeout) < 0) {
		b->invalid = "a timeout is 1 to 2^40 milliseconds";
		return;
	}
	if (b->invalid != NULL)
		return;
	size_t size = 4 * NLA_HDRLEN + NLA_ALIGN((size_t)keylen) + (op == '+' ? NLA_HDRLEN + 8 : 0);
	if (b->message < 0 || b->op != op || strcmp(b->set, w[1]) != 0 || b->buf.len - (size_t)b->elements + size > MAX_NEST) {
		if (open_element_message(b, op, w[1]) < 0) {
			b->invalid = "out of memory";
			return;
		}
	}
	long elem = begin_nest(&b->buf, NFTA_LIST_ELEM);
	long k = elem < 0 ? -1 : begin_nest(&b->buf, NFTA_SET_ELEM_KEY);
	if (k < 0 || put_attr(&b->buf, NFTA_DATA_VALUE, key, (size_t)keylen) < 0) {
		b->invalid = "out of memory";
		return;
	}
	end_nest(&b->buf, k);
	if (op == '+') {
		uint64_t be = htobe64(timeout);
		if (put_attr(&b->buf, NFTA_SET_ELEM_TIMEOUT, &be, sizeof be) < 0) {
			b->invalid = "out of memory";
			return;
		}
	}
	end_nest(&b->buf, elem);
}

/* Reads a line into `line` (without its newline): 1, or 0 at the end of input; a longer line is read whole and refused (-1). */
static int read_line(char *line, size_t size)
{
	if (fgets(line, (int)size, stdin) == NULL)
		return 0;
	size_t n = strlen(line);
	if (n > 0 && line[n - 1] == '\n') {
		line[n - 1] = '\0';
		return 1;
	}
	if (feof(stdin))
		return 1; /* the last line, without a newline */
	int c;
	while ((c = getchar()) != EOF && c != '\n')
		;
	return -1;
}

static void reply_err(int error, const char *text)
{
	printf("err %d %s\n", error, text);
	fflush(stdout);
}

static int open_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return -1;
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
		close(fd);
		return -1;
	}
	int size = SOCKET_BUFFER, one = 1;
	/* The FORCE options need CAP_NET_ADMIN, which writing to nftables needs too; else the defaults. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	/* Acks without a copy of the message acknowledged. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/*
 * Sends the batch and reads the kernel's answers: one ack per element message (the kernel delivers
 * them after the whole batch, errors among them), or an error for the BATCH_BEGIN (the batch was not
 * processed, or its commit failed: that error comes before the acks). 0, or the first errno.
 */
static int transact(int fd, struct batch *b)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(fd, b->buf.data, b->buf.len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		return errno;
	uint32_t expected = b->seq - b->first_seq; /* element messages */
	uint32_t acked = 0;
	int first_error = 0;
	static unsigned char reply[65536];
	while (acked < expected) {
		ssize_t n = recv(fd, reply, sizeof reply, first_error != 0 ? MSG_DONTWAIT : 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (first_error != 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break; /* the acks the kernel sent are read */
			return errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno;
		}
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq < b->first_seq || h->nlmsg_seq > b->seq)
				continue; /* an earlier batch's, after a timeout */
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
				if (first_error == 0)
					first_error = EPROTO;
				continue;
			}
			int error = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_seq == b->first_seq) {
				/* The batch as a whole: not processed (no acks follow), or its commit failed (acks follow). */
				if (first_error == 0)
					first_error = error != 0 ? error : EPROTO;
				continue;
			}
			acked++;
			if (error != 0 && first_error == 0)
				first_error = error;
		}
	}
	return first_error;
}

int main(void)
{
	static char line[MAX_LINE + 2];
	int fd = open_socket();
	if (fd < 0) {
		fprintf(stderr, "portcullis-nft-elements: cannot open a netfilter netlink socket: %s\n", strerror(errno));
		return 1;
	}
	struct batch b;
	memset(&b, 0, sizeof b);
	for (;;) {
		int r = read_line(line, sizeof line);
		if (r == 0)
			break;
		char *w[5];
		int n = r < 0 ? -1 : split(line, w, 5);
		long count = -1;
		if (n == 4 && strcmp(w[0], "B") == 0 && strlen(w[3]) <= 6) {
			char *end;
			count = strtol(w[3], &end, 10);
			if (*end != '\0' || w[3][0] < '0' || w[3][0] > '9')
				count = -1;
		}
		if (count < 1 || count > MAX_ELEMENTS) {
			reply_err(EINVAL, "a batch begins with B FAMILY TABLE COUNT (COUNT 1-4096)");
			continue;
		}
		b.buf.len = 0;
		b.invalid = NULL;
		b.message = -1;
		if (family_of(w[1], &b.family) < 0)
			b.invalid = "a family is inet, ip, ip6, arp, bridge or netdev";
		else if (!valid_name(w[2]))
			b.invalid = "a table name is 1-255 characters of A-Z a-z 0-9 _ . -";
		else
			strcpy(b.table, w[2]);
		b.first_seq = next_seq++;
		b.seq = b.first_seq;
		if (begin_message(&b.buf, NFNL_MSG_BATCH_BEGIN, 0, b.first_seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES) < 0)
			b.invalid = "out of memory";
		else
			end_message(&b.buf, 0);
		int ended = 0;
		for (long i = 0; i < count; i++) {
			r = read_line(line, sizeof line);
			if (r == 0) {
				ended = 1;
				break;
			}
			if (r < 0)
				b.invalid = "a line is longer than 1024 characters";
			else
				element_line(&b, line);
		}
		if (ended) {
			reply_err(EINVAL, "the input ended within a batch");
			break;
		}
		if (b.invalid != NULL) {
			reply_err(EINVAL, b.invalid);
			continue;
		}
		close_element_message(&b);
		long end = begin_message(&b.buf, NFNL_MSG_BATCH_END, 0, next_seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
		if (end < 0) {
			reply_err(ENOMEM, "out of memory");
			continue;
		}
		end_message(&b.buf, end);
		int error = transact(fd, &b);
		if (error == 0) {
			printf("ok\n");
			fflush(stdout);
		} else {
			reply_err(error, strerror(error));
		}
	}
	free(b.buf.data);
	close(fd);
	return 0;
}
