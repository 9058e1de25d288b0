/* io.h - whole reads and writes on a descriptor, for the filter and its
 * recorder.  Both retry what a signal interrupts; SIGPIPE is ignored by
 * the whole program, so a closed peer is a failed write.
 */
#ifndef TW_FILTER_IO_H
#define TW_FILTER_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Writes all of buf; false on an error. */
bool io_write_all(int fd, const void *buf, size_t len);

/* Reads exactly len bytes into buf; false on an error, an end of file
 * or a timeout before that. */
bool io_read_all(int fd, void *buf, size_t len);

#endif
