/*
 * jobstream.h
 *		Declarations shared by the extension's PostgreSQL-facing modules.
 */
#ifndef JOBSTREAM_H
#define JOBSTREAM_H

/* guc.c */
extern void js_guc_init(void);

#endif							/* JOBSTREAM_H */
