/* without-gio.c - keeps GIO out of the statically linked filter.
 *
 * g_mime_init() registers every GMime stream type, the GIO-backed one
 * too; linked statically, that one call pulls in GIO and, through it,
 * libmount, libblkid and libselinux, whose loading and relocation cost
 * more than the rest of a delivery's start.  The filter never makes a
 * GIO stream, so this definition stands in for GMime's: the type is
 * simply not registered.  configure links it only into the static
 * filter, where GMime's own definition would otherwise be taken from
 * the archive; were anything to need the GIO stream, the link would
 * fail on a duplicate definition rather than misbehave. */
#include <glib-object.h>

GType g_mime_stream_gio_get_type(void);

GType
g_mime_stream_gio_get_type(void)
{
    return G_TYPE_INVALID;
}
