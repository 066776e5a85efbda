/* Linked into berth only when libarchive is linked statically (meson.build).
 *
 * libarchive's pax writer reports an unsupported file type through
 * __archive_write_entry_filetype_unsupported(), which lives in archive_write_set_format.o
 * beside the table of every writer libarchive has: pulling that one object drags in the xar
 * writer and with it libxml2 and ICU, whose loading cost every berth process ~0.5 ms. This
 * definition satisfies the reference first, with the same message and error code, so the
 * table stays out. Should a future libarchive pull that object in for another reason, the
 * link fails loudly with a duplicate definition, and meson's static_libarchive=disabled
 * turns this off. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>

void __archive_write_entry_filetype_unsupported(struct archive* a, struct archive_entry* entry, const char* format);

void __archive_write_entry_filetype_unsupported(struct archive* a, struct archive_entry* entry, const char* format) {
  archive_set_error(a, EILSEQ, "%s: %s format cannot archive this file type", archive_entry_pathname(entry), format);
}
