/* k_ip.c -- IP address function kernels: validity, subnet membership, ipv4ToNumber, ranges
 *
 * Part 2 §4.5 of the language reference. Addresses are read with inet_pton, so they are exactly
 * what POSIX accepts: IPv4 as four decimal octets without leading zeros ("10.0.0.1", not
 * "10.0.0.01" or "10.1"), IPv6 in RFC 4291 text form (with "::" and an embedded dotted quad,
 * without a "%zone" suffix or brackets). A subnet is "address/prefix" (prefix 0-32 or 0-128,
 * decimal); a bare address is the subnet of that one address. Host bits of the subnet address
 * are ignored.
 *
 * IPv4-mapped IPv6 addresses ("::ffff:10.1.2.3", RFC 4291 §2.5.5.2) are how dual-stack
 * servers log IPv4 clients: in the subnet tests such an address stands for the IPv4 address it
 * maps. isIpInSubnet("::ffff:10.1.2.3", "10.0.0.0/8") and isIpv4InSubnet(...) are true, and
 * isIpInSubnet("10.1.2.3", "::ffff:10.0.0.0/104") too; isIpv6InSubnet stays with IPv6 text and
 * IPv6 subnets ("::ffff:10.1.2.3" is in "::ffff:0:0/96"), and isValidIpV4 with IPv4 text.
 *
 * The predicates return booleans (§4.5): false for text that is not an address (or not a
 * subnet), null only for null input (L4). ipv4ToNumber returns null for anything but IPv4.
 *
 * Ranges. isPrivateIP: the RFC 1918 blocks and the IPv6 unique-local block fc00::/7 (RFC 4193,
 * IPv6's counterpart). isReservedIP: the blocks of IANA's special-purpose registries (RFC 6890
 * and successors) that are not globally reachable, plus multicast and 240.0.0.0/4.
 * isPublicIP: a valid address that is not reserved.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <arpa/inet.h>
#include <string.h>
#include "engine/exec/expr.h"
#include "engine/exec/kern.h"

typedef KIp Ip;
typedef KNet Net;

/* Parses an address (n bytes, not NUL-terminated); 0 when it is none. */
__attribute__((always_inline)) static inline int ip_parse(const char *s, size_t n, Ip *ip)
{
    char tmp[64];
    if (n == 0 || n >= sizeof(tmp) || memchr(s, 0, n))
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (inet_pton(AF_INET, tmp, ip->b) == 1) {
        ip->fam = 4;
        return 1;
    }
    if (inet_pton(AF_INET6, tmp, ip->b) == 1) {
        ip->fam = 6;
        return 1;
    }
    return 0;
}

/* Parses "address/prefix" or a bare address; 0 when it is not a subnet. */
__attribute__((always_inline)) static inline int net_parse(const char *s, size_t n, Net *net)
{
    const char *slash = memchr(s, '/', n);
    size_t an = slash ? (size_t)(slash - s) : n;
    if (!ip_parse(s, an, &net->ip))
        return 0;
    int max = net->ip.fam == 4 ? 32 : 128;
    if (!slash) {
        net->plen = max;
        return 1;
    }
    const char *p = slash + 1, *end = s + n;
    if (p == end || end - p > 3)
        return 0;
    int v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    if (v > max)
        return 0;
    net->plen = v;
    return 1;
}

/* 1 when ip lies in net (same family, first plen bits equal). */
__attribute__((always_inline)) static inline int in_net(const Ip *ip, const Net *net)
{
    if (ip->fam != net->ip.fam)
        return 0;
    int full = net->plen / 8, rest = net->plen % 8;
    if (memcmp(ip->b, net->ip.b, (size_t)full) != 0)
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (ip->b[full] & mask) == (net->ip.b[full] & mask);
}

/* The text an address is read from: strings, and numbers as written in the input. Other values
 * (booleans, timestamps, computed numbers) format to text that is never an address: "". */
static const char *addr_text(const Datum *d, size_t *n)
{
    if (d->type == VT_STR || (d->type == VT_NUM && d->s)) {
        *n = d->len;
        return d->s ? d->s : "";
    }
    *n = 0;
    return "";
}

/* ===== Validity ===== */

