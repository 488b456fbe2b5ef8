/* kern.h -- scalar function kernels: one per FK_SCALAR row of parser/functions.def
 *
 * A kernel computes its function for every selected row of a batch: args[i] are the argument
 * columns, out the result column (storage for nrows values). Strings it creates live in the
 * batch pool. Null in, null out, except where the reference says otherwise (L4).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_KERN_H
#define LIQ_KERN_H

#include "base/buf.h"
#include "engine/data/vec.h"
#include "engine/exec/rx.h"
#include "parser/func.h"

typedef struct KArgs {
    Vec **args;
    int nargs;
    Batch *b;
    Vec *out;
    LiqBuf *scratch;
    RxFailures *rx_failures; /* the run's: for match data a kernel makes (regexReplace) */
    void *aux; /* constant data compiled for this call (toupper/tolower: a C.UTF-8 locale_t),
                * read-only: shared by every worker of every run */
} KArgs;

typedef void (*KFn)(const KArgs *a);

#define FK_SCALAR_K(kernel) void k_fn_##kernel(const KArgs *a);
#define FK_AGG_K(kernel)
#define FN(name, kind, min, max, kernel, syn, doc) kind##_K(kernel)
#include "parser/functions.def"
#undef FN
#undef FK_SCALAR_K
#undef FK_AGG_K

extern const KFn k_fn_table[FN__COUNT];

/* Addresses and subnets as the IP functions read them (k_ip.c), for cidrlookup (op_cidr.c):
 * KIp an IPv4 or IPv6 address, KNet "address/prefix" (a bare address: all its bits). */
typedef struct KIp {
    int fam;             /* 4 or 6 */
    unsigned char b[16]; /* network order; 4 bytes used for IPv4 */
} KIp;
typedef struct KNet {
    KIp ip;
    int plen; /* prefix length in bits */
} KNet;
int k_ip_parse(const char *s, size_t n, KIp *ip);
int k_net_parse(const char *s, size_t n, KNet *net);
/* Whether ip lies in net, an IPv4-mapped IPv6 address standing for its IPv4 address and an
 * IPv4 address for its mapped form in an IPv6 subnet (as isIpInSubnet). */
int k_ip_in_net(const KIp *ip, const KNet *net);

#endif
