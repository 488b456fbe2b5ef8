/* fuzz_parse.c -- libFuzzer target: query text -> liq_parse -> AST or diagnostics
 *
 * Feeds arbitrary bytes to the parser (lexer included) as a query text. When parsing
 * succeeds, every AST node's span must lie inside the text (start <= end <= len), ast_dump
 * must print the tree and ast_text must reproduce each node's text. When it fails, there must
 * be at least one error, every diagnostic with a span must lie inside [0, len], and
 * diag_render must render each one. Semantic checks are fuzz_compile's job, not this one's.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "fuzz/fuzz.h"
#include "base/diag.h"
#include "parser/ast.h"
#include "parser/parse.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* Walks the tree: spans in range, kinds and child arrays sane; ast_text on each node. */
static void check_node(apr_pool_t *pool, const AstNode *n, const char *text, size_t len)
{
    FUZZ_CHECK(n != NULL, "an AST node is NULL");
    FUZZ_CHECK(n->kind < AST__COUNT, "AST node kind out of range");
    FUZZ_CHECK(n->span.start <= n->span.end, "AST span starts after it ends");
    FUZZ_CHECK(n->span.end <= len, "AST span ends past the query text");
    FUZZ_CHECK(n->nkids <= n->cap || n->kids == NULL, "AST child count exceeds capacity");
    FUZZ_CHECK(n->str != NULL || n->len == 0, "AST string length without a string");
    FUZZ_CHECK(ast_kind_name(n->kind) != NULL, "AST kind without a name");
    if (n->kind != AST_QUERY)
        FUZZ_CHECK(ast_text(pool, n, text) != NULL, "ast_text failed");
    for (uint32_t i = 0; i < n->nkids; i++)
        check_node(pool, n->kids[i], text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0; /* longer queries add nothing but time */
    apr_pool_t *pool = fuzz_pool_new();
    const char *text = (const char *)data;
    LiqDiagList *diags = diag_list_new(pool);
    AstNode *root = liq_parse(pool, text, size, diags);
    if (root) {
        FUZZ_CHECK(root->kind == AST_QUERY, "the root is not a query");
        check_node(pool, root, text, size);
        char *dump = ast_dump(pool, root);
        FUZZ_CHECK(dump != NULL, "ast_dump returned NULL");
    } else {
        FUZZ_CHECK(diag_count(diags) > 0, "parse failed without an error");
    }
    fuzz_check_diags(pool, diags, text, size, NULL, 0);
    fuzz_pool_free(pool);
    return 0;
}
