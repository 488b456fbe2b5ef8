/*
 * range.h - byte ranges of plain files named as inputs: FILE@START-END (issue 16).
 *
 * `liq --splits N` cuts large plain files into ranges and prints them as FILE@START-END; any
 * run (`liq --partial` above all) reads such an input as the records of FILE whose first byte
 * lies in [START, END), read as they would be inside the whole file: the file's head decides
 * its format, column headers, timestamp form and encoding; its @log and @logStream are FILE's.
 * The suffix is the last '@' followed by decimal START '-' END at the end of the name, so FILE
 * itself may hold '@'. A name that exists as it is written is always that file, never a range
 * (docs/scale-out.md, "Splitting work").
 */
#ifndef LIQ_RANGE_H
#define LIQ_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* Does name end in @START-END (START <= END, decimal, no sign)? Then 1, with the length of the
 * file's name before the '@' and the bounds; else 0. It does not look at the file system. */
int range_parse(const char *name, size_t *file_len, uint64_t *start, uint64_t *end);

#endif
