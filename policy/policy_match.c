/* Choosing the policy of a session: the first whose `match` fits. */
#include "policy/policy_match.h"

#include <netinet/in.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* The first PREFIX bits of A and B are equal. */
static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned bytes = prefix / 8, bits = prefix % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - bits));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

bool dw_cidr_contains(const struct dw_cidr *net, const struct sockaddr *addr)
{
	uint8_t v4[4], v6[16];
	bool have_v4 = false;

	if (net->text == NULL || addr == NULL)
		return false;
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
		memcpy(v4, &sin->sin_addr, 4);
		have_v4 = true;
		memcpy(v6, v4_mapped_prefix, 12);
		memcpy(v6 + 12, v4, 4);
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
		memcpy(v6, &sin6->sin6_addr, 16);
		if (memcmp(v6, v4_mapped_prefix, 12) == 0) {
			memcpy(v4, v6 + 12, 4);
			have_v4 = true;
		}
	} else {
		return false;
	}
	if (net->family == AF_INET)
		return have_v4 && prefix_equal(v4, net->addr, net->prefix);
	return prefix_equal(v6, net->addr, net->prefix);
}

static bool same_text(const char *want, const char *got)
{
	return want == NULL || (got != NULL && strcmp(want, got) == 0);
}

bool dw_match_fits(const struct dw_match_config *m, const struct dw_policy_subject *s)
{
	if (!same_text(m->user, s->user) || !same_text(m->database, s->database) ||
	    !same_text(m->listener, s->listener))
		return false;
	return m->client.text == NULL || dw_cidr_contains(&m->client, s->client);
}

const struct dw_policy_config *dw_policy_select(const struct dw_config *cfg,
	const struct dw_policy_subject *subject)
{
	for (size_t i = 0; cfg != NULL && i < cfg->n_policies; i++)
		if (dw_match_fits(&cfg->policies[i].match, subject))
			return &cfg->policies[i];
	return NULL;
}
