/* address.h - how an address is written once twoway has read it.
 *
 * A normalised address is the bare addr-spec, lower-cased, without
 * angle brackets or display name, with any sub-address ("user+tag")
 * removed when a delimiter is configured.
 */
#ifndef TW_ADDRESS_H
#define TW_ADDRESS_H

#include <stdbool.h>

/* Returns a newly allocated normalised copy of addr, or NULL when addr
 * holds no usable address.  delims lists the sub-address delimiters
 * ("+" by default); NULL or "" keeps sub-addresses. */
char *tw_address_normalise(const char *addr, const char *delims);

/* The domain part of a normalised address (after '@'), or "". */
const char *tw_address_domain(const char *addr);

#endif