/* Sets every selected row to test(address text) as a boolean, null for null. */
static void ip_pred(const KArgs *a, int (*test)(const Ip *ip, int valid))
{
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        if (d->type == VT_NULL) {
            a->out->d[row] = val_null();
            continue;
        }
        size_t n;
        const char *s = addr_text(d, &n);
        Ip ip;
        int valid = ip_parse(s, n, &ip);
        a->out->d[row] = val_bool(test(&ip, valid));
    }
}

static int valid_any(const Ip *ip, int valid)
{
    (void)ip;
    return valid;
}

static int valid_v4(const Ip *ip, int valid)
{
    return valid && ip->fam == 4;
}

static int valid_v6(const Ip *ip, int valid)
{
    return valid && ip->fam == 6;
}

void k_fn_isValidIp(const KArgs *a)
{
    ip_pred(a, valid_any);
}

void k_fn_isValidIpV4(const KArgs *a)
{
    ip_pred(a, valid_v4);
}

void k_fn_isValidIpV6(const KArgs *a)
{
    ip_pred(a, valid_v6);
}

/* ===== Subnets ===== */

/* ::ffff:0:0/96, IPv4-mapped addresses (RFC 4291) */
static int v4_mapped(const Ip *ip)
{
    static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return ip->fam == 6 && memcmp(ip->b, pre, sizeof(pre)) == 0;
}

/* ip in net, an IPv4-mapped address standing for its IPv4 address (fam 0: either family of
 * subnet; 4: IPv4 subnets, the address IPv4 or mapped; 6: IPv6 address and subnet). */
__attribute__((always_inline)) static inline int in_subnet_of(Ip ip, const Net *net, int fam)
{
    if (fam == 6)
        return ip.fam == 6 && in_net(&ip, net);
    if (fam == 4 && net->ip.fam != 4)
        return 0;
    if (ip.fam == 6 && net->ip.fam == 4 && v4_mapped(&ip)) { /* unmap */
        memmove(ip.b, ip.b + 12, 4);
        ip.fam = 4;
    } else if (ip.fam == 4 && net->ip.fam == 6 && fam == 0) { /* map */
        memmove(ip.b + 12, ip.b, 4);
        memset(ip.b, 0, 10);
        ip.b[10] = ip.b[11] = 0xff;
        ip.fam = 6;
    }
    return in_net(&ip, net);
}

/* isIpInSubnet and its family-specific forms (fam 0: either family). */
static void in_subnet(const KArgs *a, int fam)
{
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row), *c = VGET(a->args[1], row);
        if (d->type == VT_NULL || c->type == VT_NULL) {
            a->out->d[row] = val_null();
            continue;
        }
        size_t n, cn;
        const char *s = addr_text(d, &n);
        Ip ip;
        int ok = ip_parse(s, n, &ip);
        const char *cs = addr_text(c, &cn);
        Net net;
        ok = ok && net_parse(cs, cn, &net) && in_subnet_of(ip, &net, fam);
        a->out->d[row] = val_bool(ok);
    }
}

void k_fn_isIpInSubnet(const KArgs *a)
{
    in_subnet(a, 0);
}

void k_fn_isIpv4InSubnet(const KArgs *a)
{
    in_subnet(a, 4);
}

void k_fn_isIpv6InSubnet(const KArgs *a)
{
    in_subnet(a, 6);
}

/* ipv4ToNumber(s): a.b.c.d -> a*2^24 + b*2^16 + c*2^8 + d; null when s is not IPv4. */
void k_fn_ipv4ToNumber(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        Ip ip;
        size_t n;
        a->out->d[row] = val_null();
        if (d->type == VT_NULL)
            continue;
        const char *s = addr_text(d, &n);
        if (ip_parse(s, n, &ip) && ip.fam == 4)
            a->out->d[row] = val_num((double)((uint32_t)ip.b[0] << 24 | (uint32_t)ip.b[1] << 16 |
                                              (uint32_t)ip.b[2] << 8 | ip.b[3]));
    }
}

/* ===== Ranges ===== */

/* clang-format off */
#define V4(a, b, c, d, len) {{4, {a, b, c, d}}, len}
#define V6(b0, b1, b2, b3, len) {{6, {b0, b1, b2, b3}}, len} /* the first 4 bytes suffice */

