/*
 * mugai_envelope - what the MTA told us about a message
 *
 * The SMTP envelope and the connection facts, as the milter (or the CLI)
 * collected them. Policy rules match on it, the quarantine records it, the
 * notice names the quarantine ID. A plain struct of borrowed strings: the
 * one who fills it owns every member and keeps them alive while the
 * struct is in use.
 */
#ifndef MUGAI_ENVELOPE_H
#define MUGAI_ENVELOPE_H

/* Every member may be NULL. */
struct mugai_envelope {
	const char *ev_queue_id;
	const char *ev_client_addr;
	const char *ev_client_name;
	const char *ev_helo;
	const char *ev_sender;
	const char *const *ev_rcpts;	/* NULL-terminated */
	/* ID the original will be kept under (named in the notice), or NULL. */
	const char *ev_quarantine_id;
};

#endif
