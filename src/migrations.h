/*
 * migrations.h - the schema migrations embedded at build time from
 * migrations/NNNN-name.sql (see build-aux/embed-migrations.sh).
 */
#ifndef SORTES_MIGRATIONS_H
#define SORTES_MIGRATIONS_H

struct sortes_migration {
	int version;		/* NNNN; consecutive from 1 */
	const char *name;	/* file name, for messages and the record */
	const char *sql;	/* the file's bytes, NUL-terminated */
};

/* In version order, ended by an entry whose version is 0. */
extern const struct sortes_migration sortes_migrations[];

#endif
