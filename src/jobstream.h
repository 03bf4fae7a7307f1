/*
 * jobstream.h
 *		Declarations shared by the extension's PostgreSQL-facing modules.
 */
#ifndef JOBSTREAM_H
#define JOBSTREAM_H

/* guc.c */
extern char *js_database;
extern int	js_refresh_interval;
extern void js_guc_init(void);

/* refresh.c */
extern void js_refresher_register(void);

#endif							/* JOBSTREAM_H */
