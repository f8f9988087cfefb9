#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sortes/error.h"

int
sortes_error_set(struct sortes_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->errnum = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
sortes_error_sys(struct sortes_error *err, int code, int errnum,
    const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
	    sortes_strerror(errnum));
	return code;
}

const char *
sortes_strerror(int errnum)
{
	return errnum == ENOSPC ? "disk full" : strerror(errnum);
}

int
sortes_error_prefix(struct sortes_error *err, const char *fmt, ...)
{
	char old[SORTES_ERROR_MSG_MAX];
	size_t n;
	va_list ap;

	if (err == NULL)
		return SORTES_EINTERNAL;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Long messages are cut rather than lost: they are for people. */
	n = strlen(err->msg);
	if (n + 3 < sizeof(err->msg)) {
		size_t room = sizeof(err->msg) - n - 3, len = strlen(old);

		if (len > room)
			len = room;
		memcpy(err->msg + n, ": ", 2);
		memcpy(err->msg + n + 2, old, len);
		err->msg[n + 2 + len] = '\0';
	}
	return err->code;
}

void
sortes_error_clear(struct sortes_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->errnum = 0;
	err->msg[0] = '\0';
}

const char *
sortes_status_name(int code)
{
	switch (code) {
	case SORTES_OK:		  return "success";
	case SORTES_EUSAGE:	  return "usage error";
	case SORTES_EDATA:	  return "data error";
	case SORTES_ENOINPUT:	  return "missing input";
	case SORTES_ECANTCREAT:	  return "cannot create output";
	case SORTES_EIO:	  return "I/O error";
	case SORTES_EBUSY:	  return "database busy";
	case SORTES_EVERIFY:	  return "verification failed";
	case SORTES_ENOMEM:	  return "out of memory";
	case SORTES_EINTERNAL:	  return "internal error";
	case SORTES_EUNSUPPORTED: return "not supported";
	case SORTES_EPERM:	  return "unsafe permissions";
	}
	return "unknown error";
}