static const Net private_nets[] = {
    V4(10, 0, 0, 0, 8), V4(172, 16, 0, 0, 12), V4(192, 168, 0, 0, 16), /* RFC 1918 */
    V6(0xfc, 0, 0, 0, 7),                                              /* RFC 4193 */
};

static const Net reserved_nets[] = {
    V4(0, 0, 0, 0, 8),        /* "this network" (RFC 791) */
    V4(10, 0, 0, 0, 8),       /* private (RFC 1918) */
    V4(100, 64, 0, 0, 10),    /* shared address space, carrier-grade NAT (RFC 6598) */
    V4(127, 0, 0, 0, 8),      /* loopback */
    V4(169, 254, 0, 0, 16),   /* link-local (RFC 3927) */
    V4(172, 16, 0, 0, 12),    /* private */
    V4(192, 0, 0, 0, 24),     /* IETF protocol assignments (RFC 6890) */
    V4(192, 0, 2, 0, 24),     /* documentation TEST-NET-1 (RFC 5737) */
    V4(192, 88, 99, 0, 24),   /* deprecated 6to4 relay anycast (RFC 7526) */
    V4(192, 168, 0, 0, 16),   /* private */
    V4(198, 18, 0, 0, 15),    /* benchmarking (RFC 2544) */
    V4(198, 51, 100, 0, 24),  /* TEST-NET-2 */
    V4(203, 0, 113, 0, 24),   /* TEST-NET-3 */
    V4(224, 0, 0, 0, 4),      /* multicast (RFC 5771) */
    V4(240, 0, 0, 0, 4),      /* reserved for future use, and broadcast 255.255.255.255 */
    V6(0, 0, 0, 0, 96),       /* unspecified ::, loopback ::1, deprecated IPv4-compatible ::/96 */
    V6(0x01, 0x00, 0, 0, 64), /* discard-only 100::/64 (RFC 6666) */
    V6(0x20, 0x01, 0x00, 0x00, 23), /* IETF protocol assignments 2001::/23 (RFC 2928) */
    V6(0x20, 0x01, 0x0d, 0xb8, 32), /* documentation 2001:db8::/32 (RFC 3849) */
    V6(0x3f, 0xff, 0x00, 0x00, 20), /* documentation 3fff::/20 (RFC 9637) */
    V6(0xfc, 0, 0, 0, 7),           /* unique local (RFC 4193) */
    V6(0xfe, 0x80, 0, 0, 10),       /* link-local */
    V6(0xff, 0, 0, 0, 8),           /* multicast */
};

/* clang-format on */

static int in_any(const Ip *ip, const Net *nets, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (in_net(ip, &nets[i]))
            return 1;
    return 0;
}

static int reserved(const Ip *ip)
{
    /* ::ffff:0:0/96 is reserved as a block of IPv6 addresses (RFC 6890) */
    return v4_mapped(ip) || in_any(ip, reserved_nets, sizeof(reserved_nets) / sizeof(Net));
}

static int is_private(const Ip *ip, int valid)
{
    return valid && in_any(ip, private_nets, sizeof(private_nets) / sizeof(Net));
}

static int is_reserved(const Ip *ip, int valid)
{
    return valid && reserved(ip);
}

static int is_public(const Ip *ip, int valid)
{
    return valid && !reserved(ip);
}

void k_fn_isPrivateIP(const KArgs *a)
{
    ip_pred(a, is_private);
}

void k_fn_isPublicIP(const KArgs *a)
{
    ip_pred(a, is_public);
}

void k_fn_isReservedIP(const KArgs *a)
{
    ip_pred(a, is_reserved);
}

/* ===== For cidrlookup (kern.h) =====
 * The kernels above keep their own inlined copies of the parsers (always_inline): a second
 * caller made GCC call them out of line, 0.6% more instructions for isIpInSubnet. */

int k_ip_parse(const char *s, size_t n, KIp *ip)
{
    return ip_parse(s, n, ip);
}

int k_net_parse(const char *s, size_t n, KNet *net)
{
    return net_parse(s, n, net);
}

int k_ip_in_net(const KIp *ip, const KNet *net)
{
    return in_subnet_of(*ip, net, 0);
}
