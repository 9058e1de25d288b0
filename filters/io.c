/* io.c - whole reads and writes on a descriptor. */
#include "io.h"

#include <errno.h>
#include <unistd.h>

static bool
move_all(int fd, char *p, size_t len, bool out)
{
    while (len > 0) {
        ssize_t n = out ? write(fd, p, len) : read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool
io_write_all(int fd, const void *buf, size_t len)
{
    return move_all(fd, (char *)buf, len, true);
}

bool
io_read_all(int fd, void *buf, size_t len)
{
    return move_all(fd, buf, len, false);
}
