/*
 * protocol_json.h - the canonical JSON form of a parsed protocol.
 *
 * From log format 2 on, the genesis entry commits to this form as well
 * as to the protocol file's bytes, so that an auditor can replay a
 * trial with any JSON reader instead of a YAML parser that must agree
 * with sortes's on every detail.  The form holds every value that
 * sortes uses, with each default resolved; docs/protocol-json.md lists
 * every key.  Its bytes are part of the log format: a later format may
 * add to it, never for trials of an earlier one.
 */
#ifndef SORTES_PROTOCOL_JSON_H
#define SORTES_PROTOCOL_JSON_H

#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/protocol.h"

/*
 * Write the canonical JSON of 'p', as a trial of log format
 * 'log_format' reads it, to 'out' (reset first).  Only trials of
 * format 2 or later store and commit to it; for a format-1 trial it is
 * derived for people to read.  On success the text is out->data, owned
 * by the writer.
 */
int sortes_protocol_json(struct sortes_jcs *out,
    const struct sortes_protocol *p, int log_format, struct sortes_error *err);

#endif
